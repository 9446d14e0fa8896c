// The connection-failure filter against a REAL PostgreSQL 16.9 log: a TLS-only server (as rds.force_ssl=1 makes
// RDS) with RDS's log_line_prefix and log_connections on (so successful connections log lines too). Each kind of
// failed connection is produced for real, and the filter must match exactly one line per failure and nothing else.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Client } from 'pg';
import { CONNECTION_FAILURE_PATTERNS, matchesFilterPattern, renderFilterPattern } from '../../monitoring';
import { createCertificateAuthority } from '../../lib/tls/ca';
import { LocalServer, makeTlsFixture, startServer, TlsFixture } from '../helpers/servers';

// RDS for PostgreSQL's fixed log_line_prefix.
const RDS_PREFIX = '%t:%r:%u@%d:[%p]:';

describe('connection-failure filter on a real PostgreSQL 16.9 log (TLS only, RDS log prefix)', () => {
  let tls: TlsFixture;
  let s16: LocalServer;
  let wrongCa: string;
  const pattern = renderFilterPattern();

  function psql(conninfo: string): string {
    const r = spawnSync('psql', ['-X', '-c', 'SELECT 1', conninfo], {
      env: { PATH: process.env.PATH, PGCONNECT_TIMEOUT: '10' },
      encoding: 'utf8',
    });
    return `${r.stdout}${r.stderr}`;
  }
  const base = (): string => `host=localhost port=${s16.port} dbname=postgres`;

  async function node(opts: { user?: string; password?: string; ca: string; database?: string }): Promise<string> {
    const c = new Client({
      host: 'localhost',
      port: s16.port,
      user: opts.user ?? s16.user,
      password: opts.password ?? s16.password,
      database: opts.database ?? 'postgres',
      ssl: { ca: fs.readFileSync(opts.ca, 'utf8'), rejectUnauthorized: true },
    });
    try {
      await c.connect();
      await c.query('SELECT 1');
      return 'connected';
    } catch (err) {
      return (err as Error).message;
    } finally {
      await c.end().catch(() => undefined);
    }
  }

  /** Log lines written while `fn` ran (waits until the server has flushed them). */
  async function linesDuring(fn: () => Promise<void>): Promise<string[]> {
    const before = fs.statSync(s16.logFile).size;
    await fn();
    await new Promise((r) => setTimeout(r, 300));
    const text = fs.readFileSync(s16.logFile, 'utf8').slice(before);
    return text.split('\n').filter((l) => l.trim());
  }

  before(async () => {
    tls = makeTlsFixture();
    wrongCa = createCertificateAuthority(path.join(tls.dir, 'wrong'), 'not the RDS CA').certFile;
    s16 = await startServer(16, tls, {
      settings: { log_line_prefix: RDS_PREFIX, log_connections: 'on', log_disconnections: 'on' },
    });
    // An explicit reject rule for one user, ahead of the server's own rules.
    const hba = path.join(s16.dir, 'data', 'pg_hba.conf');
    fs.writeFileSync(hba, `hostssl all blocked_user 127.0.0.1/32 reject\n${fs.readFileSync(hba, 'utf8')}`);
    const c = new Client({
      host: 'localhost',
      port: s16.port,
      user: s16.user,
      password: s16.password,
      database: 'postgres',
      ssl: { ca: fs.readFileSync(tls.ca.certFile, 'utf8'), rejectUnauthorized: true },
    });
    await c.connect();
    await c.query('SELECT pg_catalog.pg_reload_conf()');
    await c.end();
    await new Promise((r) => setTimeout(r, 300));
  });
  after(async () => {
    await s16?.stop();
    tls.cleanup();
  });

  it('the rendered pattern is an OR of the quoted PostgreSQL message texts', () => {
    assert.equal(
      pattern,
      '?"authentication failed for user" ?"no pg_hba.conf entry for" ?"pg_hba.conf rejects connection for" ?"could not accept SSL connection"',
    );
  });

  const failures: { name: string; run: () => Promise<string>; client: RegExp; logged: RegExp }[] = [
    {
      name: 'wrong password (ToolJet with a stale PG_PASS)',
      run: async () => node({ password: 'not-the-password', ca: tls.ca.certFile }),
      client: /password authentication failed for user "postgres"/,
      logged: /:postgres@postgres:\[\d+\]:FATAL: {2}password authentication failed for user "postgres"$/,
    },
    {
      name: 'unknown user',
      run: async () => node({ user: 'ghost', password: 'x', ca: tls.ca.certFile }),
      client: /password authentication failed for user "ghost"/,
      logged: /FATAL: {2}password authentication failed for user "ghost"$/,
    },
    {
      name: 'a user rejected by a pg_hba rule',
      run: async () => node({ user: 'blocked_user', password: 'x', ca: tls.ca.certFile }),
      client: /pg_hba\.conf rejects connection for host "127\.0\.0\.1", user "blocked_user"/,
      logged:
        /FATAL: {2}pg_hba\.conf rejects connection for host "127\.0\.0\.1", user "blocked_user", database "postgres", SSL encryption$/,
    },
    {
      name: 'client without TLS (rds.force_ssl=1)',
      run: async () => psql(`${base()} user=${s16.user} password=${s16.password} sslmode=disable`),
      client: /no pg_hba\.conf entry for host "127\.0\.0\.1", user "postgres", database "postgres", no encryption/,
      logged:
        /FATAL: {2}no pg_hba\.conf entry for host "127\.0\.0\.1", user "postgres", database "postgres", no encryption$/,
    },
    {
      name: 'libpq client that does not trust the server certificate (PostgREST, psql with the wrong sslrootcert)',
      run: async () =>
        psql(`${base()} user=${s16.user} password=${s16.password} sslmode=verify-full sslrootcert=${wrongCa}`),
      client: /certificate verify failed/,
      logged: /:\[unknown\]@\[unknown\]:\[\d+\]:LOG: {2}could not accept SSL connection: tlsv1 alert unknown ca$/,
    },
    {
      name: 'Node client that does not trust the server certificate (ToolJet without the RDS bundle)',
      run: async () => node({ ca: wrongCa }),
      client: /unable to verify the first certificate|self[- ]signed/,
      logged: /LOG: {2}could not accept SSL connection: /,
    },
  ];

  for (const f of failures) {
    it(`matches exactly one line for: ${f.name}`, async () => {
      let said = '';
      const lines = await linesDuring(async () => {
        said = await f.run();
      });
      assert.match(said, f.client, 'the failure really happened');
      const matched = lines.filter((l) => matchesFilterPattern(pattern, l));
      assert.equal(matched.length, 1, `expected one matching line, got:\n${lines.join('\n')}`);
      assert.match(matched[0], f.logged);
    });
  }

  it('matches nothing for successful connections (Node and libpq), disconnections, or a missing database', async () => {
    let outcomes: string[] = [];
    const lines = await linesDuring(async () => {
      outcomes = [
        await node({ ca: tls.ca.certFile }),
        psql(`${base()} user=${s16.user} password=${s16.password} sslmode=verify-full sslrootcert=${tls.ca.certFile}`),
        await node({ ca: tls.ca.certFile, database: 'no_such_db' }),
      ];
    });
    assert.equal(outcomes[0], 'connected');
    assert.match(outcomes[1], /\(1 row\)/);
    assert.match(outcomes[2], /database "no_such_db" does not exist/);
    assert.ok(
      lines.some((l) => /connection authorized: user=postgres database=postgres .*SSL enabled/.test(l)),
      'log_connections wrote lines',
    );
    assert.deepEqual(
      lines.filter((l) => matchesFilterPattern(pattern, l)),
      [],
    );
  });

  it('every term was produced by one of the failures above (no dead term)', async () => {
    const text = fs.readFileSync(s16.logFile, 'utf8');
    const unused = CONNECTION_FAILURE_PATTERNS.filter((p) => !text.includes(p.term)).map((p) => p.term);
    assert.deepEqual(unused, []);
  });
});
