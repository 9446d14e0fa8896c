// Dataset suite (npm run test:datasets; not part of npm test): `tj-pg-upgrade rehearse --source` against a separately
// started PostgreSQL 13.21 holding a schema nobody here wrote (Northwind, loaded with psql from ../shared/datasets): dump/restore onto the local 16.9, validated, and the source
// only ever read. Then a precheck blocker planted in it stops the rehearsal with exit 1 and is named.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as util from 'util';
import { Client } from 'pg';
import { connect, ConnectionTarget, resolveTarget, withDatabase } from '../../../lib/pg/connection';
import { runSqlFile } from '../../../lib/pg/copy';
import type { RehearsalReport } from '../../../cli/rehearse';
import { LocalServer, makeTlsFixture, startServer, TlsFixture, verifyFull } from '../../helpers/servers';
import { datasetFile } from '../../helpers/datasets';
import { leftovers, processesMentioning, runRehearse, scratch } from './helpers';

describe('rehearse --source: a PostgreSQL 13.21 the test built (Northwind), by dump/restore', () => {
  let tls: TlsFixture;
  let server: LocalServer;
  let admin: ConnectionTarget;
  const box = scratch();
  /** The source URL without the password (it travels in PGPASSWORD, as the help recommends). */
  let sourceUrl: string;
  const counts = new Map<string, number>();

  async function on<T>(db: string, fn: (c: Client) => Promise<T>): Promise<T> {
    const c = await connect(withDatabase(admin, db));
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  }
  const xmax = (): Promise<string> =>
    on(
      'northwind',
      async (c) => (await c.query('SELECT txid_snapshot_xmax(txid_current_snapshot())::text AS x')).rows[0].x,
    );

  before(async function () {
    this.timeout(120_000);
    const northwind = datasetFile('northwind.sql');
    tls = makeTlsFixture();
    server = await startServer(13, tls, { user: 'northwind_owner' });
    admin = resolveTarget(server.url('postgres', verifyFull(tls)), { env: {} });
    await on('postgres', (c) => c.query('CREATE DATABASE northwind'));
    await runSqlFile({ target: admin, database: 'northwind', file: northwind });
    await on('northwind', async (c) => {
      const tables = (
        await c.query(
          `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
        )
      ).rows;
      for (const t of tables)
        counts.set(
          `public.${t.table_name}`,
          Number((await c.query(`SELECT count(*) AS n FROM public."${t.table_name}"`)).rows[0].n),
        );
    });
    sourceUrl = server.url('northwind', verifyFull(tls)).replace(/:[^:@/]*@/, '@');
    assert.ok(!sourceUrl.includes(server.password));
  });
  after(async () => {
    await server?.stop();
    tls?.cleanup();
    box.cleanup();
  });

  it('copies, validates and renders a schema nobody here wrote; the source is only read; --keep leaves the clone running', async function () {
    this.timeout(120_000);
    assert.ok(counts.size >= 13 && counts.get('public.orders')! > 100, JSON.stringify([...counts]));
    const out = path.join(box.dir, 'northwind');
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
      await on('northwind', async (c) => Number((await c.query('SELECT count(*) AS n FROM pg_publication')).rows[0].n)),
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
    assert.deepEqual(report.source.databases, ['northwind']);
    assert.equal(report.source.tooljetDatabase, undefined);
    assert.ok(
      !report.source.display.includes(server.password) &&
        !run.stdout.includes(server.password) &&
        !run.stderr.includes(server.password),
    );

    // Every Northwind table, with the row count the test counted itself, identical on the clone.
    const tables = report.tables.filter((t) => t.database === 'northwind');
    assert.deepEqual(tables.map((t) => t.table).sort(), [...counts.keys()].sort());
    for (const t of tables) {
      assert.equal(t.sourceRows, counts.get(t.table), t.table);
      assert.equal(t.cloneRows, counts.get(t.table), t.table);
      assert.equal(t.identical, true, t.table);
    }
    const validate = report.phases.find((p) => p.name === 'validate')!;
    assert.ok(
      validate.checks.some(
        (c) => c.name === 'statistics' && c.status === 'pass' && /--analyze ran ANALYZE/.test(c.detail),
      ),
    );

    // ToolJet's connection: the clone has no ToolJet Database yet, ToolJet's createdb step makes it, then both connect.
    const tooljet = report.phases.find((p) => p.name === 'tooljet')!;
    assert.match(
      tooljet.checks.find((c) => c.name === 'ToolJet database setup (createdb)')!.detail,
      /northwind: exists; tooljet_db: created/,
    );
    assert.equal(tooljet.status, 'pass');
    // The clone is named after the source's user, as an RDS clone keeps it; the rollback points at the source server.
    const env = util.parseEnv(fs.readFileSync(path.join(out, 'docker/.env'), 'utf8')) as Record<string, string>;
    assert.equal(env.PG_USER, 'northwind_owner');
    assert.equal(env.PG_DB, 'northwind');
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
        database: 'northwind',
        ssl: {
          ca: fs.readFileSync(path.join(out, 'docker/certs/global-bundle.pem'), 'utf8'),
          rejectUnauthorized: true,
        },
      });
      await c.connect();
      assert.equal(
        Number((await c.query('SELECT count(*) AS n FROM public.orders')).rows[0].n),
        counts.get('public.orders'),
      );
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
    await on('northwind', (c) =>
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
      assert.match(
        run.stdout,
        /^Blockers:\n {2}- reg\* data types: northwind: public\.handlers\.fn \(regprocedure\)$/m,
      );
      assert.match(run.stderr, /2\/9 precheck: FAILED in .*reg\* data types/);
      const report: RehearsalReport = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8'));
      assert.deepEqual(report.blockers, ['reg* data types: northwind: public.handlers.fn (regprocedure)']);
      assert.deepEqual(
        report.phases.filter((p) => p.status === 'skipped').map((p) => p.name),
        ['clone', 'cutover', 'validate', 'configs', 'tooljet', 'rollback'],
      );
      assert.equal(report.clone.endpoint, undefined, 'no clone was started');
      const md = fs.readFileSync(path.join(out, 'results.md'), 'utf8');
      assert.match(md, /^## Recommended Production Upgrade: ❌ Needs fixes$/m);
      assert.match(md, /^- ❌ Blocker: reg\* data types: northwind: public\.handlers\.fn \(regprocedure\)$/m);
      assert.ok(
        !fs.existsSync(path.join(out, 'docker')),
        'no configuration rendered for a source that cannot be upgraded',
      );
      assert.deepEqual(leftovers(box.tmp), []);
    } finally {
      await on('northwind', (c) => c.query('DROP TABLE public.handlers'));
    }
  });
});
