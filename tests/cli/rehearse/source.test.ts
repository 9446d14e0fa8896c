// `tj-pg-upgrade rehearse --source` against a separately started PostgreSQL 13.21 holding a schema unlike ToolJet's
// (the edge fixture, lib/fixture/edge.ts: several schemas, dotted and non-ASCII names, partitions, inheritance, RLS,
// large objects, owners other than the superuser, grants): dump/restore onto the local 16.9, validated, owners and
// grants kept, and the source only ever read. Then a precheck blocker planted in it stops the rehearsal with exit 1
// and is named. (It used Northwind from ../shared/datasets before, which a clone of the repository does not have.)
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as util from 'util';
import { Client } from 'pg';
import { connect, ConnectionTarget, resolveTarget, withDatabase } from '../../../lib/pg/connection';
import { EDGE_LARGE_OBJECTS, seedEdgeFixture } from '../../../lib/fixture/edge';
import type { RehearsalReport } from '../../../cli/rehearse';
import { LocalServer, makeTlsFixture, startServer, TlsFixture, verifyFull } from '../../helpers/servers';
import { leftovers, processesMentioning, runRehearse, scratch } from './helpers';

describe('rehearse --source: a PostgreSQL 13.21 the test built (the edge fixture), by dump/restore', () => {
  let tls: TlsFixture;
  let server: LocalServer;
  let admin: ConnectionTarget;
  const box = scratch();
  /** The source URL without the password (it travels in PGPASSWORD, as the help recommends). */
  let sourceUrl: string;
  const counts = new Map<string, number | undefined>();

  async function on<T>(db: string, fn: (c: Client) => Promise<T>): Promise<T> {
    const c = await connect(withDatabase(admin, db));
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  }
  const xmax = (): Promise<string> =>
    on('edge', async (c) => (await c.query('SELECT txid_snapshot_xmax(txid_current_snapshot())::text AS x')).rows[0].x);

  before(async function () {
    this.timeout(120_000);
    tls = makeTlsFixture();
    server = await startServer(13, tls, { user: 'edge_owner' });
    admin = resolveTarget(server.url('postgres', verifyFull(tls)), { env: {} });
    await on('postgres', (c) => c.query('CREATE DATABASE edge'));
    await on('edge', async (c) => {
      await seedEdgeFixture(c);
      // Every table holding rows of its own and every materialized view, named as validate names them (a name part
      // that needs quotes is quoted); an unpopulated materialized view has no rows to count.
      const tables = (
        await c.query<{ name: string; populated: boolean }>(
          `SELECT CASE WHEN n.nspname ~ '^[a-z_][a-z0-9_]*$' THEN n.nspname ELSE quote_ident(n.nspname) END || '.' ||
                  CASE WHEN c.relname ~ '^[a-z_][a-z0-9_]*$' THEN c.relname ELSE quote_ident(c.relname) END AS name,
                  c.relispopulated AS populated
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE c.relkind IN ('r', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast'`,
        )
      ).rows;
      for (const t of tables)
        counts.set(
          t.name,
          t.populated ? Number((await c.query(`SELECT count(*) AS n FROM ONLY ${t.name}`)).rows[0].n) : undefined,
        );
    });
    sourceUrl = server.url('edge', verifyFull(tls)).replace(/:[^:@/]*@/, '@');
    assert.ok(!sourceUrl.includes(server.password));
  });
  after(async () => {
    await server?.stop();
    tls?.cleanup();
    box.cleanup();
  });

  it('copies, validates and renders a schema nobody here wrote; the source is only read; --keep leaves the clone running', async function () {
    this.timeout(120_000);
    assert.ok(counts.size >= 13 && counts.get('ledger.entries_2023')! > 10, JSON.stringify([...counts]));
    const out = path.join(box.dir, 'edge');
    const before = await xmax();
    const run = await runRehearse(['--source', sourceUrl, '--out', out, '--json', '--keep'], {
      env: { PGPASSWORD: server.password },
      tmpdir: box.tmp,
    });
    assert.equal(run.code, 0, run.stderr + run.stdout.slice(0, 3000));
    const report: RehearsalReport = JSON.parse(run.stdout);
    assert.deepEqual(
      JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8')).tables,
      report.tables,
      '--json prints results.json',
    );
    assert.equal(await xmax(), before, 'the rehearsal wrote nothing on the source (no transaction id consumed)');
    assert.equal(
      await on('edge', async (c) => Number((await c.query('SELECT count(*) AS n FROM pg_publication')).rows[0].n)),
      0,
    );
    assert.equal(
      await on('postgres', async (c) =>
        Number((await c.query('SELECT count(*) AS n FROM pg_replication_slots')).rows[0].n),
      ),
      0,
    );

    assert.equal(report.ok, true, JSON.stringify(report.failures));
    assert.equal(report.recommendation, 'Proceed');
    assert.equal(report.source.kind, 'url');
    assert.equal(report.source.version, '13.21');
    assert.equal(report.method.name, 'dump/restore');
    assert.equal(report.cutover.measured, false);
    assert.equal(report.phases.find((p) => p.name === 'cutover')!.status, 'skipped');
    assert.deepEqual(report.source.databases, ['edge']);
    assert.equal(report.source.tooljetDatabase, undefined);
    assert.ok(
      !report.source.display.includes(server.password) &&
        !run.stdout.includes(server.password) &&
        !run.stderr.includes(server.password),
    );

    // Every table of the fixture, with the row count the test counted itself, identical on the clone.
    const tables = report.tables.filter((t) => t.database === 'edge');
    assert.deepEqual(tables.map((t) => t.table).sort(), [...counts.keys()].sort());
    assert.equal(counts.get('audit.never_refreshed'), undefined);
    for (const t of tables) {
      assert.equal(t.sourceRows, counts.get(t.table), t.table);
      assert.equal(t.cloneRows, counts.get(t.table), t.table);
      // A materialized view populated on neither side has nothing to compare (validate passes it).
      assert.equal(t.identical, counts.get(t.table) === undefined ? undefined : true, t.table);
    }
    // The source's roles were created on the clone first, so the copy kept every owner and grant, and validate
    // compared them (before issue 11 the copy ran with --no-owner --no-privileges and still said "Proceed").
    const roles = report.phases.flatMap((p) => p.checks).find((c) => c.name === 'roles')!;
    assert.equal(roles.status, 'pass', roles.detail);
    for (const r of ['fx_owner', 'fx_app', 'fx_reader']) assert.ok(roles.objects.includes(`created: ${r}`), r);
    const validate = report.phases.find((p) => p.name === 'validate')!;
    for (const name of ['ownership', 'privileges', 'row-level security', 'large objects'])
      assert.ok(
        validate.checks.some((c) => c.name === name && c.status !== 'fail'),
        `${name}: ${JSON.stringify(validate.checks.find((c) => c.name === name))}`,
      );
    assert.ok(
      validate.checks.some(
        (c) => c.name === 'statistics' && c.status === 'pass' && /--analyze ran ANALYZE/.test(c.detail),
      ),
    );

    // ToolJet's connection: the clone has no ToolJet Database yet, ToolJet's createdb step makes it, then both connect.
    const tooljet = report.phases.find((p) => p.name === 'tooljet')!;
    assert.match(
      tooljet.checks.find((c) => c.name === 'ToolJet database setup (createdb)')!.detail,
      /edge: exists; tooljet_db: created/,
    );
    assert.equal(tooljet.status, 'pass');
    // The clone is named after the source's user, as an RDS clone keeps it; the rollback points at the source server.
    const env = util.parseEnv(fs.readFileSync(path.join(out, 'docker/.env'), 'utf8')) as Record<string, string>;
    assert.equal(env.PG_USER, 'edge_owner');
    assert.equal(env.PG_DB, 'edge');
    assert.deepEqual(report.rollback!.problems, []);
    assert.equal(report.rollback!.to, `localhost:${server.port}`);
    assert.match(
      fs.readFileSync(path.join(out, 'results.md'), 'utf8'),
      /Cutover not measured: dump\/restore of a read-only --source/,
    );

    // --keep: the clone still runs after the CLI exited; it answers with the .env's password and holds the data.
    const kept = report.kept!;
    const clone = kept.servers.find((s) => s.role === 'clone')!;
    assert.ok(clone && fs.existsSync(kept.workDir));
    try {
      process.kill(clone.pid, 0);
      const c = new Client({
        host: 'localhost',
        port: Number(env.PG_PORT),
        user: env.PG_USER,
        password: env.PG_PASS,
        database: 'edge',
        ssl: {
          ca: fs.readFileSync(path.join(out, 'docker/certs/global-bundle.pem'), 'utf8'),
          rejectUnauthorized: true,
        },
      });
      await c.connect();
      assert.equal(
        Number((await c.query('SELECT count(*) AS n FROM ONLY ledger.entries_2023')).rows[0].n),
        counts.get('ledger.entries_2023'),
      );
      const owned = (
        await c.query(
          `SELECT (SELECT tableowner FROM pg_tables WHERE schemaname = 'audit' AND tablename = 'events') AS owner,
                  has_table_privilege('fx_app', 'ledger.accounts', 'INSERT') AS app,
                  has_column_privilege('fx_reader', 'ledger.accounts', 'name', 'SELECT') AS reader,
                  (SELECT lomowner::regrole::text FROM pg_largeobject_metadata WHERE oid = ${EDGE_LARGE_OBJECTS.small}) AS lo`,
        )
      ).rows[0];
      assert.deepEqual(owned, { owner: 'fx_owner', app: true, reader: true, lo: 'fx_owner' });
      await c.end();
    } finally {
      process.kill(clone.pid, 'SIGINT');
      for (let i = 0; i < 100 && processesMentioning(kept.workDir).length; i++)
        await new Promise((r) => setTimeout(r, 100));
      fs.rmSync(kept.workDir, { recursive: true, force: true });
    }
    assert.deepEqual(processesMentioning(box.tmp), []);
  });

  it('stops at a precheck blocker (a regprocedure column) with exit 1, names it, and starts no clone', async function () {
    this.timeout(60_000);
    await on('edge', (c) =>
      c.query(
        `CREATE TABLE public.handlers (id int PRIMARY KEY, fn regprocedure); INSERT INTO public.handlers VALUES (1, 'now()')`,
      ),
    );
    try {
      const out = path.join(box.dir, 'blocked');
      const run = await runRehearse(['--source', sourceUrl, '--out', out], {
        env: { PGPASSWORD: server.password },
        tmpdir: box.tmp,
      });
      assert.equal(run.code, 1, run.stderr + run.stdout);
      assert.match(run.stdout, /^Rehearsal FAILED: .*Recommended production upgrade: Needs fixes$/m);
      assert.match(run.stdout, /^Blockers:\n {2}- reg\* data types: edge: public\.handlers\.fn \(regprocedure\)$/m);
      assert.match(run.stderr, /2\/9 precheck: FAILED in .*reg\* data types/);
      const report: RehearsalReport = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8'));
      assert.deepEqual(report.blockers, ['reg* data types: edge: public.handlers.fn (regprocedure)']);
      assert.deepEqual(
        report.phases.filter((p) => p.status === 'skipped').map((p) => p.name),
        ['clone', 'cutover', 'validate', 'configs', 'tooljet', 'rollback'],
      );
      assert.equal(report.clone.endpoint, undefined, 'no clone was started');
      const md = fs.readFileSync(path.join(out, 'results.md'), 'utf8');
      assert.match(md, /^## Recommended Production Upgrade: ❌ Needs fixes$/m);
      assert.match(md, /^- ❌ Blocker: reg\* data types: edge: public\.handlers\.fn \(regprocedure\)$/m);
      assert.ok(
        !fs.existsSync(path.join(out, 'docker')),
        'no configuration rendered for a source that cannot be upgraded',
      );
      assert.deepEqual(leftovers(box.tmp), []);
    } finally {
      await on('edge', (c) => c.query('DROP TABLE public.handlers'));
    }
  });
});
