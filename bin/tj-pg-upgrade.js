#!/usr/bin/env node
// Entry point of the `tj-pg-upgrade` CLI. The code is TypeScript (scripts/tj-pg-upgrade.ts); it is run through
// ts-node in transpile-only mode so `npx tj-pg-upgrade` works right after `npm ci` with no build step.
'use strict';
require('ts-node').register({ transpileOnly: true, project: require('path').join(__dirname, '..', 'tsconfig.json') });
require('../scripts/tj-pg-upgrade.ts');
