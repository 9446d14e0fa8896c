// precheck --strategy replication: each prerequisite of logical replication planted on a real PostgreSQL 13.21
// (wal_level = logical, few slots) and refused in one line naming the object and its fix; a cluster without
// logical decoding refused; a clean database passing. Two servers for the whole file.
import { strict as assert } from 'assert';
import { precheckList, PrecheckResult, runPrecheck } from '../../../checks/precheck';
import { CheckResult } from '../../../checks/report';
import { connect, resolveTarget } from '../../../lib/pg/connection';
import { runCli } from '../../cli/run-cli';
import { LocalServer, makeTlsFixture, startServer, TlsFixture, verifyFull } from '../../helpers/servers';

const byName = (r: { checks: CheckResult[] }, name: string): CheckResult => {
  const c = r.checks.find((x) => x.name === name);
  assert.ok(c, `no check named ${name}: ${r.checks.map((x) => x.name).join(', ')}`);
  return c;
};

describe('precheck --strategy replication: each prerequisite refused on a real 13.21', function () {
  this.timeout(60_000);
  let tls: TlsFixture;
  let logical: LocalServer;
  let replica: LocalServer; // wal_level = replica (the default)
  const exec = async (s: LocalServer, db: string, ...statements: string[]): Promise<void> => {
    const c = await connect(resolveTarget(s.url(db, verifyFull(tls)), { env: {} }));
    try {
      for (const x of statements) await c.query(x);
    } finally {
      await c.end();
    }
  };
  const precheck = (s: LocalServer, extra: { replicationUser?: string; url?: string } = {}): Promise<PrecheckResult> =>
    runPrecheck({
      source: extra.url ?? s.url('postgres', verifyFull(tls)),
      env: {},
      strategy: 'replication',
      replicationUser: extra.replicationUser,
    });

  before(async () => {
    tls = makeTlsFixture();
    const password = 'pw-precheck-replication';
    [logical, replica] = await Promise.all([
      startServer(13, tls, {
        password,
        settings: { wal_level: 'logical', max_replication_slots: '4', max_wal_senders: '4' },
      }),
      startServer(13, tls, { password }),
    ]);
    await exec(logical, 'postgres', 'CREATE DATABASE app');
    await exec(
      logical,
      'app',
      'CREATE TABLE ok_pk (id int PRIMARY KEY, v text)',
      'CREATE TABLE ok_full (v text)',
      'ALTER TABLE ok_full REPLICA IDENTITY FULL',
    );
  });
  after(async () => {
    await Promise.all([logical?.stop(), replica?.stop()]);
    tls?.cleanup();
  });

  it('a clean cluster passes every replication prerequisite; the logical slot blocker of an in-place upgrade is not on the list', async () => {
    const r = await precheck(logical);
    for (const name of [
      'wal_level logical',
      'replication role',
      'replication slot headroom',
      'tables without replica identity',
      'large objects not replicated',
      'unlogged tables not replicated',
      'tables owned for the publication',
      'what replication does not carry',
    ])
      assert.equal(byName(r, name).status, 'pass', `${name}: ${byName(r, name).detail}`);
    assert.match(
      byName(r, 'replication slot headroom').detail,
      /1 database\(s\) need up to 3 slots.*free: 4 of max_replication_slots 4/,
    );
    assert.match(
      byName(r, 'what replication does not carry').detail,
      /sequences .*replicate finish.*materialized views.*DDL/,
    );
    assert.ok(!precheckList('replication').some((c) => c.name === 'logical replication slots'));
    assert.ok(precheckList('clone').some((c) => c.name === 'logical replication slots'));
    assert.equal(
      r.exitCode,
      0,
      r.checks
        .filter((c) => c.status === 'fail')
        .map((c) => c.detail)
        .join('\n'),
    );
  });

  it('refuses a cluster without logical decoding, saying to set rds.logical_replication / wal_level', async () => {
    const r = await precheck(replica);
    const c = byName(r, 'wal_level logical');
    assert.equal(c.status, 'fail');
    assert.match(c.detail, /wal_level is replica, logical decoding is off: set wal_level = logical/);
    assert.equal(r.exitCode, 1);
  });

  it('refuses a table with no primary key and REPLICA IDENTITY DEFAULT / NOTHING, naming the fix', async () => {
    await exec(
      logical,
      'app',
      'CREATE TABLE no_pk (v text)',
      'CREATE TABLE nothing (id int PRIMARY KEY)',
      'ALTER TABLE nothing REPLICA IDENTITY NOTHING',
    );
    try {
      const c = byName(await precheck(logical), 'tables without replica identity');
      assert.equal(c.status, 'fail');
      assert.deepEqual(c.objects, [
        'app: public.no_pk (REPLICA IDENTITY DEFAULT, no primary key): ALTER TABLE "public"."no_pk" REPLICA IDENTITY FULL, or add a primary key',
        'app: public.nothing (REPLICA IDENTITY NOTHING): ALTER TABLE "public"."nothing" REPLICA IDENTITY FULL, or add a primary key',
      ]);
    } finally {
      await exec(logical, 'app', 'DROP TABLE no_pk, nothing');
    }
  });

  it('refuses large objects and unlogged tables', async () => {
    await exec(logical, 'app', 'SELECT lo_create(4242)', 'CREATE UNLOGGED TABLE scratch (id int PRIMARY KEY)');
    try {
      const r = await precheck(logical);
      assert.equal(byName(r, 'large objects not replicated').status, 'fail');
      assert.deepEqual(byName(r, 'large objects not replicated').objects, ['app: 1 large object(s)']);
      assert.equal(byName(r, 'unlogged tables not replicated').status, 'fail');
      assert.deepEqual(byName(r, 'unlogged tables not replicated').objects, [
        'app: public.scratch: ALTER TABLE "public"."scratch" SET LOGGED',
      ]);
    } finally {
      await exec(logical, 'app', 'SELECT lo_unlink(4242)', 'DROP TABLE scratch');
    }
  });

  it('refuses a role that may not replicate (and one that does not exist); the CLI exits 1 naming it', async () => {
    await exec(logical, 'postgres', `CREATE ROLE norepl LOGIN PASSWORD 'pw-precheck-replication'`);
    try {
      let c = byName(await precheck(logical, { replicationUser: 'norepl' }), 'replication role');
      assert.equal(c.status, 'fail');
      assert.equal(
        c.detail,
        'role norepl may not replicate (no REPLICATION attribute): ALTER ROLE "norepl" REPLICATION',
      );
      c = byName(await precheck(logical, { replicationUser: 'ghost' }), 'replication role');
      assert.match(c.detail, /role ghost does not exist on the source/);
      const cli = await runCli(['precheck', '--strategy', 'replication', '--replication-user', 'norepl'], {
        TJ_PG_SOURCE_URL: logical.url('postgres', verifyFull(tls)),
      });
      assert.equal(cli.code, 1, cli.stderr);
      assert.match(cli.stdout, /FAIL\s+replication role\s+role norepl may not replicate/);
      await exec(logical, 'postgres', 'ALTER ROLE norepl REPLICATION');
      assert.equal(byName(await precheck(logical, { replicationUser: 'norepl' }), 'replication role').status, 'pass');
      // connecting as norepl: the tables it does not own cannot go into its publication
      const asNorepl = logical.url('app', verifyFull(tls)).replace(/\/\/[^:]+:/, '//norepl:');
      const owned = byName(await precheck(logical, { url: asNorepl }), 'tables owned for the publication');
      assert.equal(owned.status, 'fail');
      assert.deepEqual(owned.objects, ['app: public.ok_full (owner postgres)', 'app: public.ok_pk (owner postgres)']);
    } finally {
      await exec(logical, 'postgres', 'DROP ROLE norepl');
    }
  });

  it('refuses when the slots in use leave too few for the subscriptions and their table-sync workers', async () => {
    await exec(
      logical,
      'app',
      `SELECT pg_create_logical_replication_slot('leftover_a', 'pgoutput')`,
      `SELECT pg_create_logical_replication_slot('leftover_b', 'pgoutput')`,
    );
    try {
      const c = byName(await precheck(logical), 'replication slot headroom');
      assert.equal(c.status, 'fail');
      assert.match(c.detail, /free: 2 of max_replication_slots 4.*raise max_replication_slots/);
      assert.deepEqual(c.objects, [
        'slot leftover_a (logical, database app)',
        'slot leftover_b (logical, database app)',
      ]);
    } finally {
      await exec(
        logical,
        'app',
        `SELECT pg_drop_replication_slot('leftover_a')`,
        `SELECT pg_drop_replication_slot('leftover_b')`,
      );
    }
  });

  it('precheck --strategy takes clone or replication only', async () => {
    const r = await runCli(['precheck', '--strategy', 'bluegreen'], { TJ_PG_SOURCE_URL: 'postgresql://x@h/db' });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--strategy must be clone or replication, got "bluegreen"/);
  });
});
