// validate end to end on the ToolJet fixture (ToolJet database + ToolJet Database) and the edge fixture copied from a real 13.21 to a real
// 16.9, through the library and the CLI. A schema nobody here wrote (Northwind, from ../shared/datasets) is the opt-in
// dataset suite: northwind.dataset.ts (npm run test:datasets).
import { strict as assert } from 'assert';
import { CheckResult } from '../../../checks/report';
import { runValidate, ValidateResult } from '../../../checks/validate';
import { fixtureCounts, seedToolJetDatabase, seedToolJetFixture, TOOLJET_DB_NAMES } from '../../../lib/fixture';
import { EDGE_LARGE_OBJECTS as LO, seedEdgeFixture } from '../../../lib/fixture/edge';
import { connect, ConnectionTarget, resolveTarget, withDatabase } from '../../../lib/pg/connection';
import { copyDatabase, requireClientTool } from '../../../lib/pg/copy';
import { copyRoles } from '../../../lib/pg/roles';
import { LocalServer, makeTlsFixture, startServer, TlsFixture, verifyFull } from '../../helpers/servers';
import { runCli } from '../../cli/run-cli';

const TJDB = TOOLJET_DB_NAMES;
const COUNTS = fixtureCounts(2);
const PRODUCTS = `"${TJDB.schema}"."${TJDB.products}"`;

function find(r: ValidateResult, name: string, database?: string): CheckResult {
  const c = r.checks.find((x) => x.name === name && (database === undefined || x.database === database));
  assert.ok(c, `no check ${name} [${database}]: ${r.checks.map((x) => `${x.name} [${x.database}]`).join(', ')}`);
  return c;
}

function failures(r: ValidateResult): string[] {
  return r.checks
    .filter((c) => c.status === 'fail')
    .map((c) => `${c.name} [${c.database}]: ${c.detail} ${c.objects.join('; ')}`);
}

