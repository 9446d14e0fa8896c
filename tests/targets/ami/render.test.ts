// The AMI user-data is run for real: bash executes the rendered script against a scratch root directory that holds a
// ToolJet AMI .env (tests/render/fixtures/ami.env has the layout of ToolJet's deploy/ec2/ee/.env: same keys and order,
// no PG_PORT/TOOLJET_DB_PORT, a `KEY = value` line, a value with a trailing space, no final newline, filled in as on a
// running instance). Only `aws`, `curl` and `systemctl` are stubs (on PATH, recording their calls); sha256sum,
// python3, mktemp, mv, chmod... are the real ones.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as util from 'util';
import * as crypto from 'crypto';
import { AMI_ENV_KEYS, AmiTargetInput, EC2_USER_DATA_LIMIT, renderAmiUserData } from '../../../targets/ami/render';
import { postgrestUri, tooljetDatabaseEnv } from '../../../targets/shared/database-env';
import { DISABLED_MARKER, mergeEnv } from '../../../targets/shared/dotenv';
import { AMI_CA_PATH } from '../../../targets/shared/render';
import { UNSAFE_ENV_NAMES } from '../../../targets/shared/unsafe-env';
import { AmiSandbox, AWKWARD_PASSWORD, CaFixture, CLONE, makeCaBundle, onlyHostMoves } from '../../helpers/targets';
import { caBundleFromPem, caBundleSha256, readCaBundleFile } from '../../../lib/tls/ca-bundle';

const FIXTURE = fs.readFileSync(path.join(__dirname, 'fixtures', 'ami.env'), 'utf8');
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:tooljet/rds-master-AbCdEf';

