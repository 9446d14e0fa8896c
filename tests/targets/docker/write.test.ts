// The Docker target's writer: the exact command line, environment and stdin the local.Command gets, run for real
// through /bin/sh -c in the project directory (twice, to prove it idempotent, with a stand-in `docker` recording the
// restart), plus the error paths in-process.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  DOCKER_WRITE_COMMAND,
  dockerWriteEnvironment,
  DockerWriteSettings,
  redactSecrets,
  runDockerWrite,
} from '../../../targets/docker/write';
import { parseEnv } from '../../../targets/shared/dotenv';
import { CONTAINER_CA_PATH } from '../../../targets/shared/render';
import { REPO_ROOT } from '../../helpers/stack-file';
import { assertNoSecrets, CaFixture, CLONE, fakeSecrets, FakeSecrets, makeCaBundle } from '../../helpers/targets';

const EXISTING_ENV = `# ToolJet (docker compose, external PostgreSQL)
TOOLJET_HOST=https://tooljet.example.com
LOCKBOX_MASTER_KEY=__LOCKBOX__
SECRET_KEY_BASE=__SKB__
PG_DB=tooljet_prod
PG_USER=tooljet_app
PG_HOST=tooljet-pg13-source.c1abcdefgh.eu-west-1.rds.amazonaws.com
PG_PASS=old-password
SMTP_DOMAIN=mail.example.com   # a key the user added
`;

