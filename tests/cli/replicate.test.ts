// `tj-pg-upgrade replicate`, run as the Pulumi program runs it (the compiled CLI in a child process, URLs in
// TJ_PG_SOURCE_URL / TJ_PG_TARGET_URL), on a real PostgreSQL 13.21 and 16.9 with TLS verify-full against a CA of the
// run's own, both with wal_level = logical. One pair of servers for the whole file; the steps build on each other as
// a cutover does: setup (initial copy) -> writes during replication -> catch-up -> finish -> validate (exact) ->
// reverse -> writes on 16.9 -> catch-up reverse -> finish reverse -> rollback-report (0 rows missing) -> teardown.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import { Client } from 'pg';
import { fileForServer } from '../../cli/rehearse/servers';
import { clientConfig, connect, ConnectionTarget, resolveTarget } from '../../lib/pg/connection';
import { createCertificateAuthority } from '../../lib/tls/ca';
import { LocalServer, makeTlsFixture, startServer, TlsFixture, verifyFull } from '../helpers/servers';
import { CliRun, runCli } from './run-cli';

/** Publisher and subscriber settings on both (each publishes in one direction and subscribes in the other). */
export const REPLICATION_SETTINGS = {
  wal_level: 'logical',
  max_wal_senders: '20',
  max_replication_slots: '20',
  max_logical_replication_workers: '8',
  max_sync_workers_per_subscription: '4',
  max_worker_processes: '16',
  synchronous_commit: 'on',
};

const SCHEMA = [
  `CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`,
  `CREATE TABLE audit (id bigserial PRIMARY KEY, user_id int REFERENCES users(id), what text)`,
  // no primary key, but REPLICA IDENTITY FULL: updates and deletes replicate
  `CREATE TABLE tags (name text, weight int)`,
  `ALTER TABLE tags REPLICA IDENTITY FULL`,
  `CREATE MATERIALIZED VIEW user_counts AS SELECT count(*) AS n FROM users`,
  `INSERT INTO users (email) SELECT 'u' || g || '@example.com' FROM generate_series(1, 500) g`,
  `INSERT INTO audit (user_id, what) SELECT 1 + g % 500, 'seed ' || g FROM generate_series(1, 2000) g`,
  `INSERT INTO tags SELECT 't' || g, g FROM generate_series(1, 50) g`,
  `REFRESH MATERIALIZED VIEW user_counts`,
];

