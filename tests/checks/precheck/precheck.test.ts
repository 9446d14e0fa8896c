import { strict as assert } from 'assert';
import * as fs from 'fs';
import { Client } from 'pg';
import { runPrecheck, PrecheckResult } from '../../../checks/precheck';
import { classifyExtensions } from '../../../checks/precheck/extensions';
import { PRECHECK_CHECKS } from '../../../checks/precheck/list';
import { CheckResult } from '../../../checks/report';
import { LocalServer, makeTlsFixture, startServer, TlsFixture, verifyFull } from '../../helpers/servers';
import { runCli } from '../../cli/run-cli';

function byName(r: { checks: CheckResult[] }, name: string): CheckResult {
  const c = r.checks.find((x) => x.name === name);
  assert.ok(c, `no check named ${name}: ${r.checks.map((x) => x.name).join(', ')}`);
  return c;
}

describe('precheck: every 13 -> 16 blocker on a real PostgreSQL 13.21', () => {
  let tls: TlsFixture;
  let blocked: LocalServer; // wal_level=logical, prepared transactions allowed, full of blockers
  let clean: LocalServer; // an ordinary cluster
  let result: PrecheckResult;

  async function sql(server: LocalServer, db: string, ...statements: string[]): Promise<void> {
    const c = new Client({
      connectionString: server.url(db),
      ssl: { ca: fs.readFileSync(tls.ca.certFile, 'utf8'), rejectUnauthorized: true },
    });
    await c.connect();
    try {
      for (const s of statements) await c.query(s);
    } finally {
      await c.end();
    }
  }

  before(async () => {
    tls = makeTlsFixture();
    [blocked, clean] = await Promise.all([
      startServer(13, tls, {
        settings: {
          wal_level: 'logical',
          max_prepared_transactions: '5',
          max_wal_senders: '5',
          max_replication_slots: '5',
          autovacuum: 'off',
        },
      }),
      startServer(13, tls),
    ]);
    await sql(
      blocked,
      'postgres',
      'CREATE DATABASE app',
      'CREATE DATABASE second',
      'CREATE DATABASE locked',
      'CREATE DATABASE broken',
    );
    await sql(
      blocked,
      'app',
      // reg* through a domain, and through a range; an index column of a reg* type
      'CREATE DOMAIN proc_ref AS regprocedure',
      'CREATE TABLE hooks (id int, handler proc_ref)',
      'CREATE TYPE ns_range AS RANGE (subtype = regnamespace)',
      'CREATE TABLE ranges (r ns_range)',
      'CREATE TABLE ops (id int, op regoperator)',
      'CREATE INDEX ops_op_idx ON ops (op)',
      // aclitem in an array and inside a composite type
      'CREATE TABLE grants_copy (id int, acl aclitem[])',
      'CREATE TYPE acl_holder AS (who text, acl aclitem)',
      'CREATE TABLE wrapped (id int, h acl_holder)',
      // a system composite type as a column
      'CREATE TABLE lock_snapshots (taken timestamptz, l pg_catalog.pg_locks)',
      // postfix operator (removed in 14), user encoding conversion, aggregate on array_append(anyarray, anyelement)
      `CREATE FUNCTION bang(bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS 'SELECT $1'`,
      'CREATE OPERATOR !!! (LEFTARG = bigint, FUNCTION = bang)',
      `CREATE CONVERSION latin1_to_utf8_custom FOR 'LATIN1' TO 'UTF8' FROM iso8859_1_to_utf8`,
      `CREATE AGGREGATE array_accum(anyelement) (SFUNC = array_append, STYPE = anyarray, INITCOND = '{}')`,
      // views on pg_stat_activity, directly and through another view
      'CREATE VIEW busy_sessions AS SELECT pid, state, query FROM pg_stat_activity',
      'CREATE VIEW busy_count AS SELECT count(*) AS n FROM busy_sessions',
      // a large object (counted, below the warning threshold)
      `SELECT lo_from_bytea(0, 'hello')`,
    );
    // a blocker in a second database proves per-database checks run in every database
    await sql(blocked, 'second', 'CREATE TABLE legacy (id int, fn regproc)', `CREATE EXTENSION citext VERSION '1.4'`);
    await sql(blocked, 'app', `SELECT pg_create_logical_replication_slot('ready_for_cdc', 'pgoutput')`);
    await sql(blocked, 'app', 'BEGIN', 'CREATE TABLE half_done (x int)', `PREPARE TRANSACTION 'pay-2024-0001'`);
    await sql(
      blocked,
      'postgres',
      'ALTER DATABASE locked ALLOW_CONNECTIONS false',
      `UPDATE pg_database SET datconnlimit = -2 WHERE datname = 'broken'`,
    );
    await sql(clean, 'postgres', 'CREATE DATABASE tooljet');
    await sql(
      clean,
      'tooljet',
      'CREATE EXTENSION "uuid-ossp"',
      'CREATE TABLE apps (id uuid PRIMARY KEY DEFAULT uuid_generate_v4(), name text, acl_text text, fn regclass)',
    );

    result = await runPrecheck({ source: blocked.url('postgres', verifyFull(tls)), env: {} });
  });
  after(async () => {
    await Promise.all([blocked, clean].filter(Boolean).map((s) => s.stop()));
    tls.cleanup();
  });

  it('reports reg* columns followed through domains, ranges and indexes, in every database', () => {
    const c = byName(result, 'reg* data types');
    assert.equal(c.status, 'fail');
    assert.deepEqual(c.objects, [
      'app: public.hooks.handler (proc_ref)',
      'app: public.ops.op (regoperator)',
      'app: public.ops_op_idx.op (regoperator, in index)',
      'app: public.ranges.r (ns_range)',
      'second: public.legacy.fn (regproc)',
    ]);
    assert.match(c.detail, /ALTER TABLE/);
  });

  it('reports aclitem in an array and inside a composite type', () => {
    const c = byName(result, 'aclitem data type');
    assert.equal(c.status, 'fail');
    assert.deepEqual(c.objects, ['app: public.grants_copy.acl (aclitem[])', 'app: public.wrapped.h (acl_holder)']);
  });

  it('reports system composite type columns', () => {
    assert.deepEqual(byName(result, 'system composite types').objects, ['app: public.lock_snapshots.l (pg_locks)']);
  });

  it('reports the postfix operator, the encoding conversion and the polymorphic aggregate', () => {
    assert.deepEqual(byName(result, 'postfix operators').objects, ['app: operator public.!!! (bigint, NONE)']);
    const conv = byName(result, 'encoding conversions');
    assert.equal(conv.objects.length, 1);
    assert.match(conv.objects[0], /^app: public\.latin1_to_utf8_custom \(LATIN1 -> UTF8, function iso8859_1_to_utf8\(/);
    assert.deepEqual(byName(result, 'polymorphic functions').objects, [
      'app: aggregate array_accum(anyelement) (uses array_append(anyarray,anyelement))',
    ]);
  });

  it('reports views on pg_stat_activity, also through another view', () => {
    assert.deepEqual(byName(result, 'views on pg_stat_activity').objects, [
      'app: view public.busy_count',
      'app: view public.busy_sessions',
    ]);
  });

  it('reports cluster-wide blockers once, saying where: slot, prepared transaction, datallowconn, invalid database', () => {
    assert.deepEqual(byName(result, 'logical replication slots').objects, [
      'slot ready_for_cdc (logical, plugin pgoutput, database app)',
    ]);
    const px = byName(result, 'prepared transactions');
    assert.equal(px.objects.length, 1);
    assert.match(px.objects[0], /^gid 'pay-2024-0001' in database app \(owner postgres, prepared \d{4}-\d\d-\d\d /);
    assert.match(px.detail, /COMMIT PREPARED/);
    assert.deepEqual(byName(result, 'database connection settings').objects, [
      'database locked does not allow connections',
    ]);
    assert.deepEqual(byName(result, 'invalid databases').objects, ['database broken']);
  });

  it('one result per entry of the list, in its order: source version, extensions, the databases checked', () => {
    assert.deepEqual(
      result.checks.map((c) => c.name),
      PRECHECK_CHECKS.map((c) => c.name),
    );
    assert.match(byName(result, 'source version').detail, /^PostgreSQL 13\.21\b.*: checks for an upgrade 13 -> 16$/);
    assert.equal(byName(result, 'unsupported extensions').detail, 'no unsupported extensions');
    assert.equal(byName(result, 'PostGIS extensions').detail, 'no PostGIS-family extensions');
    const upd = byName(result, 'extension updates');
    assert.equal(upd.status, 'warn');
    assert.deepEqual(upd.objects, ['second: citext 1.4 -> 1.6 (ALTER EXTENSION "citext" UPDATE after the upgrade)']);
    const dbs = byName(result, 'databases checked');
    assert.equal(dbs.status, 'pass', 'a database refusing connections or left invalid is reported by its own blocker');
    assert.equal(dbs.detail, 'checked 4 database(s)');
    assert.ok(
      dbs.objects.includes('not checked: locked (datallowconn = false)') &&
        dbs.objects.includes('not checked: broken (invalid database (interrupted DROP DATABASE))'),
      dbs.objects.join('; '),
    );
  });

  it('checked every connectable database and says which it skipped and why', () => {
    assert.deepEqual(result.databases.checked.sort(), ['app', 'postgres', 'second', 'template1']);
    assert.deepEqual(result.databases.skipped.map((s) => s.name).sort(), ['broken', 'locked']);
    assert.equal(result.exitCode, 1);
  });

  it('warns (does not fail) about public schema privileges and counts large objects', () => {
    assert.equal(byName(result, 'public schema privileges').status, 'warn');
    assert.ok(
      byName(result, 'public schema privileges').objects.includes(
        'app: schema public (owner postgres) lets PUBLIC create',
      ),
    );
    const lo = byName(result, 'large objects');
    assert.equal(lo.status, 'pass');
    assert.deepEqual(lo.objects, ['app: 1 large objects']);
  });

  it('a clean cluster has no blocker: exit code 0 (warnings allowed)', async () => {
    const r = await runPrecheck({
      source: clean.url('postgres', verifyFull(tls)),
      env: {},
      largeObjectWarnThreshold: 1,
    });
    const failed = r.checks.filter((c) => c.status === 'fail');
    assert.deepEqual(failed, []);
    assert.equal(r.exitCode, 0);
    assert.deepEqual(r.databases.checked.sort(), ['postgres', 'template1', 'tooljet']);
    assert.ok(r.checks.filter((c) => c.status === 'warn').every((c) => c.name === 'public schema privileges'));
  });

  it('runs read-only: the source does not change (no writes, prepared transaction and slot untouched)', async () => {
    const c = new Client({
      connectionString: blocked.url('app'),
      ssl: { ca: fs.readFileSync(tls.ca.certFile, 'utf8'), rejectUnauthorized: true },
    });
    await c.connect();
    const before = (
      await c.query(
        `SELECT (SELECT count(*) FROM pg_prepared_xacts) AS px, (SELECT count(*) FROM pg_replication_slots) AS slots`,
      )
    ).rows[0];
    const xid0 = (await c.query('SELECT txid_snapshot_xmax(txid_current_snapshot()) AS x')).rows[0].x;
    await runPrecheck({ source: blocked.url('app', verifyFull(tls)), env: {} });
    const xid1 = (await c.query('SELECT txid_snapshot_xmax(txid_current_snapshot()) AS x')).rows[0].x;
    await c.end();
    assert.equal(before.px, '1');
    assert.equal(before.slots, '1');
    assert.equal(xid1, xid0, 'precheck must not consume a transaction id (it never writes)');
  });

  it('CLI: --json lists every check with its objects; blockers give exit 1, a clean cluster exit 0', async () => {
    const [bad, good] = await Promise.all([
      runCli(['precheck', '--json', '--source', blocked.url('postgres', verifyFull(tls))]),
      runCli(['precheck', '--source', clean.url('postgres', verifyFull(tls))]),
    ]);
    assert.equal(bad.code, 1, bad.stderr);
    const doc = JSON.parse(bad.stdout);
    assert.equal(doc.command, 'precheck');
    assert.equal(doc.ok, false);
    for (const c of doc.checks) assert.deepEqual(Object.keys(c).sort(), ['detail', 'name', 'objects', 'status']);
    assert.ok(
      doc.checks
        .find((c: CheckResult) => c.name === 'reg* data types')
        .objects.includes('second: public.legacy.fn (regproc)'),
    );
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stdout, /STATUS\s+CHECK\s+DETAIL/);
    assert.match(good.stdout, /PASS\s+reg\* data types/);
    assert.ok(!good.stdout.includes(clean.password) && !bad.stdout.includes(blocked.password));
  });
});

describe('precheck: extension classification', () => {
  it('flags removed extensions, outdated PostGIS, pg_repack, and extensions to update after', () => {
    const f = classifyExtensions('db', [
      { name: 'plpgsql', installed: '1.0', available: '1.0' },
      { name: 'chkpass', installed: '1.0', available: null },
      { name: 'postgis', installed: '3.1.4', available: '3.1.9' },
      { name: 'postgis_topology', installed: '3.1.9', available: '3.1.9' },
      { name: 'pg_repack', installed: '1.4.6', available: '1.4.6' },
      { name: 'hstore', installed: '1.7', available: '1.7' },
      { name: 'pg_hint_plan', installed: '1.3.7', available: '1.3.7' },
    ]);
    assert.deepEqual(
      f.unsupported.map((s) => s.split(' (')[0]),
      ['db: chkpass 1.0'],
    );
    assert.deepEqual(f.postgisOutdated, ['db: postgis 3.1.4 (source offers 3.1.9)']);
    assert.deepEqual(f.postgisCurrent, ['db: postgis_topology 3.1.9']);
    assert.deepEqual(f.pgRepack, ['db: pg_repack 1.4.6']);
    assert.equal(f.updateAfter.length, 2);
    assert.match(f.updateAfter[0], /^db: hstore 1\.7 -> 1\.8 \(ALTER EXTENSION "hstore" UPDATE/);
    assert.match(f.updateAfter[1], /^db: pg_hint_plan 1\.3\.7 \(not in PostgreSQL contrib/);
  });
});

describe('precheck: verdicts of the list (pure)', () => {
  const entry = (name: string) => PRECHECK_CHECKS.find((c) => c.name === name)!;
  const run = {
    server: { version: '13.21', num: 130021, user: 'postgres', superuser: true },
    checked: ['app'],
    skipped: [],
    largeObjectWarnThreshold: 1000,
  };

  it('PostGIS extensions: an outdated one fails (listed first), current ones alone warn', () => {
    const f = entry('PostGIS extensions').verdict(
      [
        { line: 'b: postgis_topology 3.1.9', outdated: false },
        { line: 'a: postgis 3.1.4 (source offers 3.1.9)', outdated: true },
      ],
      run,
    );
    assert.equal(f.status, 'fail');
    assert.deepEqual(f.objects, ['a: postgis 3.1.4 (source offers 3.1.9)', 'b: postgis_topology 3.1.9']);
    assert.equal(
      entry('PostGIS extensions').verdict([{ line: 'b: postgis 3.1.9', outdated: false }], run).status,
      'warn',
    );
  });

  it("databases checked: a database the role could not enter fails (its blockers are unknown), except RDS's own rdsadmin", () => {
    const denied = { name: 'billing', reason: 'permission denied for database billing' };
    const f = entry('databases checked').verdict([], { ...run, skipped: [denied] });
    assert.equal(f.status, 'fail');
    assert.match(
      f.detail,
      /^checked 1 database\(s\), but 1 could not be checked, so their blockers are unknown: connect as a role allowed into every database \(RDS: the master user\)/,
    );
    assert.equal(f.objects[0], 'checked: app');
    assert.match(
      f.objects[1],
      /^NOT CHECKED: billing \(permission denied for database billing\); unknown there: reg\* data types, /,
    );
    // On RDS (the role rdsadmin exists) the rdsadmin database is RDS's: no customer role may enter it.
    const rdsadmin = { name: 'rdsadmin', reason: 'permission denied for database rdsadmin' };
    const rds = entry('databases checked').verdict([], {
      ...run,
      server: { ...run.server, rds: true },
      skipped: [rdsadmin],
    });
    assert.equal(rds.status, 'pass');
    assert.deepEqual(rds.objects, [
      'checked: app',
      "not checked: rdsadmin (RDS's own database: no customer role may enter it, RDS upgrades it itself)",
    ]);
    // Elsewhere a database called rdsadmin is just a database.
    assert.equal(entry('databases checked').verdict([], { ...run, skipped: [rdsadmin] }).status, 'fail');
  });

  it('large objects: warns from the threshold, summing every database', () => {
    const lo = entry('large objects');
    const found = [
      { line: 'a: 600 large objects', count: 600 },
      { line: 'b: 400 large objects', count: 400 },
    ];
    assert.equal(lo.verdict(found, run).status, 'warn');
    assert.equal(
      lo.verdict(found, { ...run, largeObjectWarnThreshold: 1001 }).detail,
      '1000 large objects (warning from 1001)',
    );
  });
});
