#!/usr/bin/env node
// Entry point of the `tj-pg-upgrade` CLI: the compiled application in dist/ (cli/main.ts, built by `npm ci` through
// the prepare script, or by `npm run build`). Plain JavaScript, so start-up compiles nothing.
'use strict';
const fs = require('fs');
const path = require('path');

const main = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
if (!fs.existsSync(main)) {
  process.stderr.write(
    `tj-pg-upgrade: the compiled CLI (${path.relative(process.cwd(), main) || main}) is missing: run npm ci (or npm run build) in ${path.dirname(__dirname)}\n`,
  );
  process.exit(2);
}
require(main).cli();