describe('tj-pg-upgrade replicate: logical replication 13.21 <-> 16.9 on real servers', function () {
  this.timeout(120_000);
  let tls: TlsFixture;
  let s13: LocalServer;
  let s16: LocalServer;
  let env: Record<string, string>;
  let ca13: string; // the CA file on the 13 server (subscriber in reverse)
  let ca16: string; // on the 16.9 server (subscriber forward)
  const admin = (s: LocalServer, db: string): ConnectionTarget =>
    resolveTarget(s.url(db, verifyFull(tls)), { env: {} });
  const q = async (t: ConnectionTarget, sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> => {
    const c = await connect(t);
    try {
      return (await c.query(sql, params)).rows;
    } finally {
      await c.end();
    }
  };
  const value = async (t: ConnectionTarget, sql: string): Promise<string> =>
    String(Object.values((await q(t, sql))[0])[0]);
  const cli = (args: string[], extra: Record<string, string> = {}): Promise<CliRun> =>
    runCli(['replicate', ...args], { ...env, ...extra });
  const noSecret = (r: CliRun): void => {
    assert.ok(!(r.stdout + r.stderr).includes(s13.password), 'the password must never be printed');
  };
  const waitReady = async (direction = 'forward'): Promise<CliRun> => {
    const until = Date.now() + 60_000;
    for (;;) {
      const r = await cli(['status', '--databases', 'app,app2', '--direction', direction]);
      if (r.code === 0 || Date.now() > until) return r;
      await new Promise((res) => setTimeout(res, 300));
    }
  };

  before(async () => {
    tls = makeTlsFixture();
    // One password for both, as the program's replication role has on both instances.
    const extra = { settings: REPLICATION_SETTINGS, password: `pw-${Date.now().toString(36)}-secret` };
    [s13, s16] = await Promise.all([startServer(13, tls, extra), startServer(16, tls, extra)]);
    const pem = fs.readFileSync(tls.ca.certFile, 'utf8');
    ca13 = fileForServer(s13, 'subscriber-ca.pem', pem, 0o644);
    ca16 = fileForServer(s16, 'subscriber-ca.pem', pem, 0o644);
    for (const db of ['app', 'app2']) {
      await q(admin(s13, 'postgres'), `CREATE DATABASE ${db}`);
      const c = await connect(admin(s13, db));
      try {
        for (const s of SCHEMA) await c.query(s);
      } finally {
        await c.end();
      }
    }
    env = { TJ_PG_SOURCE_URL: s13.url('app', verifyFull(tls)), TJ_PG_TARGET_URL: s16.url('app', verifyFull(tls)) };
  });
  after(async () => {
    await Promise.all([s13?.stop(), s16?.stop()]);
    tls?.cleanup();
  });

  it('refuses bad input in one line with exit 2, before connecting', async () => {
    const cases: [string[], RegExp][] = [
      [[], /replicate needs a step: setup, status, catch-up, finish, reverse, teardown/],
      [['switch'], /unknown step "switch"/],
      [['setup'], /setup needs --subscriber-sslrootcert <path>.*rds-metadata\/server-cert\.pem/],
      [['status', '--direction', 'sideways'], /--direction must be forward, reverse; got "sideways"/],
      [['catch-up', '--deadline', 'soon'], /--deadline must be a duration/],
      [['setup', '--subscriber-sslrootcert', '/x', '--publisher-port', '99999'], /--publisher-port must be 1-65535/],
      [['status', '--databases', 'a,,b'], /--databases must be a comma-separated list/],
    ];
    for (const [args, re] of cases) {
      const r = await cli(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trim().split('\n').length, 1);
    }
    const help = await runCli(['replicate', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--subscriber-sslrootcert/);
  });

  it('a subscriber CA that did not sign the publisher certificate fails clearly, and leaves nothing behind', async () => {
    const wrong = createCertificateAuthority(tls.dir, 'some other CA');
    const wrongOnServer = fileForServer(s16, 'wrong-ca.pem', fs.readFileSync(wrong.certFile, 'utf8'), 0o644);
    const r = await cli(['setup', '--databases', 'app', '--subscriber-sslrootcert', wrongOnServer]);
    noSecret(r);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /could not connect to the publisher localhost:\d+ with sslmode=verify-full/);
    assert.match(r.stderr, /certificate verify failed/);
    assert.match(r.stderr, /same CA/);
    // Nothing half-applied: no publication on the source, no subscription on the target.
    assert.equal(await value(admin(s13, 'app'), `SELECT count(*) FROM pg_publication`), '0');
    assert.equal(
      await value(
        admin(s16, 'app'),
        `SELECT count(*) FROM pg_subscription WHERE subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      ),
      '0',
    );
  });

  it('setup copies the schema, publishes every table and subscribes with the initial copy; status shows it', async () => {
    const r = await cli(['setup', '--databases', 'app,app2', '--subscriber-sslrootcert', ca16]);
    noSecret(r);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /app: schema already on the target and identical; publication tj_upgrade \(3 tables\) created/,
    );
    assert.match(r.stdout, /app2: schema copied to the target; publication tj_upgrade \(3 tables\) created/);
    assert.match(r.stdout, /subscription tj_upgrade \(slot tj_upgrade_app2, initial copy\) created on the target/);
    // FOR TABLE, not FOR ALL TABLES (RDS's master user is no superuser)
    assert.equal(await value(admin(s13, 'app'), `SELECT puballtables FROM pg_publication`), 'false');
    const status = await waitReady();
    assert.equal(status.code, 0, status.stdout);
    assert.match(
      status.stdout,
      /app: streaming: subscription tj_upgrade enabled, worker running; tables: 3 ready; slot tj_upgrade_app active, lag/,
    );
    const json = JSON.parse((await cli(['status', '--databases', 'app,app2', '--json'])).stdout);
    assert.equal(json.ready, true);
    assert.deepEqual(
      json.databases.map((d: { database: string; tables: unknown[]; slot: { active: boolean } }) => [
        d.database,
        d.tables.length,
        d.slot.active,
      ]),
      [
        ['app', 3, true],
        ['app2', 3, true],
      ],
    );
    assert.equal(typeof json.databases[0].slot.lagBytes, 'number');
    assert.equal(typeof json.databases[0].slot.retainedBytes, 'number');
    for (const db of ['app', 'app2'])
      assert.equal(await value(admin(s16, db), `SELECT count(*) FROM audit`), '2000', `${db}: initial copy`);
  });

  it('setup again is a no-op that says so', async () => {
    const r = await cli(['setup', '--databases', 'app,app2', '--subscriber-sslrootcert', ca16]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /nothing to do: the publication and subscription of every database exist and match/);
    assert.equal(
      await value(
        admin(s16, 'app'),
        `SELECT count(*) FROM pg_subscription WHERE subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      ),
      '1',
    );
  });

  it('catch-up under concurrent writes, finish, then validate passes exactly', async () => {
    // ToolJet-like writes on the source while replicating, then stopped.
    const writers = await Promise.all(['app', 'app2'].map((db) => connect(admin(s13, db))));
    const until = Date.now() + 1500;
    await Promise.all(
      writers.map(async (c) => {
        for (let i = 0; Date.now() < until; i++) {
          await c.query(`INSERT INTO users (email) VALUES ($1)`, [`w${i}@example.com`]);
          await c.query(`INSERT INTO audit (user_id, what) VALUES (1, 'write ' || $1)`, [i]);
          await c.query(`UPDATE tags SET weight = weight + 1 WHERE name = 't' || (1 + $1::int % 50)`, [i]);
          if (i % 5 === 0) await c.query(`DELETE FROM audit WHERE id = (SELECT min(id) FROM audit)`);
        }
      }),
    );
    await Promise.all(writers.map((c) => c.end()));
    // A session left connected to the publisher is named (ToolJet not fully stopped).
    const idle = new Client({ ...clientConfig(admin(s13, 'app')), application_name: 'left-open' });
    await idle.connect();
    try {
      const r = await cli(['catch-up', '--databases', 'app,app2', '--deadline', '60s']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(
        r.stdout,
        /caught up in \d+\.\d\d s: the target applied everything the source committed up to [0-9A-F]+\/[0-9A-F]+ in app, app2/,
      );
      assert.match(
        r.stderr,
        /warning: app: 1 other client session\(s\) still connected to the publisher \(source\): .*left-open/,
      );
    } finally {
      await idle.end();
    }
    for (const db of ['app', 'app2'])
      for (const t of ['users', 'audit', 'tags'])
        assert.equal(
          await value(admin(s16, db), `SELECT count(*) FROM ${t}`),
          await value(admin(s13, db), `SELECT count(*) FROM ${t}`),
          `${db}.${t} caught up`,
        );
    const f = await cli(['finish', '--databases', 'app,app2']);
    assert.equal(f.code, 0, f.stderr);
    assert.match(
      f.stdout,
      /app: 2 sequence\(s\) set to the source's values \(of 2\), 1 materialized view\(s\) refreshed on the source and the target/,
    );
    const v = await runCli(['validate', '--tooljet-db', 'app2', '--analyze'], env);
    assert.equal(v.code, 0, v.stdout);
  });

  it('catch-up gives up at the deadline with exit 1 and says what is behind', async () => {
    await q(admin(s16, 'app2'), `ALTER SUBSCRIPTION tj_upgrade DISABLE`);
    try {
      await q(admin(s13, 'app2'), `INSERT INTO tags VALUES ('late', 1)`);
      const r = await cli(['catch-up', '--databases', 'app,app2', '--deadline', '2s']);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /not caught up after 2 s \(--deadline\): app2: slot tj_upgrade_app2 has not confirmed/);
      assert.match(r.stderr, /subscription tj_upgrade is disabled/);
      assert.equal((await cli(['status', '--databases', 'app,app2'])).code, 1);
    } finally {
      await q(admin(s16, 'app2'), `ALTER SUBSCRIPTION tj_upgrade ENABLE`);
    }
    assert.equal((await cli(['catch-up', '--databases', 'app,app2', '--deadline', '60s'])).code, 0);
  });

  it('reverse replication after the cutover: writes on 16.9 reach 13.21, rollback-report shows none missing', async () => {
    const r = await cli(['reverse', '--databases', 'app,app2', '--subscriber-sslrootcert', ca13]);
    noSecret(r);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /app: forward subscription tj_upgrade dropped on the target \(its slot tj_upgrade_app on the source with it\)/,
    );
    assert.match(
      r.stdout,
      /app2: publication tj_upgrade_reverse \(3 tables\) created on the target; subscription tj_upgrade_reverse \(slot tj_upgrade_reverse_app2, no initial copy\) created on the source/,
    );
    assert.equal(
      await value(
        admin(s13, 'postgres'),
        `SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE 'tj_upgrade_%'`,
      ),
      '0',
    );
    const again = await cli(['reverse', '--databases', 'app,app2', '--subscriber-sslrootcert', ca13]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /already there, same publication and slot on the source/);
    assert.equal((await waitReady('reverse')).code, 0);
    // ToolJet started on 16.9: new rows there (ids from the sequences finish set)
    const before13 = Number(await value(admin(s13, 'app'), `SELECT count(*) FROM users`));
    await q(
      admin(s16, 'app'),
      `INSERT INTO users (email) SELECT 'after' || g || '@example.com' FROM generate_series(1, 25) g`,
    );
    await q(admin(s16, 'app2'), `DELETE FROM tags WHERE name = 't1'`);
    const c = await cli(['catch-up', '--direction', 'reverse', '--databases', 'app,app2']);
    assert.equal(c.code, 0, c.stderr);
    assert.match(c.stdout, /the source applied everything the target committed/);
    assert.equal(Number(await value(admin(s13, 'app'), `SELECT count(*) FROM users`)), before13 + 25);
    assert.equal(await value(admin(s13, 'app'), `SELECT count(*) FROM users WHERE email LIKE 'after%'`), '25');
    const f = await cli(['finish', '--direction', 'reverse', '--databases', 'app,app2']);
    assert.equal(f.code, 0, f.stderr);
    assert.match(f.stdout, /app: 1 sequence\(s\) set to the target's values/);
    assert.equal(
      await value(admin(s13, 'app'), `SELECT last_value FROM users_id_seq`),
      await value(admin(s16, 'app'), `SELECT last_value FROM users_id_seq`),
    );
    const rr = await runCli(
      [
        'rollback-report',
        '--source',
        s13.url('app', verifyFull(tls)),
        '--clone',
        s16.url('app', verifyFull(tls)),
        '--tooljet-db',
        'app2',
        '--strategy',
        'replication',
        '--json',
      ],
      {},
    );
    const report = JSON.parse(rr.stdout);
    assert.equal(report.onlyOnClone, 0, rr.stdout);
    assert.equal(rr.code, 0, rr.stdout);
    const names = report.checks.map((x: { name: string; status: string }) => `${x.name}: ${x.status}`);
    assert.ok(names.includes('sequences on the source: pass'), names.join('\n'));
    assert.ok(names.includes('not replicated back: pass'), names.join('\n'));
  });

  it('teardown removes every subscription, publication and slot and lists them; again, nothing to remove', async () => {
    const r = await cli(['teardown', '--databases', 'app,app2']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /removed: subscription tj_upgrade_reverse on the source database app/);
    assert.match(r.stdout, /removed: publication tj_upgrade_reverse on the target database app2/);
    assert.match(r.stdout, /removed: publication tj_upgrade on the source database app/);
    for (const s of [s13, s16]) {
      assert.equal(await value(admin(s, 'postgres'), `SELECT count(*) FROM pg_replication_slots`), '0');
      for (const db of ['app', 'app2']) {
        assert.equal(
          await value(
            admin(s, db),
            `SELECT count(*) FROM pg_subscription WHERE subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())`,
          ),
          '0',
        );
        assert.equal(await value(admin(s, db), `SELECT count(*) FROM pg_publication`), '0');
      }
    }
    const again = await cli(['teardown', '--databases', 'app,app2']);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /nothing to remove/);
  });

  it('setup refuses a target database whose schema differs, naming what to drop', async () => {
    await q(admin(s16, 'app2'), `ALTER TABLE tags ADD COLUMN extra int`);
    const r = await cli(['setup', '--databases', 'app2', '--subscriber-sslrootcert', ca16]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      /app2: the target database already has a schema that differs from the source .*extra.*DROP DATABASE "app2"/,
    );
    assert.equal(await value(admin(s13, 'app2'), `SELECT count(*) FROM pg_publication`), '0');
  });
});
