// checks/validate/encoding.ts on real 13.21 and 16.9 databases: same encoding and locale passes; another encoding
// fails with the CREATE DATABASE fix; the same encoding with another locale is a warning.
import { strict as assert } from 'assert';
import { encoding } from '../../../checks/validate/encoding';
import { withDatabase } from '../../../lib/pg/connection';
import { pair, result, runChecks } from '../pair';

describe('checks/validate/encoding', () => {
  it('passes when encoding and locale match, and names them', async () => {
    const p = await pair();
    const dbs = await p.databases('chk_enc', [], []);
    const r = result((await runChecks([encoding], dbs)).results, 'database encoding');
    assert.equal(r.status, 'pass');
    assert.match(r.detail, /^UTF8, collate \S+, ctype \S+ on both$/);
  });

  it('fails on another encoding (with the fix), warns on another locale', async () => {
    const p = await pair();
    const src = await p.databases('chk_enc_src', [], []);
    const mk = async (name: string, clause: string) => {
      const admin = withDatabase(src.target, 'postgres');
      await p.exec(admin, `DROP DATABASE IF EXISTS ${name}`, `CREATE DATABASE ${name} TEMPLATE template0 ${clause}`);
      return withDatabase(src.target, name);
    };
    const ascii = await mk('chk_enc_ascii', `ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C'`);
    const srcCollate = await p.value(
      src.source,
      `SELECT datcollate FROM pg_database WHERE datname = current_database()`,
    );
    const other = await mk(
      'chk_enc_locale',
      `ENCODING 'UTF8' LC_COLLATE '${srcCollate === 'C' ? 'C.UTF-8' : 'C'}' LC_CTYPE 'C'`,
    );

    const bad = result(
      (await runChecks([encoding], { source: src.source, target: ascii })).results,
      'database encoding',
    );
    assert.equal(bad.status, 'fail');
    assert.equal(bad.detail, `source encoding UTF8, target SQL_ASCII: create the target database with ENCODING 'UTF8'`);

    const warn = result(
      (await runChecks([encoding], { source: src.source, target: other })).results,
      'database encoding',
    );
    assert.equal(warn.status, 'warn');
    assert.match(
      warn.detail,
      /^encoding UTF8 on both; locale differs \(source collate .*\): text sort order may differ$/,
    );
  });
});
