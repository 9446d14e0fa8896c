// The rendered configuration against a real PostgreSQL 16.9 with TLS (a CA of the test's own standing in for the RDS
// bundle): node-postgres in a child process with exactly the variables ToolJet reads, psql with the PostgREST URI,
// and libpq's createdb the way ToolJet's `db:setup` runs it. Every positive case has a negative twin (wrong CA,
// missing variable) so a pass cannot come from verification being off.
//
// The rendered files name the in-container path /certs/global-bundle.pem (or the AMI's /home/ubuntu/certs/...),
// which does not exist here: each test replaces that path with the local CA file explicitly, via `localPaths`.
import { strict as assert } from 'assert';
import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as util from 'util';
import { Client } from 'pg';
import { percentEncode } from '../../../lib/percent-encode';
import { renderAmiUserData } from '../../../targets/ami/render';
import { renderDockerEnv } from '../../../targets/docker/render';
import { renderEcsContainerDefinitions } from '../../../targets/ecs/render';
import { postgrestUri } from '../../../targets/shared/database-env';
import { AMI_CA_PATH, CONTAINER_CA_PATH, DatabaseTarget } from '../../../targets/shared/render';
import { createCertificateAuthority, issueServerCertificate } from '../../../lib/tls/ca';
import { LocalServer, makeTlsFixture, startServer, TlsFixture } from '../../helpers/servers';
import { AmiSandbox, AWKWARD_PASSWORD, fakeSecrets } from '../../helpers/targets';
import { caBundleFromPem } from '../../../lib/tls/ca-bundle';

/** What ToolJet's server does with the environment (server/ormconfig.ts via TypeORM): no `ssl` option, so
 * node-postgres decides TLS from PGSSLMODE and Node's trust store (+ NODE_EXTRA_CA_CERTS). */
const TOOLJET_LIKE_CHILD = `
const { Client } = require(process.argv[1]);
const e = process.env;
const main = { database: e.PG_DB, port: +e.PG_PORT || 5432, user: e.PG_USER, password: e.PG_PASS, host: e.PG_HOST, connectionTimeoutMillis: 5000, ssl: undefined };
const tjdb = { database: e.TOOLJET_DB, port: +e.TOOLJET_DB_PORT || 5432, user: e.TOOLJET_DB_USER, password: e.TOOLJET_DB_PASS, host: e.TOOLJET_DB_HOST, connectionTimeoutMillis: 5000, ssl: undefined };
async function probe(cfg) {
  const c = new Client(cfg);
  await c.connect();
  const r = await c.query("SELECT s.ssl, current_database() AS db, current_setting('server_version') AS version FROM pg_stat_ssl s WHERE s.pid = pg_backend_pid()");
  await c.end();
  return r.rows[0];
}
(async () => {
  console.log(JSON.stringify({ main: await probe(main), tooljetDb: await probe(tjdb) }));
})().catch((err) => {
  console.log(JSON.stringify({ error: err.message, code: err.code }));
  process.exit(1);
});
`;