// The ToolJet fixture, and the edge fixture (lib/fixture/edge.ts: a schema deliberately unlike ToolJet's, with an
// index left invalid on the source), copied from 13.21 to 16.9 the way a dump/restore does (pg_dump 15 | psql, owners
// and grants kept, the roles created first with copyRoles).
describe('validate: ToolJet fixture and the edge fixture copied from 13.21 to 16.9', () => {
  let tls: TlsFixture;
  let s13: LocalServer;
  let s16: LocalServer;
  let src: ConnectionTarget;
  let tgt: ConnectionTarget;

  async function run(t: ConnectionTarget, ...statements: string[]): Promise<unknown[]> {
    const c = await connect(t);
    const out: unknown[] = [];
    try {
      for (const s of statements) out.push((await c.query(s)).rows);
    } finally {
      await c.end();
    }
    return out;
  }
  const validate = (db: string, extra: Partial<Parameters<typeof runValidate>[0]> = {}): Promise<ValidateResult> =>
    runValidate({ source: withDatabase(src, db), target: withDatabase(tgt, db), jobs: 2, ...extra });

  before(async () => {
    tls = makeTlsFixture();
    // autovacuum off: statistics must only appear when validate --analyze creates them
    [s13, s16] = await Promise.all([
      startServer(13, tls, { settings: { autovacuum: 'off' } }),
      startServer(16, tls, { settings: { autovacuum: 'off' } }),
    ]);
    src = resolveTarget(s13.url('postgres', verifyFull(tls)), { env: {} });
    tgt = resolveTarget(s16.url('postgres', verifyFull(tls)), { env: {} });
    await run(src, 'CREATE DATABASE tooljet', 'CREATE DATABASE tooljet_db', 'CREATE DATABASE edge');
    const a = await connect(withDatabase(src, 'tooljet'));
    const b = await connect(withDatabase(src, 'tooljet_db'));
    const e = await connect(withDatabase(src, 'edge'));
    try {
      await seedToolJetFixture(a, { sizeMb: 2 });
      await seedToolJetDatabase(b, { sizeMb: 2 });
      await seedEdgeFixture(e);
    } finally {
      await a.end();
      await b.end();
      await e.end();
    }
    // A failed CREATE INDEX CONCURRENTLY leaves an invalid index on the source; pg_dump does not carry it over.
    await assert.rejects(
      run(withDatabase(src, 'edge'), 'CREATE UNIQUE INDEX CONCURRENTLY tags_tag_unique ON audit.tags (tag)'),
      /could not create unique index/,
    );
    const roles = await copyRoles(src, tgt);
    assert.deepEqual(roles.created, ['fx_app', 'fx_owner', 'fx_reader']);
    assert.deepEqual(roles.memberships, ['fx_app -> fx_reader']);
    for (const db of ['tooljet', 'tooljet_db', 'edge']) await copyDatabase({ source: src, target: tgt, database: db });
  });
  after(async () => {
    await Promise.all([s13, s16].filter(Boolean).map((s) => s.stop()));
    tls.cleanup();
  });

  it('passes after the copy: ToolJet database and ToolJet Database, every check named', async () => {
    const xmax = async (): Promise<string> =>
      ((await run(src, 'SELECT txid_snapshot_xmax(txid_current_snapshot()) AS x'))[0] as { x: string }[])[0].x;
    const before = await xmax();
    const r = await validate('tooljet', { tooljetDb: 'tooljet_db' });
    assert.equal(await xmax(), before, 'validate must not write on the source (no transaction id consumed)');
    assert.deepEqual(failures(r), []);
    assert.equal(r.exitCode, 0);
    const tlsT = find(r, 'TLS (target)');
    assert.match(
      tlsT.detail,
      /TLSv1\.[23] \S+ \(\d+ bits, per pg_stat_ssl\); certificate "O=tj-pg-upgrade, CN=localhost" issued by/,
    );
    assert.match(tlsT.detail, /host name "localhost" checked \(verify-full\)/);
    assert.match(find(r, 'target version').detail, /PostgreSQL 16\.9 \(expected 16\.9\)/);
    for (const db of ['tooljet', 'tooljet_db']) {
      for (const name of [
        'schema: tables',
        'schema: columns (with types)',
        'schema: indexes',
        'schema: constraints',
        'schema: sequences',
        'schema: views',
        'schema: functions',
        'schema: extensions',
        'row counts',
        'content checksums',
        'sequence values',
        'ToolJet migrations',
      ]) {
        assert.equal(find(r, name, db).status, 'pass', `${name} [${db}]`);
      }
    }
    assert.match(find(r, 'row counts', 'tooljet').detail, /^15 tables, \d+ rows, equal on both sides$/);
    assert.match(
      find(r, 'ToolJet migrations', 'tooljet').detail,
      /^30 migrations identical, latest addUserDetailsTable1680156219906$/,
    );
    assert.equal(find(r, 'reachable (target)', 'tooljet_db').status, 'pass');
    // every worker of a side read the same exported snapshot
    assert.ok(r.databases.every((d) => d.snapshots.source && d.snapshots.target));
    assert.deepEqual(r.writes, []);
  });

  it('passes on a faithful copy of the edge fixture, owners, grants, policies and large objects included', async () => {
    const r = await validate('edge');
    assert.deepEqual(failures(r), []);
    assert.equal(r.exitCode, 0);
    assert.match(
      find(r, 'row counts', 'edge').detail,
      /^14 tables, 236 rows, equal on both sides; 1 materialized view/,
    );
    for (const name of ['roles', 'ownership', 'privileges', 'row-level security', 'large objects', 'schema: views'])
      assert.equal(find(r, name).status, 'pass', `${name}: ${find(r, name).detail}`);
    const idx = find(r, 'schema: indexes', 'edge');
    assert.equal(idx.status, 'warn');
    assert.deepEqual(idx.objects, ['invalid on source: audit.tags_tag_unique (not on the target)']);
  });

  // Each difference alone, planted in a copy of the faithful copy: validate exits 1 and the failing result names the
  // object (by its unambiguous name); nothing else fails but `also` (what the same change takes with it).
  const PLANTED: { what: string; sql: string[]; check: string; object: string; also?: string[] }[] = [
    {
      what: 'a revoked table grant',
      sql: ['REVOKE SELECT ON ledger.accounts FROM fx_app'],
      check: 'privileges',
      object: 'table ledger.accounts',
    },
    {
      what: 'a revoked schema grant',
      sql: ['REVOKE USAGE ON SCHEMA ledger FROM fx_reader'],
      check: 'privileges',
      object: 'schema ledger',
    },
    {
      what: 'lost default privileges',
      sql: ['ALTER DEFAULT PRIVILEGES FOR ROLE fx_owner IN SCHEMA ledger REVOKE SELECT ON TABLES FROM fx_reader'],
      check: 'privileges',
      object: 'default privileges of fx_owner in schema ledger on tables',
    },
    {
      what: 'another owner',
      sql: ['ALTER TABLE audit.events OWNER TO fx_app'],
      check: 'ownership',
      object: 'table audit.events',
    },
    {
      what: 'a dropped policy',
      sql: ['DROP POLICY accounts_region ON ledger.accounts'],
      check: 'row-level security',
      object: 'policy accounts_region on ledger.accounts',
      also: ['schema: comments'],
    },
    {
      what: 'RLS disabled',
      sql: ['ALTER TABLE ledger.accounts DISABLE ROW LEVEL SECURITY'],
      check: 'row-level security',
      object: 'table ledger.accounts',
    },
    {
      what: 'an unlinked large object',
      sql: [`SELECT lo_unlink(${LO.chunked})`],
      check: 'large objects',
      object: `large object ${LO.chunked}`,
    },
    {
      what: 'a changed byte in a large object',
      sql: [`SELECT lo_put(${LO.small}, 0, 'L')`],
      check: 'large objects',
      object: `large object ${LO.small}`,
    },
    {
      what: 'a changed view',
      sql: [
        'CREATE OR REPLACE VIEW ledger.positive_accounts WITH (check_option = cascaded) AS SELECT id, name, balance FROM ledger.accounts WHERE balance > 1',
      ],
      check: 'schema: views',
      object: 'ledger.positive_accounts',
    },
    {
      what: 'security_barrier off',
      sql: ['ALTER VIEW ledger.account_names SET (security_barrier = false)'],
      check: 'schema: views',
      object: 'ledger.account_names',
    },
    {
      what: 'NO INHERIT',
      sql: ['ALTER TABLE "Geo.Data".city NO INHERIT "Geo.Data".place'],
      check: 'schema: inheritance',
      object: '"Geo.Data".city inherits "Geo.Data".place',
    },
    {
      what: 'a dropped rule',
      sql: ['DROP RULE log_new_account ON ledger.accounts'],
      check: 'schema: rules',
      object: 'ledger.accounts rule log_new_account',
    },
    {
      what: 'a partition bound',
      sql: [
        'ALTER TABLE ledger.entries DETACH PARTITION ledger.entries_2024',
        `ALTER TABLE ledger.entries ATTACH PARTITION ledger.entries_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-02')`,
      ],
      check: 'schema: partitions',
      object: 'ledger.entries_2024',
    },
    {
      what: 'SECURITY DEFINER dropped',
      sql: ['ALTER FUNCTION ledger.transfer(int, int, numeric) SECURITY INVOKER'],
      check: 'schema: functions',
      object: 'ledger.transfer(',
    },
    {
      what: 'search_path reset',
      sql: ['ALTER FUNCTION ledger.transfer(int, int, numeric) RESET search_path'],
      check: 'schema: functions',
      object: 'ledger.transfer(',
    },
    {
      what: 'REPLICA IDENTITY',
      sql: ['ALTER TABLE audit.events REPLICA IDENTITY DEFAULT'],
      check: 'schema: replica identity',
      object: 'audit.events',
    },
    {
      what: 'a comment',
      sql: [`COMMENT ON TABLE ledger.accounts IS 'changed'`],
      check: 'schema: comments',
      object: 'table ledger.accounts',
    },
    {
      what: 'a storage option',
      sql: ['ALTER TABLE ledger.entries_2024 RESET (fillfactor)'],
      check: 'schema: storage options',
      object: 'ledger.entries_2024',
    },
    {
      what: 'an unlogged table made logged',
      sql: ['ALTER TABLE audit."session cache" SET LOGGED'],
      check: 'schema: tables',
      object: 'audit."session cache"',
    },
    {
      what: 'a changed row of a dotted name',
      sql: [`UPDATE "Geo"."Data.place" SET label = 'x'`],
      check: 'content checksums',
      object: '"Geo"."Data.place"',
    },
    {
      what: 'a deleted row',
      sql: [`DELETE FROM "résumé.v2"."Ärger.log" WHERE id = 2`],
      check: 'row counts',
      object: '"résumé.v2"."Ärger.log"',
    },
    {
      what: 'a row a forced policy hides',
      sql: [`UPDATE audit.tags SET tag = 'zz' WHERE event = 3`],
      check: 'content checksums',
      object: 'audit.tags',
    },
  ];

  for (const d of PLANTED) {
    it(`edge fixture, ${d.what}: exit 1, ${d.check} names ${d.object}`, async () => {
      await run(tgt, 'DROP DATABASE IF EXISTS edge_planted', 'CREATE DATABASE edge_planted TEMPLATE edge');
      await run(withDatabase(tgt, 'edge_planted'), ...d.sql);
      const r = await runValidate({
        source: withDatabase(src, 'edge'),
        target: withDatabase(tgt, 'edge_planted'),
        jobs: 2,
      });
      assert.equal(r.exitCode, 1);
      const failed = r.checks.filter((c) => c.status === 'fail');
      assert.ok(
        failed.some((c) => c.name === d.check && c.objects.some((o) => o.includes(d.object))),
        failed.map((c) => `${c.name}: ${c.objects.join('; ')}`).join('\n'),
      );
      // Only the check(s) about this object fail (a deleted row fails both row results; the dropped policy's comment
      // goes with it).
      const expected = [
        ...(d.check === 'row counts' ? ['content checksums', 'row counts'] : [d.check]),
        ...(d.also ?? []),
      ];
      assert.deepEqual(failed.map((c) => c.name).sort(), expected.sort());
    });
  }

  it('a ToolJet Database that does not exist is reported unreachable (exit 1), not a crash', async () => {
    const r = await validate('edge', { tooljetDb: 'no_such_tooljet_db' });
    const c = find(r, 'reachable (source)', 'no_such_tooljet_db');
    assert.equal(c.status, 'fail');
    assert.match(c.detail, /database "no_such_tooljet_db" does not exist at localhost:\d+/);
    assert.equal(r.exitCode, 1);
  });

  it('--analyze: statistics missing on the target are reported, then ANALYZE runs on the target only', async () => {
    const srcAnalyzed = async (): Promise<number> =>
      Number(
        (
          (
            await run(
              withDatabase(src, 'tooljet'),
              'SELECT coalesce(sum(analyze_count + autoanalyze_count), 0) AS n FROM pg_stat_user_tables',
            )
          )[0] as { n: string }[]
        )[0].n,
      );
    const before = await validate('tooljet');
    const stats = find(before, 'statistics', 'tooljet');
    assert.equal(stats.status, 'warn');
    assert.ok(stats.objects.includes('public.app_versions'));
    const analyzedBefore = await srcAnalyzed();
    const r = await validate('tooljet', { analyze: true });
    assert.equal(find(r, 'statistics', 'tooljet').status, 'pass');
    assert.ok(r.writes.includes('tooljet: ANALYZE public.app_versions on target'));
    assert.ok(r.writes.every((w) => /on target/.test(w)));
    assert.equal(await srcAnalyzed(), analyzedBefore, 'the source must not be analyzed');
    assert.equal(find(await validate('tooljet'), 'statistics', 'tooljet').status, 'pass');
  });

  it('--fix-sequences: a target sequence behind the source is named, then set to the source value', async () => {
    const seq = `"${TJDB.schema}"."${TJDB.orders}_id_seq"`; // names needing quotes are printed quoted
    // the source moves on after the copy (as with logical replication, which does not carry sequences)
    await run(
      withDatabase(src, 'tooljet_db'),
      `SELECT nextval('"${TJDB.schema}"."${TJDB.orders}_id_seq"') FROM generate_series(1, 3)`,
    );
    const lag = await validate('tooljet_db');
    const c = find(lag, 'sequence values', 'tooljet_db');
    assert.equal(c.status, 'fail');
    assert.equal(c.objects.length, 1);
    assert.match(
      c.objects[0],
      new RegExp(
        `^${seq.replace(/[.$]/g, '\\$&')}: target behind \\(would reuse ids\\): source last_value ${COUNTS.orders + 3}, target last_value ${COUNTS.orders}$`,
      ),
    );
    const fixed = await validate('tooljet_db', { fixSequences: true });
    assert.equal(find(fixed, 'sequence values', 'tooljet_db').status, 'warn');
    assert.deepEqual(fixed.writes, [
      `tooljet_db: setval('${seq}', ${COUNTS.orders + 3}, true) on target (was last_value ${COUNTS.orders})`,
    ]);
    assert.equal(find(await validate('tooljet_db'), 'sequence values', 'tooljet_db').status, 'pass');
  });

  it('CLI: exit 0 on a faithful copy with URLs passed in the environment; a wrong expected version fails', async () => {
    const [ok, wrongVersion] = await Promise.all([
      runCli(['validate', '--quiet'], {
        TJ_PG_SOURCE_URL: s13.url('edge', verifyFull(tls)),
        TJ_PG_TARGET_URL: s16.url('edge', verifyFull(tls)),
      }),
      runCli([
        'validate',
        '--expect-version',
        '16.4',
        '--source',
        s13.url('tooljet_db', verifyFull(tls)),
        '--target',
        s16.url('tooljet_db', verifyFull(tls)),
      ]),
    ]);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /PASS\s+content checksums \[edge\]\s+14 tables identical in content/);
    assert.equal(wrongVersion.code, 1);
    assert.match(wrongVersion.stdout, /FAIL\s+target version\s+target runs PostgreSQL 16\.9, expected 16\.4/);
    for (const out of [ok.stdout, ok.stderr, wrongVersion.stdout, wrongVersion.stderr]) {
      assert.ok(!out.includes(s13.password) && !out.includes(s16.password), 'password printed');
    }
  });

  it('catches and names a changed and an inserted row, a bumped sequence and a dropped index on the target', async () => {
    await run(
      withDatabase(tgt, 'tooljet'),
      `UPDATE users SET first_name = 'Mallory' WHERE email = 'user7@example.com'`,
      `SELECT setval('public.migrations_id_seq', 500)`,
      'DROP INDEX public.apps_organization_id_idx',
    );
    await run(withDatabase(tgt, 'tooljet_db'), `INSERT INTO ${PRODUCTS} (name, price) VALUES ('Injected', 1.00)`);

    const r = await validate('tooljet', { tooljetDb: 'tooljet_db' });
    assert.equal(r.exitCode, 1);
    const content = find(r, 'content checksums', 'tooljet');
    assert.equal(content.status, 'fail');
    assert.deepEqual(content.objects, [
      `public.users: content differs (same row count ${COUNTS.users}: a row was changed)`,
    ]);
    assert.equal(find(r, 'row counts', 'tooljet').status, 'pass');
    assert.deepEqual(find(r, 'schema: indexes', 'tooljet').objects, [
      'missing on target: public.apps_organization_id_idx',
    ]);
    const seq = find(r, 'sequence values', 'tooljet');
    assert.deepEqual(seq.objects, [
      'public.migrations_id_seq: target ahead: source last_value 30, target last_value 500',
    ]);
    const inserted = find(r, 'row counts', 'tooljet_db');
    assert.deepEqual(inserted.objects, [
      `"${TJDB.schema}"."${TJDB.products}": source ${COUNTS.products} rows, target ${COUNTS.products + 1} (+1)`,
    ]);

    // the real CLI says the same, with exit code 1
    const cli = await runCli([
      'validate',
      '--json',
      '--source',
      s13.url('tooljet', verifyFull(tls)),
      '--target',
      s16.url('tooljet', verifyFull(tls)),
      '--tooljet-db',
      'tooljet_db',
    ]);
    assert.equal(cli.code, 1, cli.stderr);
    const doc = JSON.parse(cli.stdout);
    assert.equal(doc.ok, false);
    const names = doc.checks
      .filter((c: CheckResult) => c.status === 'fail')
      .map((c: CheckResult) => `${c.name} [${c.database}]`);
    assert.deepEqual(names.sort(), [
      'content checksums [tooljet]',
      'content checksums [tooljet_db]',
      'row counts [tooljet_db]',
      'schema: indexes [tooljet]',
      'sequence values [tooljet]',
      'sequence values [tooljet_db]',
    ]);
  });

  it('copyDatabase refuses a non-empty target, a 16 source (pg_dump 15), and says how to install missing tools', async () => {
    await assert.rejects(
      copyDatabase({ source: src, target: tgt, database: 'edge' }),
      /target database "edge" on localhost:\d+ is not empty/,
    );
    await run(tgt, 'CREATE DATABASE empty16');
    await assert.rejects(
      copyDatabase({ source: tgt, target: src, database: 'empty16' }),
      /pg_dump of .* failed \(exit 1\): .*server version mismatch/,
    );
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      assert.throws(
        () => requireClientTool('pg_dump'),
        /pg_dump not found on PATH: install the PostgreSQL client tools \(Debian\/Ubuntu: apt-get install postgresql-client\)/,
      );
    } finally {
      process.env.PATH = saved;
    }
  });
});
