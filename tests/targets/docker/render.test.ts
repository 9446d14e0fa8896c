import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as util from 'util';
import {
  DOCKER_SECRET_KEYS,
  DockerTargetInput,
  mergeDockerEnv,
  planDockerTarget,
  renderComposeOverride,
  renderDockerEnv,
  writeDockerTarget,
} from '../../../targets/docker/render';
import { CONTAINER_CA_PATH } from '../../../targets/shared/render';
import {
  assertNoSecrets,
  AWKWARD_PASSWORD,
  CaFixture,
  CLONE,
  fakeSecrets,
  FakeSecrets,
  makeCaBundle,
  onlyHostMoves,
  SOURCE,
} from '../../helpers/targets';

// js-yaml ships without types; it is installed with mocha and @pulumi/pulumi (a real YAML 1.2 parser reads our YAML).

const yaml: { load(text: string): unknown } = require('js-yaml');

/** A user's .env in the layout of ToolJet's docker-compose-with-external-postgresql/.env.external.example, filled in. */
const USER_ENV = `# ToolJet (docker compose, external PostgreSQL)
TOOLJET_HOST=https://tooljet.example.com
LOCKBOX_MASTER_KEY=__LOCKBOX__
SECRET_KEY_BASE=__SKB__

# DATABASE CONFIG
ORM_LOGGING=all
PG_DB=tooljet_prod
PG_USER=tooljet_app
PG_HOST=tooljet-pg13-source.c1abcdefgh.eu-west-1.rds.amazonaws.com
PG_PASS=old-password
PG_PORT=5432

# TOOLJET DATABASE
TOOLJET_DB=tooljet_db
TOOLJET_DB_USER=tooljet_app
TOOLJET_DB_HOST=tooljet-pg13-source.c1abcdefgh.eu-west-1.rds.amazonaws.com
TOOLJET_DB_PASS=old-password

PGRST_HOST=localhost:3001
PGRST_DB_URI=postgres://tooljet_app:old-password@tooljet-pg13-source.c1abcdefgh.eu-west-1.rds.amazonaws.com/tooljet_db
PGRST_JWT_SECRET=__JWT__
PGRST_SERVER_PORT=3001
PGRST_DB_PRE_CONFIG=postgrest.pre_config

# my own additions
REDIS_HOST=redis.internal
SMTP_PASSWORD='s3cret with spaces'
DEPLOYMENT_PLATFORM=docker
`;

