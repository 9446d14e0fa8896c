// rollback-report on real servers: a PostgreSQL 13.21 source copied to a 16.9 clone, then ToolJet-like writes on
// the clone after a recorded cutover time. The report must count exactly what stays behind on the clone, read
// nothing but read-only on both sides, and say it in one line.
import { strict as assert } from 'assert';
import { rollbackSummary, runRollbackReport, RollbackReport } from '../../../checks/rollback';
import { bucketSql, rowHashSql } from '../../../checks/rollback/diff';
import { connect, ConnectionTarget, resolveTarget, withDatabase } from '../../../lib/pg/connection';
import { copyDatabase } from '../../../lib/pg/copy';
import { LocalServer, makeTlsFixture, startServer, TlsFixture, verifyFull } from '../../helpers/servers';
import { runMain } from '../../cli/run-main';

async function exec(t: ConnectionTarget, ...statements: string[]): Promise<Record<string, unknown>[][]> {
  const c = await connect(t);
  try {
    const out: Record<string, unknown>[][] = [];
    for (const s of statements) out.push((await c.query(s)).rows);
    return out;
  } finally {
    await c.end();
  }
}

const xmax = async (t: ConnectionTarget): Promise<string> =>
  String((await exec(t, 'SELECT txid_snapshot_xmax(txid_current_snapshot()) AS x'))[0][0].x);

