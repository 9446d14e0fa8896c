// The replication steps exactly as the program declares them (replicationScript + replicationEnvironment, run through
// `/bin/sh -c` in the project directory with only the rendered environment, as pulumi-command runs a local.Command),
// on a real PostgreSQL 13.21 (the source) and 16.9 (the new instance) with TLS verify-full. This is the seam between
// the program and the CLI: every flag the program writes must be one the CLI takes, in the order the plan runs them
// (precheck -> setup -> status -> catch-up -> finish -> reverse -> catch-up reverse -> finish reverse -> teardown).
// The subscriber's CA file is the one thing that differs from RDS (TJ_SUBSCRIBER_SSLROOTCERT: on RDS the subscriber
// instance's own /rdsdbdata/rds-metadata/server-cert.pem; here a copy of the run's CA in the server's directory).
import { strict as assert } from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import { fileForServer } from '../../cli/rehearse/servers';
import { connect, ConnectionTarget, resolveTarget } from '../../lib/pg/connection';
import {
  REPLICATION_COMMAND_STEPS,
  ReplicationCommandStep,
  replicationEnvironment,
  replicationScript,
} from '../../replication/commands';
import { LocalServer, makeTlsFixture, startServer, TlsFixture, verifyFull } from '../helpers/servers';
import { REPO_ROOT } from '../helpers/stack-file';

const SETTINGS = {
  wal_level: 'logical',
  max_wal_senders: '20',
  max_replication_slots: '20',
  max_logical_replication_workers: '8',
  max_worker_processes: '16',
};
const DATABASES = ['tooljet', 'tooljet_db'];

interface StepRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('replication/commands: the rendered steps run for real, 13.21 <-> 16.9 over verify-full', function () {
  this.timeout(180_000);
  let tls: TlsFixture;
  let s13: LocalServer;
  let s16: LocalServer;
  let sub16: string;
  let sub13: string;
  const admin = (s: LocalServer, db: string): ConnectionTarget =>
    resolveTarget(s.url(db, verifyFull(tls)), { env: {} });
  const q = async (t: ConnectionTarget, sql: string): Promise<Record<string, unknown>[]> => {
    const c = await connect(t);
    try {
      return (await c.query(sql)).rows;
    } finally {
      await c.end();
    }
  };

  /** One step, as the program declares it: the publisher is the source for setup, the new instance for reverse. */
  const step = (name: ReplicationCommandStep): Promise<StepRun> => {
    const script = replicationScript(name, { databases: DATABASES, catchUpDeadlineSeconds: 60 });
    const publisher = name === 'setup' ? s13 : name === 'reverse' ? s16 : undefined;
    const environment = replicationEnvironment({
      source: { host: s13.host, port: s13.port },
      target: { host: s16.host, port: s16.port },
      user: s13.user,
      database: 'tooljet',
      caFile: tls.ca.certFile,
      password: s13.password,
      ...(publisher && {
        publisher: { host: publisher.host, port: publisher.port },
        subscriberSslRootCert: publisher === s13 ? sub16 : sub13,
      }),
    });
    return new Promise((resolve, reject) => {
      const child = spawn('/bin/sh', ['-c', script], {
        cwd: REPO_ROOT,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, ...environment },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  };
  const ok = async (name: ReplicationCommandStep): Promise<StepRun> => {
    const r = await step(name);
    assert.equal(r.code, 0, `${name}: exit ${r.code}\n${r.stderr}${r.stdout}`);
    assert.ok(!(r.stdout + r.stderr).includes(s13.password), `${name}: the password is never printed`);
    return r;
  };

  before(async () => {
    tls = makeTlsFixture();
    const extra = { settings: SETTINGS, password: `pw-${Date.now().toString(36)}-run` };
    [s13, s16] = await Promise.all([startServer(13, tls, extra), startServer(16, tls, extra)]);
    const pem = fs.readFileSync(tls.ca.certFile, 'utf8');
    sub13 = fileForServer(s13, 'subscriber-ca.pem', pem, 0o644);
    sub16 = fileForServer(s16, 'subscriber-ca.pem', pem, 0o644);
    for (const db of DATABASES) {
      await q(admin(s13, 'postgres'), `CREATE DATABASE ${db}`);
      const c = await connect(admin(s13, db));
      try {
        await c.query('CREATE TABLE apps (id serial PRIMARY KEY, name text NOT NULL)');
        await c.query(`INSERT INTO apps (name) SELECT 'app ' || g FROM generate_series(1, 200) g`);
      } finally {
        await c.end();
      }
    }
  });
  after(async () => {
    await Promise.all([s13?.stop(), s16?.stop()]);
    tls?.cleanup();
  });

  it('renders a script for every step the plan has', () => {
    for (const s of REPLICATION_COMMAND_STEPS)
      assert.match(replicationScript(s, { databases: DATABASES, catchUpDeadlineSeconds: 60 }), /tj-pg-upgrade/);
  });

  it('runs the whole path: the writes on 16.9 after the cutover are on 13.21 after the rollback, and nothing is left', async () => {
    await ok('precheck');
    await ok('setup');
    let status = await step('status');
    for (let i = 0; i < 100 && status.code !== 0; i++) {
      await new Promise((r) => setTimeout(r, 300));
      status = await step('status');
    }
    assert.equal(status.code, 0, `status never ready: ${status.stdout}${status.stderr}`);
    for (const db of DATABASES) {
      await q(admin(s13, db), `INSERT INTO apps (name) VALUES ('written during replication')`);
    }
    // The window: ToolJet stopped (no more writes), then the steps in the plan's order.
    await ok('catch-up');
    await ok('finish');
    for (const db of DATABASES) {
      const [a] = await q(admin(s13, db), 'SELECT count(*)::int AS n, max(id) AS m FROM apps');
      const [b] = await q(admin(s16, db), 'SELECT count(*)::int AS n, max(id) AS m FROM apps');
      assert.deepEqual(b, a, `${db}: the new instance holds what the source holds`);
      const [seq] = await q(admin(s16, db), `SELECT last_value::int AS v FROM apps_id_seq`);
      assert.equal(seq.v, a.m, `${db}: finish set the sequence`);
    }
    await ok('reverse');
    // ToolJet on 16.9 writes; the rollback window: stop, catch up the other way, finish, and 13.21 has the writes.
    for (const db of DATABASES) await q(admin(s16, db), `INSERT INTO apps (name) VALUES ('written on 16.9')`);
    await ok('catch-up-reverse');
    await ok('finish-reverse');
    for (const db of DATABASES) {
      const rows = await q(admin(s13, db), `SELECT name FROM apps WHERE name = 'written on 16.9'`);
      assert.equal(rows.length, 1, `${db}: the write made on 16.9 after the cutover is on the source`);
    }
    await ok('teardown');
    for (const [s, db] of [
      [s13, 'tooljet'],
      [s16, 'tooljet'],
    ] as const) {
      assert.deepEqual(
        await q(admin(s, db), 'SELECT subname FROM pg_subscription'),
        [],
        `no subscription on ${s.major}`,
      );
      assert.deepEqual(await q(admin(s, db), 'SELECT pubname FROM pg_publication'), [], `no publication on ${s.major}`);
      assert.deepEqual(
        await q(admin(s, db), 'SELECT slot_name FROM pg_replication_slots'),
        [],
        `no slot on ${s.major}`,
      );
    }
  });
});