describe('targets/docker/render: .env, compose override and bundle for the external-PostgreSQL compose setup', () => {
  let ca: CaFixture;
  let secrets: FakeSecrets;
  let work: string;
  let userEnv: string;

  before(() => {
    ca = makeCaBundle();
    secrets = fakeSecrets();
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'tj-docker-'));
    userEnv = USER_ENV.replace('__LOCKBOX__', secrets.lockboxMasterKey)
      .replace('__SKB__', secrets.secretKeyBase)
      .replace('__JWT__', secrets.pgrstJwtSecret);
  });
  after(() => {
    ca.cleanup();
    fs.rmSync(work, { recursive: true, force: true });
  });

  const input = (over: Partial<DockerTargetInput> = {}): DockerTargetInput => ({
    database: CLONE,
    secrets: { ...secrets },
    tooljetHost: 'https://tooljet.example.com',
    caBundle: ca.bundle,
    ...over,
  });

  it('renders a new .env with PGSSLMODE=verify-full and the CA variables pointing at the mounted bundle', () => {
    const env = util.parseEnv(renderDockerEnv(input())) as Record<string, string>;
    assert.equal(env.PGSSLMODE, 'verify-full');
    assert.equal(env.NODE_EXTRA_CA_CERTS, CONTAINER_CA_PATH);
    assert.equal(env.PGSSLROOTCERT, CONTAINER_CA_PATH);
    assert.equal(env.PG_HOST, CLONE.host);
    assert.equal(env.TOOLJET_DB_HOST, CLONE.host);
    assert.equal(env.PG_PORT, '5432');
    assert.equal(env.PG_DB, 'tooljet_prod');
    assert.equal(env.TOOLJET_DB, 'tooljet_db');
    assert.equal(env.PG_PASS, secrets.pgPassword);
    assert.equal(env.TOOLJET_DB_PASS, secrets.tooljetDbPassword);
    assert.equal(env.LOCKBOX_MASTER_KEY, secrets.lockboxMasterKey);
    assert.equal(env.PGRST_HOST, 'localhost:3001', 'PostgREST runs inside the tooljet container');
    assert.equal(
      env.PGRST_DB_URI,
      `postgres://tooljet_app:${secrets.tooljetDbPassword}@${CLONE.host}:5432/tooljet_db?sslmode=verify-full&sslrootcert=/certs/global-bundle.pem`,
    );
    assert.ok(!('DATABASE_URL' in env) && !('CA_CERT' in env), 'either would make ToolJet skip verification');
    assert.ok(!Object.values(env).some((v) => /rejectUnauthorized|NODE_TLS_REJECT_UNAUTHORIZED/.test(v)));
  });

  it('percent-encodes the password in PGRST_DB_URI and quotes it in PG_PASS', () => {
    const env = util.parseEnv(
      renderDockerEnv(input({ secrets: { ...secrets, pgPassword: AWKWARD_PASSWORD, tooljetDbPassword: undefined } })),
    ) as Record<string, string>;
    assert.equal(env.PG_PASS, AWKWARD_PASSWORD);
    assert.equal(env.TOOLJET_DB_PASS, AWKWARD_PASSWORD, 'TOOLJET_DB_PASS defaults to PG_PASS');
    const url = new URL(env.PGRST_DB_URI);
    assert.equal(decodeURIComponent(url.password), AWKWARD_PASSWORD);
    assert.match(
      env.PGRST_DB_URI,
      /^[A-Za-z0-9:/@%.?&=_~-]+$/,
      'no quotes, spaces, $ or backslashes (ToolJet writes it into db-uri = "...")',
    );
  });

  it('needs every ToolJet variable for a new .env', () => {
    assert.throws(
      () => renderDockerEnv(input({ tooljetHost: undefined })),
      /a new ToolJet \.env needs tooljetHost \(TOOLJET_HOST\)/,
    );
    assert.throws(
      () => renderDockerEnv(input({ secrets: { pgPassword: 'x' } })),
      /LOCKBOX_MASTER_KEY.*SECRET_KEY_BASE.*PGRST_JWT_SECRET/,
    );
    assert.throws(
      () => renderDockerEnv(input({ secrets: { ...secrets, lockboxMasterKey: 'short' } })),
      /LOCKBOX_MASTER_KEY must be 32 bytes/,
    );
  });

  it('merges into an existing .env: our keys updated, user keys, comments and order kept, idempotent', () => {
    const { text, changes } = mergeDockerEnv(userEnv, input({ tooljetHost: undefined }));
    const before = userEnv.split('\n');
    const after = text.split('\n');
    // Lines that are not ours are identical and in the same order.
    const ours = new Set([
      'PG_HOST',
      'PG_PASS',
      'TOOLJET_DB_HOST',
      'TOOLJET_DB_PASS',
      'PGRST_DB_URI',
      'PG_PORT',
      'PG_USER',
      'PG_DB',
      'TOOLJET_DB',
      'TOOLJET_DB_USER',
      'TOOLJET_DB_PORT',
      'LOCKBOX_MASTER_KEY',
      'SECRET_KEY_BASE',
      'PGRST_JWT_SECRET',
      'PGSSLMODE',
      'PGSSLROOTCERT',
      'NODE_EXTRA_CA_CERTS',
    ]);
    const keyOf = (l: string) => /^([A-Z_]+)=/.exec(l)?.[1] ?? '';
    assert.deepEqual(
      after.filter((l) => !ours.has(keyOf(l))).slice(0, before.filter((l) => !ours.has(keyOf(l))).length),
      before.filter((l) => !ours.has(keyOf(l))),
    );
    assert.equal(
      after.indexOf(`PG_HOST=${CLONE.host}`),
      before.findIndex((l) => l.startsWith('PG_HOST=')),
      'PG_HOST updated where it was',
    );
    const env = util.parseEnv(text) as Record<string, string>;
    assert.equal(env.REDIS_HOST, 'redis.internal');
    assert.equal(env.SMTP_PASSWORD, 's3cret with spaces');
    assert.equal(env.PG_PASS, secrets.pgPassword);
    assert.equal(env.PGSSLMODE, 'verify-full');
    assert.equal(env.NODE_EXTRA_CA_CERTS, CONTAINER_CA_PATH);
    assert.equal(env.TOOLJET_HOST, 'https://tooljet.example.com');
    const byKey = Object.fromEntries(changes.map((c) => [c.key, c.change]));
    assert.equal(byKey.PG_HOST, 'updated');
    assert.equal(byKey.LOCKBOX_MASTER_KEY, 'unchanged');
    assert.equal(byKey.PGSSLMODE, 'added');
    assert.equal(byKey.TOOLJET_DB_PORT, 'added');
    assert.equal(byKey.PGRST_HOST, undefined, "PGRST_HOST is the user's when present");

    const again = mergeDockerEnv(text, input({ tooljetHost: undefined }));
    assert.equal(again.text, text, 'merge twice = same bytes');
  });

  it('refuses to change an existing LOCKBOX_MASTER_KEY (stored credentials would become unreadable)', () => {
    const other = fakeSecrets();
    assert.throws(
      () => mergeDockerEnv(userEnv, input({ secrets: { ...secrets, lockboxMasterKey: other.lockboxMasterKey } })),
      /LOCKBOX_MASTER_KEY in the existing \.env differs/,
    );
  });

  it('mounts the bundle read-only at the path NODE_EXTRA_CA_CERTS names, for the tooljet service', () => {
    const doc = yaml.load(renderComposeOverride({})) as {
      services: Record<string, { volumes: Array<Record<string, unknown>> }>;
    };
    assert.deepEqual(Object.keys(doc.services), ['tooljet']);
    assert.deepEqual(doc.services.tooljet.volumes, [
      {
        type: 'bind',
        source: './certs/global-bundle.pem',
        target: '/certs/global-bundle.pem',
        read_only: true,
      },
    ]);
    const env = util.parseEnv(renderDockerEnv(input())) as Record<string, string>;
    assert.equal(doc.services.tooljet.volumes[0].target, env.NODE_EXTRA_CA_CERTS);
    const two = yaml.load(
      renderComposeOverride({ services: ['tooljet', 'postgrest'], bundleFile: 'tls/rds.pem' }),
    ) as typeof doc;
    assert.deepEqual(Object.keys(two.services), ['tooljet', 'postgrest']);
    assert.equal(two.services.postgrest.volumes[0].source, './tls/rds.pem');
    assert.throws(
      () => renderComposeOverride({ bundleFile: '../outside.pem' }),
      /relative path inside the compose directory/,
    );
  });

  it('writes the three files atomically with modes 600/644/644, and a second write changes nothing', () => {
    const dir = fs.mkdtempSync(path.join(work, 'compose-'));
    fs.writeFileSync(path.join(dir, '.env'), userEnv, { mode: 0o644 });
    const plan = writeDockerTarget(dir, input());
    const envText = fs.readFileSync(path.join(dir, '.env'), 'utf8');
    assert.equal(envText, plan.files.env.text);
    assert.equal(fs.statSync(path.join(dir, '.env')).mode & 0o777, 0o600);
    assert.equal(
      fs.readFileSync(path.join(dir, 'certs/global-bundle.pem'), 'utf8'),
      ca.pem,
      'bundle content is the input PEM',
    );
    assert.equal(fs.statSync(path.join(dir, 'certs/global-bundle.pem')).mode & 0o777, 0o644);
    assert.equal(fs.statSync(path.join(dir, 'docker-compose.override.yml')).mode & 0o777, 0o644);
    assert.deepEqual(
      fs.readdirSync(dir).sort(),
      ['.env', 'certs', 'docker-compose.override.yml'],
      'no temporary files left',
    );
    writeDockerTarget(dir, input());
    assert.equal(fs.readFileSync(path.join(dir, '.env'), 'utf8'), envText);
  });

  it('comments out DATABASE_URL, CA_CERT and NODE_TLS_REJECT_UNAUTHORIZED (they would undo verify-full), reported without values', () => {
    const dir = fs.mkdtempSync(path.join(work, 'stale-'));
    const stale =
      userEnv +
      'DATABASE_URL=postgres://tooljet_app:old-password@tooljet-pg13-source.c1abcdefgh.eu-west-1.rds.amazonaws.com/tooljet_prod\n' +
      "CA_CERT='-----BEGIN CERTIFICATE-----\nMIIBold\n-----END CERTIFICATE-----'\n" +
      'NODE_TLS_REJECT_UNAUTHORIZED=0\n';
    fs.writeFileSync(path.join(dir, '.env'), stale);
    const plan = writeDockerTarget(dir, input());
    const text = fs.readFileSync(path.join(dir, '.env'), 'utf8');
    // What ToolJet reads (dotenv): none of them, next to the new host and verify-full.
    const env = util.parseEnv(text) as Record<string, string>;
    for (const k of ['DATABASE_URL', 'CA_CERT', 'NODE_TLS_REJECT_UNAUTHORIZED'])
      assert.equal(env[k], undefined, `${k} is no longer set`);
    assert.equal(env.PG_HOST, CLONE.host);
    assert.equal(env.PGSSLMODE, 'verify-full');
    assert.match(
      text,
      /^# \[disabled by tj-pg-upgrade\] DATABASE_URL=postgres:\/\/tooljet_app:old-password@/m,
      'kept as a comment for a manual revert',
    );
    assert.match(text, /^# \[disabled by tj-pg-upgrade\] MIIBold$/m, 'the whole multi-line value is commented out');
    assert.deepEqual(
      plan.changes.filter((c) => c.change === 'disabled').map((c) => c.key),
      ['DATABASE_URL', 'CA_CERT', 'NODE_TLS_REJECT_UNAUTHORIZED'],
    );
    assert.match(
      plan.summary,
      /DATABASE_URL: disabled \(commented out; ToolJet then connects with rejectUnauthorized: false/,
    );
    assert.match(
      plan.summary,
      /NODE_TLS_REJECT_UNAUTHORIZED: disabled \(commented out; Node then skips certificate verification/,
    );
    assert.ok(
      !plan.summary.includes('old-password') && !plan.summary.includes('MIIBold'),
      'old values are not printed',
    );
    const again = writeDockerTarget(dir, input());
    assert.equal(fs.readFileSync(path.join(dir, '.env'), 'utf8'), text, 'second write: byte-identical');
    assert.ok(!again.changes.some((c) => c.change === 'disabled'));
  });

  it('creates a .env when the directory has none', () => {
    const dir = fs.mkdtempSync(path.join(work, 'fresh-'));
    writeDockerTarget(dir, input());
    assert.equal(fs.readFileSync(path.join(dir, '.env'), 'utf8'), renderDockerEnv(input()));
  });

  it('refuses to overwrite an override file it did not write, changing nothing', () => {
    const dir = fs.mkdtempSync(path.join(work, 'foreign-'));
    fs.writeFileSync(path.join(dir, '.env'), userEnv);
    fs.writeFileSync(path.join(dir, 'docker-compose.override.yml'), 'services:\n  tooljet:\n    ports: ["8080:80"]\n');
    assert.throws(
      () => writeDockerTarget(dir, input()),
      /docker-compose\.override\.yml exists and was not written by tj-pg-upgrade/,
    );
    assert.equal(fs.readFileSync(path.join(dir, '.env'), 'utf8'), userEnv);
    assert.equal(fs.existsSync(path.join(dir, 'certs')), false);
    assert.throws(
      () => writeDockerTarget(path.join(work, 'missing'), input()),
      /does not exist: point it at the folder that holds ToolJet's docker-compose\.yaml/,
    );
  });

  it('summarises the change for previews without any secret value', () => {
    const plan = planDockerTarget('/srv/tooljet', input(), userEnv);
    assertNoSecrets('summary', plan.summary, { ...secrets });
    assertNoSecrets('override', plan.files.override.text, { ...secrets });
    assert.match(
      plan.summary,
      new RegExp(`PG_HOST: "${SOURCE.host.replace(/\./g, '\\.')}" -> "${CLONE.host.replace(/\./g, '\\.')}"`),
    );
    assert.match(plan.summary, /PG_PASS: updated \(secret, value hidden\)/);
    assert.match(plan.summary, /PGSSLMODE: added "verify-full"/);
    assert.ok(DOCKER_SECRET_KEYS.includes('PGRST_DB_URI'), 'the URI carries the password here');
    assert.ok(!plan.summary.includes('old-password'), 'old secret values are hidden too');
  });

  it('re-points only the host when the active database flips from clone to source', () => {
    assert.ok(
      onlyHostMoves((database) => renderDockerEnv(input({ database }))) >= 3,
      'PG_HOST, TOOLJET_DB_HOST, PGRST_DB_URI',
    );
    assert.ok(onlyHostMoves((database) => mergeDockerEnv(userEnv, input({ database })).text) >= 3);
  });
});