describe('rollback-report: rows written on the clone after the cutover (13.21 source, 16.9 clone)', () => {
  let tls: TlsFixture;
  let s13: LocalServer;
  let s16: LocalServer;
  let src: ConnectionTarget;
  let cln: ConnectionTarget;
  let cutoverAt: string;
  let report: RollbackReport;

  before(async () => {
    tls = makeTlsFixture();
    [s13, s16] = await Promise.all([startServer(13, tls), startServer(16, tls)]);
    src = withDatabase(resolveTarget(s13.url('postgres', verifyFull(tls)), { env: {} }), 'tooljet');
    cln = withDatabase(resolveTarget(s16.url('postgres', verifyFull(tls)), { env: {} }), 'tooljet');
    await exec(withDatabase(src, 'postgres'), 'CREATE DATABASE tooljet', 'CREATE DATABASE tooljet_db');
    await exec(
      src,
      `CREATE TABLE apps (id serial PRIMARY KEY, name text NOT NULL, created_at timestamp NOT NULL DEFAULT now(), updated_at timestamp NOT NULL DEFAULT now())`,
      `INSERT INTO apps (name, created_at, updated_at) SELECT 'app ' || g, now() - interval '1 day', now() - interval '1 day' FROM generate_series(1, 5000) g`,
      `CREATE TABLE notes (id int, body text)`,
      `INSERT INTO notes VALUES (1, 'a'), (2, 'b'), (2, 'b'), (3, NULL)`,
      `CREATE TABLE audit (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), what text)`,
      `INSERT INTO audit (what) VALUES ('untouched')`,
    );
    await exec(
      withDatabase(src, 'tooljet_db'),
      `CREATE TABLE rows_tj (id int PRIMARY KEY, v text)`,
      `INSERT INTO rows_tj SELECT g, md5(g::text) FROM generate_series(1, 200) g`,
    );
    await copyDatabase({ source: src, target: cln, database: 'tooljet' });
    await copyDatabase({ source: src, target: cln, database: 'tooljet_db' });

    // The cutover: recorded once (as `pulumi config set cutoverAt ...` would), then ToolJet writes on the clone.
    cutoverAt = new Date(Date.now() - 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    await exec(
      cln,
      `INSERT INTO apps (name) VALUES ('new 1'), ('new 2'), ('new 3')`,
      `UPDATE apps SET name = name || ' (edited)', updated_at = now() WHERE id IN (10, 20)`,
      `DELETE FROM notes WHERE id = 1`,
      `INSERT INTO notes VALUES (3, NULL)`,
      `CREATE TABLE only_on_clone (x int)`,
    );
  });
  after(async () => {
    await Promise.all([s13, s16].filter(Boolean).map((s) => s.stop()));
    tls.cleanup();
  });

  it('counts rows only on the clone and only on the source, exactly, per table', async () => {
    const [bs, bc] = [await xmax(src), await xmax(cln)];
    report = await runRollbackReport({ source: src, clone: cln, since: cutoverAt, tooljetDb: 'tooljet_db', jobs: 2 });
    assert.equal(await xmax(src), bs, 'the report must not write on the source');
    assert.equal(await xmax(cln), bc, 'the report must not write on the clone');
    const t = (name: string) => report.databases[0].tables.find((x) => x.table === name)!;
    // 3 inserts + the new version of 2 updated rows; the old versions are only on the source.
    assert.deepEqual([t('public.apps').onlyOnClone, t('public.apps').onlyOnSource], [5, 2]);
    assert.deepEqual([t('public.apps').cloneRows, t('public.apps').sourceRows], [5003, 5000]);
    // a deleted row and a second copy of an existing (NULL-holding) row: duplicates are counted, not cancelled.
    assert.deepEqual([t('public.notes').onlyOnClone, t('public.notes').onlyOnSource], [1, 1]);
    assert.deepEqual([t('public.audit').onlyOnClone, t('public.audit').onlyOnSource], [0, 0]);
    assert.equal(t('public.only_on_clone').skipped, 'only on the clone');
    assert.equal(report.onlyOnClone, 6);
    assert.equal(report.onlyOnSource, 3);
  });

  it('counts clone rows with created_at/updated_at after the cutover, where such columns exist', () => {
    const t = (name: string) => report.databases[0].tables.find((x) => x.table === name)!;
    assert.equal(t('public.apps').writtenAfterCutover, 5);
    assert.deepEqual(t('public.apps').writeTimeColumns, ['created_at', 'updated_at']);
    assert.equal(t('public.notes').writtenAfterCutover, undefined, 'no write-time column: not counted, not guessed');
    assert.equal(t('public.audit').writtenAfterCutover, undefined);
    assert.equal(report.writtenAfterCutover, 5);
  });

  it('reports the untouched ToolJet Database as identical', () => {
    const tj = report.databases[1];
    assert.equal(tj.database, 'tooljet_db');
    assert.deepEqual([tj.onlyOnClone, tj.onlyOnSource], [0, 0]);
    assert.ok(report.checks.filter((c) => c.database === 'tooljet_db').every((c) => c.status === 'pass'));
  });

  it('says in checks and one summary line that the rows stay on the clone', () => {
    const c = report.checks.find((x) => x.name === 'rows only on the clone' && x.database === 'tooljet')!;
    assert.equal(c.status, 'fail');
    assert.match(
      c.detail,
      /^6 row\(s\) in 2 table\(s\) exist on the clone but not on the source: .* They stay on the clone/,
    );
    assert.ok(c.objects.includes('public.apps: 5 row(s) only on the clone (clone 5003 rows, source 5000)'));
    assert.equal(report.exitCode, 1);
    assert.equal(
      rollbackSummary(report),
      `rollback: 6 row(s) written on the clone stay on the clone and are NOT on the source; 5 row(s) on the clone are newer than the cutover (${cutoverAt}); the clone is kept for inspection (docs/cutover-and-rollback.md "Rollback: back to the PostgreSQL 13 source")`,
    );
  });

  it('only reads the buckets that differ (the row-hash query is limited to them)', async () => {
    const c = await connect(cln);
    try {
      const t = { schema: 'public', name: 'apps', columns: ['created_at', 'id', 'name', 'updated_at'] };
      const buckets = (await c.query(bucketSql(t))).rows;
      assert.ok(buckets.length > 900, `5003 rows spread over most of the 1024 buckets (got ${buckets.length})`);
      const one = (await c.query(rowHashSql(t), [[Number(buckets[0].b)]])).rows;
      assert.equal(
        one.reduce((n, r) => n + Number(r.n), 0),
        Number(buckets[0].n),
      );
    } finally {
      await c.end();
    }
  });

  it('CLI (main): exit 1, the summary line, no password in the output', async () => {
    // Whole URLs (with passwords) travel in the environment, never in argv.
    const r = await runMain(['rollback-report', '--since', cutoverAt, '--jobs', '2'], {
      TJ_PG_SOURCE_URL: s13.url('tooljet', verifyFull(tls)),
      TJ_PG_TARGET_URL: s16.url('tooljet', verifyFull(tls)),
    });
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stdout,
      /rollback: 6 row\(s\) written on the clone stay on the clone and are NOT on the source; 5 row\(s\) on the clone are newer than the cutover/,
    );
    assert.match(r.stdout, /FAIL +rows only on the clone/);
    for (const secret of [s13.password, s16.password]) assert.ok(!(r.stdout + r.stderr).includes(secret));
  });

  it('CLI (main): an unreachable clone or a wrong CA is one line on stderr, exit 2, before any work', async () => {
    const wrongCa = makeTlsFixture();
    try {
      const refused = await runMain(['rollback-report'], {
        TJ_PG_SOURCE_URL: s13.url('tooljet', verifyFull(tls)),
        TJ_PG_TARGET_URL: s16.url('tooljet', verifyFull(tls)).replace(`:${s16.port}/`, ':1/'),
      });
      assert.equal(refused.code, 2);
      assert.equal(refused.stderr.trim().split('\n').length, 1);
      assert.match(refused.stderr, /^tj-pg-upgrade rollback-report: cannot connect to localhost:1: connection refused/);
      const untrusted = await runMain(['rollback-report'], {
        TJ_PG_SOURCE_URL: s13.url('tooljet', verifyFull(tls)),
        TJ_PG_TARGET_URL: s16.url('tooljet', verifyFull(wrongCa)),
      });
      assert.equal(untrusted.code, 2);
      assert.match(
        untrusted.stderr,
        /TLS verification failed for localhost:\d+: the server certificate is not signed by a trusted CA/,
      );
      assert.ok(!(refused.stderr + untrusted.stderr).includes(s16.password));
    } finally {
      wrongCa.cleanup();
    }
  });

  it('CLI (main): --help of the CLI lists rollback-report and postcheck', async () => {
    const r = await runMain(['--help']);
    assert.match(r.stdout, /rollback-report\s+before rolling back to the source/);
    assert.match(r.stdout, /postcheck\s+check an upgraded instance on its own/);
  });

  it('CLI (main): a bad --since is a usage error (exit 2, one line)', async () => {
    const r = await runMain(['rollback-report', '--since', 'yesterday'], {
      TJ_PG_SOURCE_URL: s13.url('tooljet', verifyFull(tls)),
      TJ_PG_TARGET_URL: s16.url('tooljet', verifyFull(tls)),
    });
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr.trim(),
      'tj-pg-upgrade rollback-report: --since must be a UTC time like 2026-07-01T22:00:00Z, got "yesterday"',
    );
  });
});
