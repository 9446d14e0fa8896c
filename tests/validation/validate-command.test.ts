// The post-deploy validation command: rendered by a pure function, then run for real exactly as the local.Command
// runs it (`/bin/sh -c <create>` in the project directory with the rendered environment) against PostgreSQL 13.21
// (source) and 16.9 (clone) with TLS verify-full against a CA of the test's own.
import { strict as assert } from 'assert';
import { spawn } from 'child_process';
import { renderValidateCommand, validateCommandLine, ValidateCommandInput } from '../../validation';
import { inProjectDir } from '../../lib/commands';
import { connect, resolveTarget } from '../../lib/pg/connection';
import { LocalServer, makeTlsFixture, startServer, TlsFixture, verifyFull } from '../helpers/servers';
import { REPO_ROOT } from '../helpers/stack-file';

const PASSWORD = 'Val1date-pw-7c2e9a41d0';

const base: ValidateCommandInput = {
  source: { host: 'tooljet-prod-db.c1.eu-west-1.rds.amazonaws.com', port: 5432 },
  target: { host: 'test-db-pg13-clone.c1.eu-west-1.rds.amazonaws.com', port: 5432 },
  user: 'tooljet',
  database: 'tooljet_production',
  tooljetDatabase: 'tooljet_db',
  password: PASSWORD,
  caFile: 'certs/global-bundle.pem',
  expectVersion: '16.9',
  jobs: 4,
  analyze: false,
  fixSequences: false,
};

describe('validation/validate-command: the rendered validate command', () => {
  it('puts only flags on the command line: the expected version, jobs, the ToolJet Database', () => {
    const r = renderValidateCommand(base);
    // Preceded by the check that it runs in the project directory (tests/lib/commands/cli.test.ts runs that guard).
    assert.equal(
      r.create,
      inProjectDir('node bin/tj-pg-upgrade.js validate --expect-version 16.9 --jobs 4 --tooljet-db tooljet_db'),
    );
    assert.equal(
      validateCommandLine({ ...base, analyze: true, fixSequences: true, tooljetDatabase: undefined }),
      inProjectDir('node bin/tj-pg-upgrade.js validate --expect-version 16.9 --jobs 4 --analyze --fix-sequences'),
    );
    assert.equal(
      validateCommandLine({ ...base, liveSource: true, tooljetDatabase: undefined }),
      inProjectDir('node bin/tj-pg-upgrade.js validate --expect-version 16.9 --jobs 4 --live-source'),
    );
  });

  it('passes credentials only through the environment: password-free verify-full URLs and PGPASSWORD', () => {
    const r = renderValidateCommand(base);
    assert.deepEqual(r.environment, {
      TJ_PG_SOURCE_URL:
        'postgresql://tooljet@tooljet-prod-db.c1.eu-west-1.rds.amazonaws.com:5432/tooljet_production?sslmode=verify-full&sslrootcert=certs/global-bundle.pem',
      TJ_PG_TARGET_URL:
        'postgresql://tooljet@test-db-pg13-clone.c1.eu-west-1.rds.amazonaws.com:5432/tooljet_production?sslmode=verify-full&sslrootcert=certs/global-bundle.pem',
      PGPASSWORD: PASSWORD,
      PGCONNECT_TIMEOUT: '15',
    });
    assert.ok(!r.create.includes(PASSWORD));
    assert.ok(!r.environment.TJ_PG_SOURCE_URL.includes(PASSWORD) && !r.environment.TJ_PG_TARGET_URL.includes(PASSWORD));
  });

  it('refuses what does not belong on a command line, and an empty password', () => {
    assert.throws(
      () => renderValidateCommand({ ...base, expectVersion: '16.9; rm -rf /' }),
      /expectVersion .* has characters that do not belong on a command line/,
    );
    assert.throws(() => renderValidateCommand({ ...base, tooljetDatabase: 'db$(id)' }), /tooljetDatabase/);
    assert.throws(() => renderValidateCommand({ ...base, password: '' }), /password is empty/);
  });
});