describe('rendered configuration against a real PostgreSQL 16.9 over verified TLS', function () {
  let tls: TlsFixture;
  let server: LocalServer;
  let wrongCa: string;
  let work: string;
  let db: DatabaseTarget;

  before(async () => {
    tls = makeTlsFixture();
    wrongCa = createCertificateAuthority(tls.dir, 'unrelated CA').certFile;
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'tj-conn-'));
    server = await startServer(16, tls, { user: 'tooljet_app', password: AWKWARD_PASSWORD });
    const admin = new Client({
      connectionString: server.url('postgres'),
      ssl: { ca: fs.readFileSync(tls.ca.certFile, 'utf8'), rejectUnauthorized: true },
    });
    await admin.connect();
    await admin.query('CREATE DATABASE tooljet_prod');
    await admin.query('CREATE DATABASE tooljet_db');
    await admin.end();
    db = {
      host: 'localhost',
      port: server.port,
      user: 'tooljet_app',
      database: 'tooljet_prod',
      tooljetDatabase: 'tooljet_db',
    };
  });
  after(async () => {
    await server?.stop();
    tls?.cleanup();
    fs.rmSync(work, { recursive: true, force: true });
  });

  /**
   * Replaces the in-container/in-instance bundle path with a file on this machine in every variable that names it
   * (NODE_EXTRA_CA_CERTS, PGSSLROOTCERT and the sslrootcert of PGRST_DB_URI).
   */
  function localPaths(env: Record<string, string>, renderedPath: string, localFile: string): Record<string, string> {
    // Both paths are plain (no character that percent-encoding would change), so one textual swap covers the URI too.
    assert.equal(percentEncode(renderedPath, '/'), renderedPath);
    assert.equal(percentEncode(localFile, '/'), localFile);
    return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.split(renderedPath).join(localFile)]));
  }

  /** A child `node` whose environment is exactly `env` (plus PATH), running the ToolJet-like connection code. */
  function tooljetChild(env: Record<string, string>): { ok: boolean; out: Record<string, unknown>; stderr: string } {
    const r = spawnSync(process.execPath, ['-e', TOOLJET_LIKE_CHILD, require.resolve('pg')], {
      env: { ...env, PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: work },
      encoding: 'utf8',
      timeout: 30_000,
    });
    return { ok: r.status === 0, out: JSON.parse(r.stdout.trim().split('\n').pop() || '{}'), stderr: r.stderr };
  }

  /** libpq client with a clean environment (no PG* from this process, no ~/.postgresql). */
  function libpq(bin: string, args: string[], env: Record<string, string> = {}): SpawnSyncReturns<string> {
    return spawnSync(bin, args, {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: work, PGCONNECT_TIMEOUT: '10', ...env },
      encoding: 'utf8',
      timeout: 30_000,
    });
  }

  const SSL_QUERY = 'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()';

  describe('Docker .env', () => {
    let env: Record<string, string>;
    before(() => {
      const secrets = fakeSecrets();
      const text = renderDockerEnv({
        database: db,
        secrets: { ...secrets, pgPassword: AWKWARD_PASSWORD, tooljetDbPassword: undefined },
        tooljetHost: 'https://tooljet.example.com',
        caBundle: caBundleFromPem(fs.readFileSync(tls.ca.certFile, 'utf8')),
      });
      // docker compose hands the .env to the container as its environment; Node's dotenv parser reads it the same way
      // for the values we write (plain or single-quoted).
      env = util.parseEnv(text) as Record<string, string>;
      assert.equal(env.NODE_EXTRA_CA_CERTS, CONTAINER_CA_PATH);
      assert.equal(env.PGSSLMODE, 'verify-full');
    });

    it('node-postgres with the .env variables (PGSSLMODE + NODE_EXTRA_CA_CERTS, no ssl option) connects with TLS', () => {
      const r = tooljetChild(localPaths(env, CONTAINER_CA_PATH, tls.ca.certFile));
      assert.ok(r.ok, JSON.stringify(r.out) + r.stderr);
      assert.deepEqual(r.out, {
        main: { ssl: true, db: 'tooljet_prod', version: '16.9' },
        tooljetDb: { ssl: true, db: 'tooljet_db', version: '16.9' },
      });
    });

    it('fails verification with a wrong CA in NODE_EXTRA_CA_CERTS', () => {
      const r = tooljetChild(localPaths(env, CONTAINER_CA_PATH, wrongCa));
      assert.equal(r.ok, false);
      assert.equal(r.out.code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', JSON.stringify(r.out));
    });

    it('needs both variables: without NODE_EXTRA_CA_CERTS the chain is untrusted, without PGSSLMODE there is no TLS', () => {
      const local = localPaths(env, CONTAINER_CA_PATH, tls.ca.certFile);
      const { NODE_EXTRA_CA_CERTS: _ca, ...noCa } = local;
      const a = tooljetChild(noCa);
      assert.equal(a.out.code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', JSON.stringify(a.out));
      const { PGSSLMODE: _mode, ...noMode } = local;
      const b = tooljetChild(noMode);
      assert.match(String(b.out.error), /no pg_hba\.conf entry .*no encryption/);
    });

    it('psql with the rendered PGRST_DB_URI connects with verified TLS, and fails with a wrong CA', () => {
      const uri = localPaths(env, CONTAINER_CA_PATH, tls.ca.certFile).PGRST_DB_URI;
      assert.match(uri, /sslmode=verify-full&sslrootcert=\//);
      const ok = libpq('psql', ['-X', '-A', '-t', '-c', SSL_QUERY, uri]);
      assert.equal(ok.status, 0, ok.stderr);
      assert.equal(ok.stdout.trim(), 't');
      const bad = libpq('psql', [
        '-X',
        '-A',
        '-t',
        '-c',
        SSL_QUERY,
        localPaths(env, CONTAINER_CA_PATH, wrongCa).PGRST_DB_URI,
      ]);
      assert.notEqual(bad.status, 0);
      assert.match(bad.stderr, /certificate verify failed/);
    });

    it("ToolJet's createdb call (libpq, PGSSLMODE from the .env) verifies thanks to PGSSLROOTCERT", () => {
      const local = localPaths(env, CONTAINER_CA_PATH, tls.ca.certFile);
      // server/scripts/create-database.ts: createdb -h PG_HOST -p PG_PORT -U PG_USER PG_DB with PGPASSWORD=PG_PASS and
      // the process environment; "already exists" counts as success there.
      const args = ['-h', local.PG_HOST, '-p', local.PG_PORT, '-U', local.PG_USER, local.PG_DB];
      const base = { PGPASSWORD: local.PG_PASS, PGSSLMODE: local.PGSSLMODE };
      const ok = libpq('createdb', args, { ...base, PGSSLROOTCERT: local.PGSSLROOTCERT });
      assert.match(ok.stderr, /database "tooljet_prod" already exists/);
      const noRoot = libpq('createdb', args, base);
      assert.match(
        noRoot.stderr,
        /root certificate file .* does not exist/,
        'without PGSSLROOTCERT libpq verify-full refuses',
      );
      const wrong = libpq('createdb', args, { ...base, PGSSLROOTCERT: wrongCa });
      assert.match(wrong.stderr, /certificate verify failed/);
    });
  });

  it('verifies the host name too (verify-full): a certificate for another name is refused by node-postgres and libpq', async () => {
    const cert = issueServerCertificate(tls.ca, path.join(tls.dir, 'elsewhere'), {
      dnsNames: ['elsewhere.example'],
      ipAddresses: [],
    });
    const other = await startServer(16, { ...tls, cert }, { user: 'tooljet_app', password: AWKWARD_PASSWORD });
    try {
      const text = renderDockerEnv({
        database: { ...db, port: other.port, database: 'postgres', tooljetDatabase: 'template1' },
        secrets: { ...fakeSecrets(), pgPassword: AWKWARD_PASSWORD, tooljetDbPassword: undefined },
        tooljetHost: 'https://tooljet.example.com',
        caBundle: caBundleFromPem(fs.readFileSync(tls.ca.certFile, 'utf8')),
      });
      const env = localPaths(util.parseEnv(text) as Record<string, string>, CONTAINER_CA_PATH, tls.ca.certFile);
      const node = tooljetChild(env);
      assert.equal(node.out.code, 'ERR_TLS_CERT_ALTNAME_INVALID', JSON.stringify(node.out));
      const psql = libpq('psql', ['-X', '-A', '-t', '-c', SSL_QUERY, env.PGRST_DB_URI]);
      assert.notEqual(psql.status, 0);
      assert.match(psql.stderr, /server certificate for "elsewhere\.example" does not match host name "localhost"/);
    } finally {
      await other.stop();
    }
  });

  it('ECS/EKS PostgREST: the password-free URI plus PGPASSWORD (libpq) connects with verified TLS', () => {
    const [, , postgrest] = renderEcsContainerDefinitions({
      database: db,
      secrets: {
        pgPassword: { arn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:pg-AbCdEf' },
        lockboxMasterKey: { arn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:lb-AbCdEf' },
        secretKeyBase: { arn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:skb-AbCdEf' },
        pgrstJwtSecret: { arn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:jwt-AbCdEf' },
      },
      caBundle: caBundleFromPem(fs.readFileSync(tls.ca.certFile, 'utf8')),
      caBundleObject: { bucket: 'b-ucket', key: 'k' },
      region: 'eu-west-1',
      tooljetHost: 'https://tooljet.example.com',
    });
    const env = Object.fromEntries((postgrest.environment ?? []).map((e) => [e.name, e.value]));
    const uri = localPaths(env, CONTAINER_CA_PATH, tls.ca.certFile).PGRST_DB_URI;
    // ECS injects PGPASSWORD from the secret; here it is the password itself.
    const ok = libpq('psql', ['-X', '-A', '-t', '-c', SSL_QUERY, uri], { PGPASSWORD: AWKWARD_PASSWORD });
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stdout.trim(), 't');
    const noPassword = libpq('psql', ['-X', '-A', '-t', '-w', '-c', SSL_QUERY, uri]);
    assert.notEqual(noPassword.status, 0, 'the URI alone carries no credentials');
  });

  it('AMI: the .env the user-data writes lets node-postgres and psql connect with the bundle it installed', () => {
    const pem = fs.readFileSync(tls.ca.certFile, 'utf8');
    const box = new AmiSandbox(work, 'NODE_ENV=production\nPG_HOST=old-host.example.com\n');
    const ud = renderAmiUserData({
      database: db,
      region: 'eu-west-1',
      caBundle: caBundleFromPem(pem),
      caBundleSource: { s3: { bucket: 'tooljet-rds-ca', key: 'global-bundle.pem' } },
      pgPassword: { secretsManager: { secretId: 'tooljet/rds', jsonKey: 'password' } },
    });
    const run = box.run(ud, { bundle: pem, secret: JSON.stringify({ password: AWKWARD_PASSWORD }) });
    assert.equal(run.status, 0, run.stderr);
    // systemd (EnvironmentFile=) and bash read the file like this; take bash's view of it.
    const sourced = spawnSync('bash', ['-c', 'set -a; source "$1"; env -0', '_', box.envFile], {
      encoding: 'utf8',
      env: { PATH: '/usr/bin:/bin' },
    });
    const env = Object.fromEntries(
      sourced.stdout
        .split('\0')
        .filter((l) => /^(PG|TOOLJET_DB|NODE_EXTRA)/.test(l))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    // The installed bundle, found under the sandbox root instead of the instance's /home/ubuntu/certs.
    const local = localPaths(env, AMI_CA_PATH, box.at(AMI_CA_PATH));
    const r = tooljetChild(local);
    assert.ok(r.ok, JSON.stringify(r.out) + r.stderr);
    assert.equal((r.out.main as { ssl: boolean }).ssl, true);
    const psql = libpq('psql', ['-X', '-A', '-t', '-c', SSL_QUERY, local.PGRST_DB_URI]);
    assert.equal(psql.status, 0, psql.stderr);
    assert.equal(psql.stdout.trim(), 't');
    assert.equal(env.PGRST_DB_URI, postgrestUri(db, { caPath: AMI_CA_PATH, password: AWKWARD_PASSWORD }));
  });
});
