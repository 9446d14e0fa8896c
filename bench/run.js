#!/usr/bin/env node
// Entry point of `npm run bench`. The benchmark is TypeScript (bench/main.ts), run through ts-node in transpile-only
// mode like bin/tj-pg-upgrade.js, so it works right after `npm ci` with no build step.
'use strict';
require('ts-node').register({ transpileOnly: true, project: require('path').join(__dirname, '..', 'tsconfig.json') });
require('./main.ts').cli();