describe('targets/docker/write: the Docker writer (write-cli.js)', () => {
  let ca: CaFixture;
  let secrets: FakeSecrets;
  let work: string;
  before(() => {
    ca = makeCaBundle();
    secrets = fakeSecrets();
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'tj-docker-write-'));
  });
  after(() => {
    ca.cleanup();
    fs.rmSync(work, { recursive: true, force: true });
  });

  function settings(directory: string, extra: Partial<DockerWriteSettings> = {}): DockerWriteSettings {
    return {
      directory,
      services: ['tooljet'],
      bundleFile: 'certs/global-bundle.pem',
      overrideFile: 'docker-compose.override.yml',
      restart: false,
      database: CLONE,
      secrets: { pgPassword: secrets.pgPassword },
      ...extra,
    };
  }

  function composeDir(envText?: string): string {
    const dir = fs.mkdtempSync(path.join(work, 'compose-'));
    fs.writeFileSync(
      path.join(dir, 'docker-compose.yaml'),
      'services:\n  tooljet:\n    image: tooljet/tooljet:ee-lts-latest\n    env_file: .env\n',
    );
    if (envText !== undefined) fs.writeFileSync(path.join(dir, '.env'), envText, { mode: 0o644 });
    return dir;
  }

  describe('run as the local.Command runs it', () => {
    let dir: string;
    let stubLog: string;
    let first: ReturnType<typeof spawnSync>;
    let second: ReturnType<typeof spawnSync>;
    let afterFirst: string;

    before(() => {
      dir = composeDir(
        EXISTING_ENV.replace('__LOCKBOX__', secrets.lockboxMasterKey).replace('__SKB__', secrets.secretKeyBase),
      );
      const bin = fs.mkdtempSync(path.join(work, 'bin-'));
      stubLog = path.join(bin, 'docker.log');
      fs.writeFileSync(path.join(bin, 'docker'), `#!/bin/sh\nprintf '%s|%s\\n' "$(pwd)" "$*" >> "${stubLog}"\n`, {
        mode: 0o755,
      });
      const env = dockerWriteEnvironment(
        settings(dir, {
          restart: true,
          secrets: { pgPassword: secrets.pgPassword, lockboxMasterKey: secrets.lockboxMasterKey },
        }),
      );
      const run = () =>
        spawnSync('/bin/sh', ['-c', DOCKER_WRITE_COMMAND], {
          cwd: REPO_ROOT,
          env: { PATH: `${bin}:${process.env.PATH}`, HOME: process.env.HOME, ...env },
          input: ca.pem,
          encoding: 'utf8',
          timeout: 60_000,
        });
      first = run();
      afterFirst = fs.readFileSync(path.join(dir, '.env'), 'utf8');
      second = run();
    });

    it('exits 0 and writes the .env with verify-full and the CA variables at the mounted path', () => {
      assert.equal(first.status, 0, String(first.stderr));
      const env = parseEnv(afterFirst);
      assert.equal(env.get('PGSSLMODE'), 'verify-full');
      assert.equal(env.get('NODE_EXTRA_CA_CERTS'), CONTAINER_CA_PATH);
      assert.equal(env.get('PGSSLROOTCERT'), CONTAINER_CA_PATH);
      assert.equal(env.get('PG_HOST'), CLONE.host);
      assert.equal(env.get('PG_PASS'), secrets.pgPassword);
      assert.match(env.get('PGRST_DB_URI')!, /\?sslmode=verify-full&sslrootcert=\/certs\/global-bundle\.pem$/);
    });

    it('keeps the keys the user added and the secrets already in the file', () => {
      assert.match(afterFirst, /^SMTP_DOMAIN=mail\.example\.com {3}# a key the user added$/m);
      assert.equal(parseEnv(afterFirst).get('SECRET_KEY_BASE'), secrets.secretKeyBase);
      assert.equal(parseEnv(afterFirst).get('TOOLJET_HOST'), 'https://tooljet.example.com');
    });

    it('leaves the .env at mode 600, the bundle (identical to caBundle) at 644, and the read-only mount in the override', () => {
      assert.equal(fs.statSync(path.join(dir, '.env')).mode & 0o777, 0o600);
      const bundle = path.join(dir, 'certs', 'global-bundle.pem');
      assert.equal(fs.readFileSync(bundle, 'utf8'), ca.pem);
      assert.equal(fs.statSync(bundle).mode & 0o777, 0o644);
      const override = fs.readFileSync(path.join(dir, 'docker-compose.override.yml'), 'utf8');
      assert.match(
        override,
        /source: \.\/certs\/global-bundle\.pem\n\s+target: \/certs\/global-bundle\.pem\n\s+read_only: true/,
      );
    });

    it('restarts with docker compose up -d in the compose folder (targets.docker.restart)', () => {
      const calls = fs.readFileSync(stubLog, 'utf8').trim().split('\n');
      assert.deepEqual(calls, [`${dir}|compose up -d`, `${dir}|compose up -d`]);
    });

    it('is idempotent: the second run changes nothing', () => {
      assert.equal(second.status, 0, String(second.stderr));
      assert.equal(fs.readFileSync(path.join(dir, '.env'), 'utf8'), afterFirst);
      assert.doesNotMatch(String(second.stdout), /: (added|updated)/);
    });

    it('prints a summary without any secret value', () => {
      assert.match(String(first.stdout), /PG_PASS: updated \(secret, value hidden\)/);
      for (const out of [first.stdout, first.stderr, second.stdout, second.stderr])
        assertNoSecrets('writer output', String(out), { ...secrets });
    });
  });

  describe('errors (in-process): one line, nothing written, no secret', () => {
    function run(env: Record<string, string>, pem = ca.pem) {
      const out: string[] = [];
      const err: string[] = [];
      const code = runDockerWrite(env, pem, {
        out: (t) => out.push(t),
        err: (t) => err.push(t),
        composeUp: () => assert.fail('no restart expected'),
      });
      return { code, out: out.join('\n'), err: err.join('\n') };
    }

    it('a new installation needs TOOLJET_HOST and the app secrets', () => {
      const dir = composeDir();
      const r = run(dockerWriteEnvironment(settings(dir)));
      assert.equal(r.code, 1);
      assert.equal(
        r.err,
        'docker-target: a new ToolJet .env needs tooljetHost (TOOLJET_HOST), secrets.lockboxMasterKey (LOCKBOX_MASTER_KEY), secrets.secretKeyBase (SECRET_KEY_BASE), secrets.pgrstJwtSecret (PGRST_JWT_SECRET)',
      );
      assert.ok(!fs.existsSync(path.join(dir, '.env')));
      assert.ok(!fs.existsSync(path.join(dir, 'certs')));
    });

    it('a complete new installation is written', () => {
      const dir = composeDir();
      const r = run(
        dockerWriteEnvironment(settings(dir, { tooljetHost: 'https://tooljet.example.com', secrets: { ...secrets } })),
      );
      assert.equal(r.code, 0, r.err);
      const env = parseEnv(fs.readFileSync(path.join(dir, '.env'), 'utf8'));
      assert.equal(env.get('LOCKBOX_MASTER_KEY'), secrets.lockboxMasterKey);
      assert.equal(env.get('PGRST_JWT_SECRET'), secrets.pgrstJwtSecret);
      assertNoSecrets('summary', r.out, { ...secrets });
    });

    it('refuses to change the LOCKBOX_MASTER_KEY of an existing .env (stored credentials would become unreadable)', () => {
      const dir = composeDir(
        EXISTING_ENV.replace('__LOCKBOX__', 'a'.repeat(64)).replace('__SKB__', secrets.secretKeyBase),
      );
      const before = fs.readFileSync(path.join(dir, '.env'), 'utf8');
      const r = run(
        dockerWriteEnvironment(
          settings(dir, { secrets: { pgPassword: secrets.pgPassword, lockboxMasterKey: secrets.lockboxMasterKey } }),
        ),
      );
      assert.equal(r.code, 1);
      assert.match(r.err, /^docker-target: LOCKBOX_MASTER_KEY in the existing \.env differs from the configured value/);
      assert.equal(fs.readFileSync(path.join(dir, '.env'), 'utf8'), before);
      assertNoSecrets('error', r.err, { ...secrets, old: 'a'.repeat(64) });
    });

    it('a missing compose folder says what to point targets.docker.directory at', () => {
      const r = run(dockerWriteEnvironment(settings(path.join(work, 'does-not-exist'))));
      assert.equal(r.code, 1);
      assert.match(
        r.err,
        /docker target directory .*does-not-exist does not exist: point it at the folder that holds ToolJet's docker-compose\.yaml/,
      );
    });

    it('redacts secret values from unexpected errors too', () => {
      const dir = composeDir();
      // A directory where the .env should be: the read fails with an error that is not a RenderError.
      fs.mkdirSync(path.join(dir, '.env'));
      const env = dockerWriteEnvironment(
        settings(dir, { tooljetHost: 'https://tooljet.example.com', secrets: { ...secrets } }),
      );
      const r = run({ ...env, TJ_DOCKER_DIR: `${dir}` });
      assert.equal(r.code, 2);
      assert.match(r.err, /^docker-target: unexpected Error: EISDIR/);
      // ...and an error text that does carry a secret (raw or URI-encoded) is printed without it:
      const leaky = `connect postgres://u:${encodeURIComponent(secrets.pgPassword)}@h failed; key ${secrets.lockboxMasterKey}`;
      assert.equal(
        redactSecrets(leaky, env),
        'connect postgres://u:<PG_PASS hidden>@h failed; key <LOCKBOX_MASTER_KEY hidden>',
      );
    });
  });
});
