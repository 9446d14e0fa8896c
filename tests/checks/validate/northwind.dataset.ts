// Dataset suite (npm run test:datasets; not part of npm test): validate on Northwind, a schema nobody here wrote, loaded
// with psql from ../shared/datasets into a real 13.21 and copied to a real 16.9 (pg_dump/pg_restore): passes as copied,
// through the library and the CLI, and names a deleted row. The ToolJet fixture cases are validate.test.ts.
import { strict as assert } from 'assert';
import { CheckResult } from '../../../checks/report';
import { runValidate, ValidateResult } from '../../../checks/validate';
import { connect, ConnectionTarget, resolveTarget, withDatabase } from '../../../lib/pg/connection';
import { copyDatabase, runSqlFile } from '../../../lib/pg/copy';
import { datasetFile } from '../../helpers/datasets';
import { LocalServer, makeTlsFixture, startServer, TlsFixture, verifyFull } from '../../helpers/servers';
import { runCli } from '../../cli/run-cli';

function find(r: ValidateResult, name: string, database: string): CheckResult {
  const c = r.checks.find((x) => x.name === name && x.database === database);
  assert.ok(c, `no check ${name} [${database}]: ${r.checks.map((x) => `${x.name} [${x.database}]`).join(', ')}`);
  return c;
}

describe('validate (dataset suite): Northwind copied from 13.21 to 16.9', () => {
  let tls: TlsFixture;
  let s13: LocalServer;
  let s16: LocalServer;
  let src: ConnectionTarget;
  let tgt: ConnectionTarget;
  const validate = (): Promise<ValidateResult> =>
    runValidate({ source: withDatabase(src, 'northwind'), target: withDatabase(tgt, 'northwind'), jobs: 2 });

  before(async () => {
    const northwind = datasetFile('northwind.sql');
    tls = makeTlsFixture();
    [s13, s16] = await Promise.all([startServer(13, tls), startServer(16, tls)]);
    src = resolveTarget(s13.url('postgres', verifyFull(tls)), { env: {} });
    tgt = resolveTarget(s16.url('postgres', verifyFull(tls)), { env: {} });
    const c = await connect(src);
    try {
      await c.query('CREATE DATABASE northwind');
    } finally {
      await c.end();
    }
    await runSqlFile({ target: src, database: 'northwind', file: northwind });
    await copyDatabase({ source: src, target: tgt, database: 'northwind' });
  });
  after(async () => {
    await Promise.all([s13, s16].filter(Boolean).map((s) => s.stop()));
    tls?.cleanup();
  });

  it('passes on Northwind as copied', async () => {
    const r = await validate();
    assert.deepEqual(
      r.checks.filter((c) => c.status === 'fail').map((c) => `${c.name}: ${c.detail}`),
      [],
    );
    assert.match(find(r, 'row counts', 'northwind').detail, /^14 tables, 3362 rows/);
    assert.match(find(r, 'schema: constraints', 'northwind').detail, /^27 identical/);
  });

  it('CLI: exit 0 with URLs in the environment, no password printed', async () => {
    const ok = await runCli(['validate', '--quiet'], {
      TJ_PG_SOURCE_URL: s13.url('northwind', verifyFull(tls)),
      TJ_PG_TARGET_URL: s16.url('northwind', verifyFull(tls)),
    });
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /PASS\s+content checksums \[northwind\]\s+14 tables identical in content/);
    for (const out of [ok.stdout, ok.stderr]) {
      assert.ok(!out.includes(s13.password) && !out.includes(s16.password), 'password printed');
    }
  });

  it('names a row deleted on the target, by count and by content', async () => {
    const c = await connect(withDatabase(tgt, 'northwind'));
    try {
      await c.query('DELETE FROM order_details WHERE order_id = 10248 AND product_id = 11');
    } finally {
      await c.end();
    }
    const r = await validate();
    assert.equal(r.exitCode, 1);
    assert.deepEqual(find(r, 'row counts', 'northwind').objects, [
      'public.order_details: source 2155 rows, target 2154 (-1)',
    ]);
    assert.deepEqual(find(r, 'content checksums', 'northwind').objects, [
      'public.order_details: content differs (rows 2155 vs 2154)',
    ]);
  });
});
