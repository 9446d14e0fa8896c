#!/usr/bin/env node
// `npm run test:datasets` starts here: the opt-in dataset suite (tests/**/*.dataset.ts) reads the shared sample
// datasets in ../shared/datasets next to the repository (or the folder TJ_DATASETS_DIR names). Without them it stops with one line and exit 1 instead of
// building and starting PostgreSQL first. `npm test` never needs them.
'use strict';
const fs = require('fs');
const path = require('path');

const dir = path.resolve(process.env.TJ_DATASETS_DIR || path.join(__dirname, '..', '..', 'shared', 'datasets'));
const needed = ['northwind.sql'];
const missing = needed.filter((f) => !fs.existsSync(path.join(dir, f)));
if (missing.length > 0) {
  process.stderr.write(
    `test:datasets: ${missing.map((f) => path.join(dir, f)).join(', ')} not found; this opt-in suite needs the shared sample datasets in ../shared/datasets next to the repository, or TJ_DATASETS_DIR (npm test does not)\n`,
  );
  process.exit(1);
}