describe('validation/validate-command: the rendered command run for real against PostgreSQL 13.21 -> 16.9 over verified TLS', () => {
  let tls: TlsFixture;
  let s13: LocalServer;
  let s16: LocalServer;

  async function sql(server: LocalServer, database: string, ...statements: string[]): Promise<void> {
    const c = await connect(resolveTarget(server.url(database, verifyFull(tls)), { env: {} }));
    try {
      for (const s of statements) await c.query(s);
    } finally {
      await c.end();
    }
  }

  /** Runs the rendered command line through /bin/sh -c in the project directory with exactly the rendered environment. */
  function runRendered(input: ValidateCommandInput): Promise<{ code: number; stdout: string; stderr: string }> {
    const r = renderValidateCommand(input);
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...r.environment };
    return new Promise((resolve, reject) => {
      const child = spawn('/bin/sh', ['-c', r.create], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
  }

  const local = (s: LocalServer) => ({ host: 'localhost', port: s.port });
  let input: ValidateCommandInput;

  before(async () => {
    tls = makeTlsFixture();
    // Same user and password on both sides, as on a clone restored from a snapshot of the source.
    [s13, s16] = await Promise.all([
      startServer(13, tls, { user: 'tooljet', password: PASSWORD }),
      startServer(16, tls, { user: 'tooljet', password: PASSWORD }),
    ]);
    const schema = [
      'CREATE TABLE apps (id serial PRIMARY KEY, name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())',
      "INSERT INTO apps (name, created_at) SELECT 'app ' || g, '2024-01-01'::timestamptz + g * interval '1 hour' FROM generate_series(1, 50) g",
    ];
    for (const s of [s13, s16]) {
      await sql(s, 'postgres', 'CREATE DATABASE tooljet_production', 'CREATE DATABASE tooljet_db');
      await sql(s, 'tooljet_production', ...schema);
      await sql(
        s,
        'tooljet_db',
        'CREATE TABLE rows (id int PRIMARY KEY, v text)',
        'INSERT INTO rows SELECT g, md5(g::text) FROM generate_series(1, 20) g',
      );
    }
    input = {
      ...base,
      source: local(s13),
      target: local(s16),
      // absolute: the test CA lives outside the project directory
      caFile: tls.ca.certFile,
      jobs: 2,
      analyze: true,
    };
  });
  after(async () => {
    await Promise.all([s13, s16].filter(Boolean).map((s) => s.stop()));
    tls.cleanup();
  });

  it('exits 0 when the clone holds what the source holds, and prints no password', async () => {
    const r = await runRendered(input);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /PostgreSQL 16\.9 \(expected 16\.9\)/);
    assert.match(r.stdout, /verify-full/);
    assert.ok(!`${r.stdout}${r.stderr}`.includes(PASSWORD), 'the password must never be printed');
  });

  it('exits non-zero when one row differs on the clone (the command fails `pulumi up`)', async () => {
    await sql(s16, 'tooljet_production', "UPDATE apps SET name = 'renamed' WHERE id = 7");
    try {
      const r = await runRendered(input);
      assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
      assert.match(r.stdout, /FAIL +content checksums \[tooljet_production\]/);
      assert.ok(!`${r.stdout}${r.stderr}`.includes(PASSWORD));
    } finally {
      await sql(s16, 'tooljet_production', "UPDATE apps SET name = 'app 7' WHERE id = 7");
    }
  });

  it('exits non-zero when a row differs in the ToolJet Database only', async () => {
    await sql(s16, 'tooljet_db', 'DELETE FROM rows WHERE id = 3');
    try {
      const r = await runRendered(input);
      assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
      assert.match(r.stdout, /FAIL +row counts \[tooljet_db\]/);
    } finally {
      await sql(s16, 'tooljet_db', "INSERT INTO rows VALUES (3, md5('3'))");
    }
  });

  it('--live-source (no maintenance window): writes the source took since the snapshot warn, a schema difference still fails', async () => {
    // ToolJet kept running on the source: two new apps, one renamed, the sequence moved on.
    await sql(
      s13,
      'tooljet_production',
      "INSERT INTO apps (name) VALUES ('new 1'), ('new 2')",
      "UPDATE apps SET name = 'renamed' WHERE id = 9",
    );
    try {
      const live = await runRendered({ ...input, liveSource: true });
      assert.equal(live.code, 0, `${live.stdout}\n${live.stderr}`);
      assert.match(
        live.stdout,
        /WARN +row counts \[tooljet_production\] +1 of 1 tables have a different number of rows \(the/,
      );
      assert.match(live.stdout, /public\.apps: source 52 rows, target 50 \(-2\)/);
      assert.match(live.stdout, /WARN +content checksums \[tooljet_production\]/);
      assert.match(live.stdout, /WARN +sequence values \[tooljet_production\]/);
      // The same data without --live-source: exact equality, so the command fails.
      assert.equal((await runRendered(input)).code, 1);

      await sql(s16, 'tooljet_production', 'CREATE INDEX apps_name_idx ON apps (name)');
      try {
        const schema = await runRendered({ ...input, liveSource: true });
        assert.equal(schema.code, 1, `${schema.stdout}\n${schema.stderr}`);
        assert.match(schema.stdout, /FAIL +schema: indexes \[tooljet_production\]/);
      } finally {
        await sql(s16, 'tooljet_production', 'DROP INDEX apps_name_idx');
      }
    } finally {
      await sql(
        s13,
        'tooljet_production',
        'DELETE FROM apps WHERE id > 50',
        "UPDATE apps SET name = 'app 9' WHERE id = 9",
        "SELECT setval('apps_id_seq', 50)",
      );
    }
  });

  it('exits non-zero when the clone is not the expected version (--expect-version = clone.engineVersion)', async () => {
    const r = await runRendered({ ...input, expectVersion: '16.8' });
    assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /FAIL +target version +target runs PostgreSQL 16\.9, expected 16\.8/);
  });
});
