#!/usr/bin/env node
// Entry point of the Docker target's local.Command (targets/docker/write.ts): settings and secrets from the
// environment, the CA bundle on stdin. Run through ts-node (transpile-only) like bin/tj-pg-upgrade.js, so it works
// right after `npm ci` with no build step.
'use strict';
const fs = require('fs');
const path = require('path');
require('ts-node').register({ transpileOnly: true, project: path.join(__dirname, '..', '..', 'tsconfig.json') });
const { runDockerWrite } = require('./write.ts');

const bundle = fs.readFileSync(0, 'utf8');
process.exitCode = runDockerWrite(process.env, bundle, {
  out: (t) => process.stdout.write(`${t}\n`),
  err: (t) => process.stderr.write(`${t}\n`),
});