describe('targets/ami/render: EC2 user-data run against a scratch root', function () {
  let ca: CaFixture;
  let work: string;

  before(() => {
    ca = makeCaBundle();
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'tj-ami-'));
  });
  after(() => {
    ca.cleanup();
    fs.rmSync(work, { recursive: true, force: true });
  });

  const baseInput = (): AmiTargetInput => ({
    database: CLONE,
    region: 'eu-west-1',
    caBundle: ca.bundle,
    caBundleSource: { s3: { bucket: 'tooljet-rds-ca', key: 'bundles/global-bundle.pem' } },
    pgPassword: { secretsManager: { secretId: SECRET_ARN, jsonKey: 'password' } },
  });

  const ud = (over: Partial<AmiTargetInput> = {}) => renderAmiUserData({ ...baseInput(), ...over });
  /** The keys the script writes for the clone with `password`, in its order (what mergeEnv is compared with). */
  const amiEntries = (password: string) => {
    const expected: Record<string, string> = {
      ...tooljetDatabaseEnv(CLONE, AMI_CA_PATH),
      PG_PASS: password,
      TOOLJET_DB_PASS: password,
      PGRST_DB_URI: postgrestUri(CLONE, { caPath: AMI_CA_PATH, password }),
    };
    return AMI_ENV_KEYS.map((k) => [k, expected[k]] as const);
  };
  const rdsSecret = (password: string) => JSON.stringify({ username: CLONE.user, password, engine: 'postgres' });

  it('is clean under shellcheck (S3 + Secrets Manager, and URL + SSM variants)', () => {
    const variants: AmiTargetInput[] = [
      baseInput(),
      {
        ...baseInput(),
        caBundleSource: { url: 'https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem' },
        pgPassword: { ssmParameter: { name: '/tooljet/pg-password' } },
        tooljetDbPassword: { secretsManager: { secretId: 'tooljet/tooljet-db' } },
      },
    ];
    for (const v of variants) {
      const r = spawnSync('shellcheck', ['--shell=bash', '--severity=style', '-'], {
        input: renderAmiUserData(v),
        encoding: 'utf8',
      });
      assert.equal(r.error, undefined, `shellcheck did not run: ${r.error?.message}`);
      assert.equal(r.status, 0, r.stdout + r.stderr);
    }
  });

  it('stays well under the 16 KB user-data limit and embeds no bundle and no password', () => {
    const ud = renderAmiUserData(baseInput());
    const size = Buffer.byteLength(ud);
    assert.ok(size < EC2_USER_DATA_LIMIT * 0.8, `user-data is ${size} bytes`);
    assert.ok(!ud.includes('BEGIN CERTIFICATE'), 'the bundle itself must not be in user-data');
    assert.ok(ud.includes(SECRET_ARN), 'the password is referenced by its secret ARN');
    assert.match(ud, /TJ_CA_SHA256='[0-9a-f]{64}'/);
  });

  it('updates only the database/TLS keys, installs the bundle 644, restarts nest and postgrest; a second run changes nothing', () => {
    const b = new AmiSandbox(work, FIXTURE);
    const r1 = b.run(ud(), { bundle: ca.pem, secret: rdsSecret(AWKWARD_PASSWORD) });
    assert.equal(r1.status, 0, r1.stderr);
    const after1 = fs.readFileSync(b.envFile, 'utf8');

    // Exactly what the TypeScript merge produces for the same keys (two independent implementations agree).
    const db = tooljetDatabaseEnv(CLONE, AMI_CA_PATH);
    const expected: Record<string, string> = {
      ...db,
      PG_PASS: AWKWARD_PASSWORD,
      TOOLJET_DB_PASS: AWKWARD_PASSWORD,
      PGRST_DB_URI: postgrestUri(CLONE, { caPath: AMI_CA_PATH, password: AWKWARD_PASSWORD }),
    };
    const entries = AMI_ENV_KEYS.map((k) => [k, expected[k]] as const);
    assert.equal(after1, mergeEnv(FIXTURE, entries).text);

    // Every line that is not ours is unchanged and in the same order; ours come after them only if they were missing.
    const ours = new Set<string>(AMI_ENV_KEYS);
    const keyOf = (l: string) => /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(l)?.[1];
    const notOurs = (t: string) => t.split('\n').filter((l) => !ours.has(keyOf(l) ?? ''));
    const kept = notOurs(after1).slice(0, notOurs(FIXTURE).length);
    assert.deepEqual(kept, notOurs(FIXTURE));
    assert.ok(
      after1.startsWith(FIXTURE.split('PG_USER=')[0]),
      'the lines before the first database key are byte-identical',
    );
    assert.match(after1, /SSO_HUBSPOT_FORM_ID = 00000000-1111-2222-3333-444444444444\n\n# Added by tj-pg-upgrade/);
    assert.match(after1, /^PG_HOST=tooljet-pg16-clone\./m);
    assert.ok(
      !after1.includes('tooljet-pg13'),
      'the old host is gone everywhere (PG_HOST, TOOLJET_DB_HOST, PGRST_DB_URI)',
    );

    // Real parsers read back the values we meant: Node's dotenv parser and bash `source` (ToolJet's setup_app).
    const parsed = util.parseEnv(after1) as Record<string, string>;
    for (const k of AMI_ENV_KEYS) assert.equal(parsed[k], expected[k], `dotenv reads ${k}`);
    const sourced = spawnSync(
      'bash',
      [
        '-c',
        'set -a; source "$1" 2>/dev/null; printf "%s\\0" "$PG_PASS" "$PGRST_DB_URI" "$NODE_EXTRA_CA_CERTS" "$PGSSLMODE"',
        '_',
        b.envFile,
      ],
      { encoding: 'utf8' },
    );
    assert.deepEqual(sourced.stdout.split('\0').slice(0, 4), [
      AWKWARD_PASSWORD,
      expected.PGRST_DB_URI,
      AMI_CA_PATH,
      'verify-full',
    ]);
    assert.equal(parsed.PGSSLMODE, 'verify-full');
    assert.equal(parsed.NODE_EXTRA_CA_CERTS, '/home/ubuntu/certs/global-bundle.pem');
    assert.equal(
      parsed.LOCKBOX_MASTER_KEY,
      util.parseEnv(FIXTURE).LOCKBOX_MASTER_KEY,
      'app secrets are not ours to touch',
    );

    assert.equal(fs.readFileSync(b.at(AMI_CA_PATH), 'utf8'), ca.pem, 'bundle content is the input PEM');
    assert.equal(fs.statSync(b.at(AMI_CA_PATH)).mode & 0o777, 0o644);
    assert.equal(
      fs.statSync(b.envFile).mode & 0o777,
      0o600,
      'the .env is readable by its owner only (it holds PG_PASS)',
    );
    const c = b.calls();
    assert.match(
      c[0],
      /^aws s3api get-object --region eu-west-1 --bucket tooljet-rds-ca --key bundles\/global-bundle\.pem \S+\/home\/ubuntu\/certs\/global-bundle\.pem\.download\.\w+$/,
    );
    assert.deepEqual(c.slice(1), [
      `aws secretsmanager get-secret-value --region eu-west-1 --secret-id ${SECRET_ARN} --query SecretString --output text`,
      'systemctl enable nest',
      'systemctl restart nest',
      'systemctl enable postgrest',
      'systemctl restart postgrest',
    ]);

    const r2 = b.run(ud(), { bundle: ca.pem, secret: rdsSecret(AWKWARD_PASSWORD) });
    assert.equal(r2.status, 0, r2.stderr);
    assert.equal(fs.readFileSync(b.envFile, 'utf8'), after1, 'second run: byte-identical .env');
    assert.match(r2.stderr, /already up to date/);
    assert.equal(fs.readFileSync(b.at(AMI_CA_PATH), 'utf8'), ca.pem);
    assert.deepEqual(fs.readdirSync(path.dirname(b.at(AMI_CA_PATH))), ['global-bundle.pem'], 'no temporary files left');
    assert.deepEqual(fs.readdirSync(path.dirname(b.envFile)), ['.env']);
  });

  it('merges exactly like mergeEnv on awkward layouts (export, duplicates, multi-line values, CRLF)', () => {
    const entries = amiEntries('pw');
    const layouts = [
      [
        '# top',
        'export PG_HOST=old',
        'CERT="-----BEGIN',
        'PG_HOST=inside-value',
        '-----END"',
        'PG_PASS="multi',
        'line"',
        'X=1',
        'PG_HOST=dup',
      ].join('\n') + '\n',
      ['PG_HOST=old', 'KEEP=1', 'PG_PASS=old'].join('\r\n') + '\r\n',
      'ONLY_OTHER=1',
    ];
    for (const layout of layouts) {
      const b = new AmiSandbox(work, layout);
      const r = b.run(ud(), { bundle: ca.pem, secret: rdsSecret('pw') });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(fs.readFileSync(b.envFile, 'utf8'), mergeEnv(layout, entries).text, JSON.stringify(layout));
    }
  });

  it('comments out DATABASE_URL, TOOLJET_DB_URL, CA_CERT and NODE_TLS_REJECT_UNAUTHORIZED exactly like mergeEnv, once', () => {
    const entries = amiEntries('pw');
    const stale = [
      FIXTURE,
      'DATABASE_URL=postgres://tooljet:OldPlainPass13@tooljet-pg13.cluster0.eu-west-1.rds.amazonaws.com/tooljet_prod',
      'export NODE_TLS_REJECT_UNAUTHORIZED=0',
      'CA_CERT="-----BEGIN CERTIFICATE-----',
      'MIIBold',
      '-----END CERTIFICATE-----"',
      'TOOLJET_DB_URL=postgres://tooljet@tooljet-pg13.cluster0.eu-west-1.rds.amazonaws.com/tooljet_db\r',
      'DATABASE_URL=dup',
    ].join('\n');
    const b = new AmiSandbox(work, stale);
    const r1 = b.run(ud(), { bundle: ca.pem, secret: rdsSecret('pw') });
    assert.equal(r1.status, 0, r1.stderr);
    const after1 = fs.readFileSync(b.envFile, 'utf8');
    assert.equal(after1, mergeEnv(stale, entries, { disable: UNSAFE_ENV_NAMES }).text, 'bash and TypeScript agree');
    assert.match(
      r1.stderr,
      /commented out DATABASE_URL NODE_TLS_REJECT_UNAUTHORIZED CA_CERT TOOLJET_DB_URL in \/home\/ubuntu\/app\/\.env/,
    );
    assert.ok(!r1.stderr.includes('OldPlainPass13'), 'the old value (a password) is not logged');
    // What ToolJet (dotenv) and bash now read: none of the four is set; the old lines are kept as comments.
    const parsed = util.parseEnv(after1) as Record<string, string>;
    for (const k of UNSAFE_ENV_NAMES) assert.equal(parsed[k], undefined, `${k} is gone for dotenv`);
    const sourced = spawnSync(
      'bash',
      [
        '-c',
        'set -a; source "$1" 2>/dev/null; printf "%s|" "${DATABASE_URL-unset}" "${NODE_TLS_REJECT_UNAUTHORIZED-unset}" "${CA_CERT-unset}"',
        '_',
        b.envFile,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(sourced.stdout, 'unset|unset|unset|');
    assert.ok(after1.includes(`${DISABLED_MARKER}MIIBold\n`), 'every line of a multi-line value is commented out');
    assert.ok(after1.includes(`${DISABLED_MARKER}export NODE_TLS_REJECT_UNAUTHORIZED=0\n`));

    const r2 = b.run(ud(), { bundle: ca.pem, secret: rdsSecret('pw') });
    assert.equal(r2.status, 0, r2.stderr);
    assert.equal(fs.readFileSync(b.envFile, 'utf8'), after1, 'second run: byte-identical');
    assert.doesNotMatch(r2.stderr, /commented out/);
  });

  it('refuses a bundle whose SHA-256 differs: non-zero exit, .env and bundle untouched, ToolJet stopped (user-data.test.ts)', () => {
    const b = new AmiSandbox(work, FIXTURE);
    const r = b.run(ud(), { bundle: ca.otherPem, secret: rdsSecret('x') });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /has SHA-256 [0-9a-f]{64}, expected [0-9a-f]{64}: refusing to install it/);
    assert.equal(fs.readFileSync(b.envFile, 'utf8'), FIXTURE);
    assert.equal(fs.existsSync(b.at(AMI_CA_PATH)), false);
    assert.deepEqual(fs.readdirSync(path.dirname(b.at(AMI_CA_PATH))), [], 'the download was removed');
    assert.ok(!b.calls().some((c) => c.startsWith('systemctl restart')), 'nothing restarted');
  });

  it('fails clearly when the password cannot be read, changing nothing', () => {
    const b = new AmiSandbox(work, FIXTURE);
    const r = b.run(ud(), { bundle: ca.pem, secret: rdsSecret('x') }, { STUB_FAIL_SECRET: '1' });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /cannot read Secrets Manager secret .*secretsmanager:GetSecretValue.*AccessDeniedException/);
    assert.equal(fs.readFileSync(b.envFile, 'utf8'), FIXTURE);
    assert.equal(fs.existsSync(b.at(AMI_CA_PATH)), false, 'the verified bundle is not installed either');
    assert.ok(!b.calls().some((c) => c.startsWith('systemctl restart')));
  });

  it('refuses a password the .env cannot carry (a single quote), changing nothing', () => {
    const b = new AmiSandbox(work, FIXTURE);
    const r = b.run(ud(), { bundle: ca.pem, secret: rdsSecret("it's") });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /PG_PASS contains a single quote/);
    assert.equal(fs.readFileSync(b.envFile, 'utf8'), FIXTURE);
  });

  it('fails clearly without the AWS CLI', () => {
    const b = new AmiSandbox(work, FIXTURE, { withAws: false });
    const r = b.run(ud(), { bundle: ca.pem, secret: rdsSecret('x') });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /aws is not installed or not on PATH: install the AWS CLI/);
    assert.equal(fs.readFileSync(b.envFile, 'utf8'), FIXTURE);
  });

  it('fetches the bundle over https and the password from SSM when configured so', () => {
    const url = 'https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem';
    const b = new AmiSandbox(work, FIXTURE);
    const r = b.run(ud({ caBundleSource: { url }, pgPassword: { ssmParameter: { name: '/tooljet/pg-password' } } }), {
      bundle: ca.pem,
      secret: 'PlainFromSsm1',
    });
    assert.equal(r.status, 0, r.stderr);
    const c = b.calls();
    assert.match(c[0], new RegExp(`^curl .*--proto =https .*${url.replace(/[.]/g, '\\.')}$`));
    assert.equal(
      c[1],
      'aws ssm get-parameter --region eu-west-1 --name /tooljet/pg-password --with-decryption --query Parameter.Value --output text',
    );
    assert.equal(util.parseEnv(fs.readFileSync(b.envFile, 'utf8')).PG_PASS, 'PlainFromSsm1');
  });

  it("URL source: checks the SHA-256 of the published file's bytes, so CRLF, blank lines and text between blocks still boot", () => {
    const url = 'https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem';
    const [a, b] = ca.pem.split(/(?<=-----END CERTIFICATE-----\n)/);
    const published = `# Amazon RDS CA bundle\r\n\r\n${a.replace(/\n/g, '\r\n')}\r\nsome text between blocks\r\n\r\n${b.replace(/\n/g, '\r\n')}`;
    const file = path.join(work, 'published-bundle.pem');
    fs.writeFileSync(file, published);
    const read = readCaBundleFile(file, (f) => fs.readFileSync(f, 'utf8'));
    assert.ok(read.ok);
    const bundle = read.bundle;
    assert.notEqual(
      caBundleSha256(bundle.pem),
      bundle.fileSha256,
      'the normalised PEM hashes differently: hashing it would refuse every boot',
    );
    assert.equal(bundle.fileSha256, crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex'));

    const box = new AmiSandbox(work, FIXTURE);
    const r = box.run(ud({ caBundle: bundle, caBundleSource: { url } }), {
      bundle: published,
      secret: rdsSecret('pw'),
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(
      fs.readFileSync(box.at(AMI_CA_PATH), 'utf8'),
      published,
      'the instance installs the download as it is',
    );

    // Without the file's hash (the normalised PEM's instead) the same download is refused.
    const before = new AmiSandbox(work, FIXTURE);
    const refused = before.run(ud({ caBundle: { ...bundle, fileSha256: bundle.pemSha256 }, caBundleSource: { url } }), {
      bundle: published,
      secret: rdsSecret('pw'),
    });
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /refusing to install it/);
  });

  it('re-points only the host when the active database flips from clone to source', () => {
    const n = onlyHostMoves((database) => renderAmiUserData({ ...baseInput(), database }));
    assert.ok(n >= 3, 'header comment, PG_HOST and TOOLJET_DB_HOST settings');
  });

  it('rejects bad input with a one-line message', () => {
    assert.throws(
      () => renderAmiUserData({ ...baseInput(), region: 'Ireland' }),
      /region "Ireland" is not an AWS region/,
    );
    assert.throws(
      () => renderAmiUserData({ ...baseInput(), caBundleSource: { url: 'http://x/y.pem' } }),
      /must be an https URL/,
    );
    assert.throws(
      () => renderAmiUserData({ ...baseInput(), caBundle: caBundleFromPem('not a pem') }),
      /no "-----BEGIN CERTIFICATE-----" block/,
    );
    assert.throws(
      () => renderAmiUserData({ ...baseInput(), restartUnits: ['nest; rm -rf /'] }),
      /not a systemd unit name/,
    );
  });
});
