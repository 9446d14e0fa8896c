#!/usr/bin/env node
// npm 11 does not run dependencies' install scripts, so the embedded PostgreSQL packages arrive without the
// lib/*.so symlinks their postinstall would create (libpq.so.5 -> libpq.so.5.16, ...). This recreates them from
// each package's native/pg-symlinks.json. Idempotent; run as this project's own postinstall.
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
let made = 0;
for (const alias of ['pg13', 'pg16']) {
  const native = path.join(root, 'node_modules', alias, 'native');
  const listFile = path.join(native, 'pg-symlinks.json');
  if (!fs.existsSync(listFile)) continue; // package not installed: nothing to link
  for (const { source, target } of JSON.parse(fs.readFileSync(listFile, 'utf8'))) {
    // the recorded paths are relative to the package root (native/lib/...)
    const src = path.resolve(native, '..', source);
    const dst = path.resolve(native, '..', target);
    if (!fs.existsSync(src)) throw new Error(`hydrate-postgres: ${alias}: missing ${source}; reinstall with npm ci`);
    try {
      if (fs.readlinkSync(dst) === path.relative(path.dirname(dst), src)) continue;
      fs.unlinkSync(dst);
    } catch (e) {
      if (e.code !== 'ENOENT') throw e;
    }
    fs.symlinkSync(path.relative(path.dirname(dst), src), dst);
    made++;
  }
}
if (made) console.log(`hydrate-postgres: created ${made} library symlinks for the embedded PostgreSQL 13.21/16.9`);
