// parseStackConfig on its own: defaults, environment derivation, and one clear error for each kind of bad input.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { ConfigError, environmentFromStackName, parseStackConfig, StackConfig } from '../../config';
import { createCertificateAuthority } from '../../lib/tls/ca';
import { TARGET_KINDS } from '../../targets';
import { TEST_PASSWORD, testCaBundle, writeTempFile } from '../helpers/program';
import { readStackFile, REPO_ROOT } from '../helpers/stack-file';

const NS = 'tooljet-pg-upgrade';

type Raw = Record<string, unknown>;

/** The raw values of a real stack file, as Pulumi passes them, with the test CA bundle and a secret password. */
function fromStackFile(stack: string): Raw {
  const raw: Raw = {};
  for (const [k, v] of Object.entries(readStackFile(stack).config)) {
    if (k.startsWith(`${NS}:`)) raw[k.slice(NS.length + 1)] = v;
  }
  return { ...raw, caBundle: testCaBundle(), dbPassword: TEST_PASSWORD };
}

/** The least a user must set. */
function minimal(extra: Raw = {}): Raw {
  return {
    source: JSON.stringify({ identifier: 'tooljet-db' }),
    caBundle: testCaBundle(),
    database: JSON.stringify({ username: 'tooljet' }),
    dbPassword: TEST_PASSWORD,
    ...extra,
  };
}

function parse(raw: Raw, stack = 'staging', opts: { secret?: boolean; baseDir?: string } = {}): StackConfig {
  return parseStackConfig(raw, {
    stack,
    project: NS,
    baseDir: opts.baseDir ?? REPO_ROOT,
    isSecret: (key) => key === 'dbPassword' && (opts.secret ?? true),
  });
}

/** Asserts that parsing fails with exactly one problem matching `pattern`; returns the message. */
function failsWith(raw: Raw, pattern: RegExp, stack = 'staging', opts: { secret?: boolean } = {}): string {
  let caught: unknown;
  try {
    parse(raw, stack, opts);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof ConfigError, `expected a ConfigError, got ${String(caught)}`);
  assert.equal(caught.problems.length, 1, `expected one problem, got:\n${caught.message}`);
  assert.match(caught.message, pattern);
  assert.ok(!caught.message.includes('\n'), 'one problem is one line');
  return caught.message;
}

const obj = (o: unknown) => JSON.stringify(o);

describe('config/parse: parseStackConfig', () => {
  describe('the example stack files', () => {
    it('Pulumi.staging.yaml parses to a staging config with all four targets and the clone on 16.9', () => {
      const c = parse(fromStackFile('staging'), 'staging');
      assert.equal(c.environment, 'staging');
      assert.equal(c.environmentSource, 'config');
      assert.deepEqual(c.source, { identifier: 'tooljet-prod-db' });
      assert.deepEqual(c.snapshot, {
        mode: 'create',
        identifier: 'tooljet-prod-db-pre-pg16-staging',
        createTimeoutSeconds: 4 * 3600,
      });
      assert.deepEqual(c.clone, {
        identifier: 'test-db-pg13-clone',
        instanceClass: 'db.t3.medium',
        engineVersion: '16.9',
        parameterGroupName: 'test-db-pg13-clone-postgres16',
        multiAz: false,
        timeoutSeconds: { create: 4 * 3600, update: 4 * 3600, delete: 2 * 3600 },
      });
      assert.equal(c.activeDatabase, 'clone');
      assert.deepEqual(Object.keys(c.targets).sort(), [...TARGET_KINDS].sort(), 'every kind of the registry');
      assert.deepEqual(c.database, {
        username: 'tooljet',
        name: 'tooljet_production',
        tooljetDbName: 'tooljet_db',
      });
      assert.deepEqual(c.tags, { team: 'platform', 'cost-center': 'cc-0000' });
    });

    it('Pulumi.prod.yaml parses to a production config that is the cutover, in a maintenance window', () => {
      const c = parse(fromStackFile('prod'), 'prod');
      assert.equal(c.environment, 'production');
      assert.equal(c.activeDatabase, 'clone');
      assert.equal(c.maintenanceWindow, true);
      assert.equal(c.clone.finalSnapshotIdentifier, 'tooljet-prod-db-pg16-final');
      assert.equal(c.clone.backupRetentionPeriod, 7);
      assert.equal(c.clone.engineVersion, '16.9');
      assert.deepEqual(Object.keys(c.targets), ['ecs']);
    });

    it('does not hand the password back in the typed config', () => {
      const c = parse(fromStackFile('staging'));
      assert.ok(!JSON.stringify(c).includes(TEST_PASSWORD));
    });
  });

  describe('defaults', () => {
    it('fills every default for a minimal staging config', () => {
      const c = parse(minimal({ environment: 'staging' }), 'team-a');
      assert.deepEqual(c.snapshot, {
        mode: 'create',
        identifier: 'tooljet-db-pre-pg16-team-a',
        createTimeoutSeconds: 4 * 3600,
      });
      assert.deepEqual(c.clone, {
        identifier: 'test-db-pg13-clone',
        instanceClass: 'db.t3.medium',
        engineVersion: '16.9',
        parameterGroupName: 'test-db-pg13-clone-postgres16',
        timeoutSeconds: { create: 4 * 3600, update: 4 * 3600, delete: 2 * 3600 },
      });
      assert.equal(c.activeDatabase, 'source');
      assert.deepEqual(c.database, {
        username: 'tooljet',
        name: 'tooljet_production',
        tooljetDbName: 'tooljet_db',
      });
      assert.deepEqual(c.targets, {});
      assert.deepEqual(c.tags, {});
    });

    it('names a production clone after the source and gives it a final snapshot', () => {
      const c = parse(minimal(), 'prod');
      assert.equal(c.environment, 'production');
      assert.equal(c.clone.identifier, 'tooljet-db-pg16');
      assert.equal(c.clone.parameterGroupName, 'tooljet-db-pg16-postgres16');
      assert.equal(c.clone.finalSnapshotIdentifier, 'tooljet-db-pg16-final');
    });

    it('derives the snapshot identifier from source and stack only, never from the clock', () => {
      const first = parse(minimal(), 'Ops/EU_Prod.2').snapshot.identifier;
      const RealDate = Date;
      const future = new RealDate('2099-12-31T23:59:59Z').getTime();
      class FutureDate extends RealDate {
        constructor(...args: [] | [number]) {
          super(args.length ? args[0]! : future);
        }
        static now(): number {
          return future;
        }
      }
      global.Date = FutureDate as DateConstructor;
      let second: string;
      try {
        second = parse(minimal(), 'Ops/EU_Prod.2').snapshot.identifier;
      } finally {
        global.Date = RealDate;
      }
      assert.equal(first, 'tooljet-db-pre-pg16-ops-eu-prod-2');
      assert.equal(second, first);
    });

    it('resolves a relative caBundle against the project directory and keeps every certificate', () => {
      const dir = path.dirname(writeTempFile('x', ''));
      fs.mkdirSync(path.join(dir, 'certs'));
      fs.copyFileSync(testCaBundle(), path.join(dir, 'certs', 'global-bundle.pem'));
      const c = parse(minimal({ caBundle: 'certs/global-bundle.pem' }), 'staging', { baseDir: dir });
      assert.equal(c.caBundle.path, path.join(dir, 'certs', 'global-bundle.pem'));
      assert.equal(c.caBundle.fileName, 'global-bundle.pem');
      assert.equal(c.caBundle.certificateCount, 2);
      assert.equal((c.caBundle.pem.match(/-----BEGIN CERTIFICATE-----/g) ?? []).length, 2);
    });

    it("types each target's settings with their defaults (and freezes them); tests/targets/<kind>/settings.test.ts have the rest", () => {
      const c = parse(minimal({ targets: obj({ docker: { directory: '/opt/tooljet' }, eks: {} }) }));
      assert.deepEqual(Object.keys(c.targets).sort(), ['docker', 'eks']);
      assert.equal(c.targets.docker?.directory, '/opt/tooljet');
      assert.equal(c.targets.eks?.namespace, 'tooljet');
      assert.ok(Object.isFrozen(c.targets.docker));
    });

    it("accepts already-parsed objects as well as Pulumi's JSON text", () => {
      const fromText = parse(minimal());
      const fromObjects = parse(minimal({ source: { identifier: 'tooljet-db' }, database: { username: 'tooljet' } }));
      assert.deepEqual(fromObjects, fromText);
    });
  });

  describe('environment from the stack name (when not configured)', () => {
    const cases: [string, 'production' | 'staging'][] = [
      ['staging', 'staging'],
      ['dev', 'staging'],
      ['test', 'staging'],
      ['eu-staging-2', 'staging'],
      ['qa_west', 'staging'],
      ['prod', 'production'],
      ['production', 'production'],
      ['prod-test', 'production'],
      ['staging-prod', 'production'],
      ['tooljet', 'production'],
      ['mystaging', 'production'],
      ['', 'production'],
    ];
    for (const [stack, expected] of cases) {
      it(`"${stack}" -> ${expected}`, () => {
        assert.equal(environmentFromStackName(stack), expected);
        assert.equal(parse(minimal(), stack).environment, expected);
      });
    }

    it('refuses environment "staging" on a stack whose name says production', () => {
      failsWith(
        minimal({ environment: 'staging' }),
        /^tooljet-pg-upgrade:environment: "staging" contradicts the stack name "eu-prod"/,
        'eu-prod',
      );
    });

    it('refuses an unknown environment', () => {
      failsWith(
        minimal({ environment: 'prod' }),
        /^tooljet-pg-upgrade:environment: "prod" is not allowed; use one of: production, staging$/,
      );
    });
  });

  describe('bad configuration fails with one clear line per problem', () => {
    it('unknown target kind', () => {
      failsWith(
        minimal({ targets: obj({ eks: {}, lambda: {} }) }),
        new RegExp(
          `^tooljet-pg-upgrade:targets\\.lambda: unknown target kind "lambda"; use one of: ${TARGET_KINDS.join(', ')}$`,
        ),
      );
    });

    it('a near-miss target kind gets a suggestion', () => {
      failsWith(
        minimal({ targets: obj({ ecs2: {} }) }),
        /targets\.ecs2: unknown target kind "ecs2"; did you mean "ecs"\?/,
      );
    });

    it('target settings that are not a mapping', () => {
      failsWith(
        minimal({ targets: obj({ eks: 'yes' }) }),
        /targets\.eks: must be a mapping of the eks target's settings \(write "eks: \{\}" for its defaults\), got a string/,
      );
      failsWith(minimal({ targets: obj({ ami: null }) }), /targets\.ami: must be a mapping .* got null/);
    });

    it('engine version other than 16.x', () => {
      failsWith(
        minimal({ clone: obj({ engineVersion: '15.7' }) }),
        /^tooljet-pg-upgrade:clone\.engineVersion: "15\.7" is not PostgreSQL 16; this program upgrades 13 to 16 only: use "16\.9"$/,
      );
      failsWith(minimal({ clone: obj({ engineVersion: '17.2' }) }), /"17\.2" is not PostgreSQL 16/);
      failsWith(
        minimal({ clone: obj({ engineVersion: 'latest' }) }),
        /clone\.engineVersion: "latest" is not a PostgreSQL version; use "16\.9"/,
      );
    });

    it('engine version without an exact minor (it would drift)', () => {
      failsWith(
        minimal({ clone: obj({ engineVersion: '16' }) }),
        /clone\.engineVersion: "16" is not an exact 16\.x minor version; pin one such as "16\.9"/,
      );
      failsWith(minimal({ clone: obj({ engineVersion: '16.9.1' }) }), /"16\.9\.1" is not an exact 16\.x minor version/);
    });

    it('an unquoted engine version (YAML number)', () => {
      failsWith(
        minimal({ clone: obj({ engineVersion: 16.9 }) }),
        /clone\.engineVersion: must be a quoted string like "16\.9" \(YAML reads 16\.9 as a number/,
      );
    });

    it('missing source identifier', () => {
      failsWith(
        minimal({ source: undefined }),
        /^tooljet-pg-upgrade:source\.identifier: not set; set the RDS identifier of the PostgreSQL 13 instance to clone: pulumi config set --path source\.identifier <identifier>$/,
      );
      failsWith(minimal({ source: obj({}) }), /source\.identifier: not set/);
    });

    it('missing CA bundle: key not set', () => {
      failsWith(
        minimal({ caBundle: undefined }),
        /^tooljet-pg-upgrade:caBundle: not set; download the RDS CA bundle \(curl -fsSLo certs\/global-bundle\.pem https:\/\/truststore\.pki\.rds\.amazonaws\.com\/global\/global-bundle\.pem\) and run: pulumi config set caBundle certs\/global-bundle\.pem$/,
      );
    });

    it('missing CA bundle: file does not exist', () => {
      failsWith(
        minimal({ caBundle: 'certs/nope.pem' }),
        /^tooljet-pg-upgrade:caBundle: certs\/nope\.pem does not exist \(resolved to .*\/certs\/nope\.pem\); download it: curl -fsSLo certs\/nope\.pem https:\/\/truststore/,
      );
    });

    it('CA bundle path is a directory', () => {
      failsWith(minimal({ caBundle: path.dirname(testCaBundle()) }), /caBundle: .* is a directory, not a PEM file/);
    });

    it('unparsable CA bundle: a certificate block that is not X.509', () => {
      const good = fs.readFileSync(testCaBundle(), 'utf8');
      const broken = writeTempFile(
        'global-bundle.pem',
        `${good}-----BEGIN CERTIFICATE-----\nTUlJQnJva2VuIGNlcnRpZmljYXRl\n-----END CERTIFICATE-----\n`,
      );
      failsWith(
        minimal({ caBundle: broken }),
        /^tooljet-pg-upgrade:caBundle: certificate 3 of 3 in .*global-bundle\.pem does not parse as X\.509 \(.*\); download it/,
      );
    });

    it('unparsable CA bundle: no certificate at all', () => {
      const html = writeTempFile('global-bundle.pem', '<html><body>Access denied</body></html>\n');
      failsWith(
        minimal({ caBundle: html }),
        /caBundle: .*global-bundle\.pem contains no PEM certificate \(no -----BEGIN CERTIFICATE----- block\)/,
      );
    });

    it('a CA bundle with a private key in it', () => {
      const key = fs.readFileSync(
        fs
          .readdirSync(path.dirname(testCaBundle()))
          .map((f) => path.join(path.dirname(testCaBundle()), f))
          .find((f) => f.endsWith('.key'))!,
        'utf8',
      );
      const mixed = writeTempFile('global-bundle.pem', fs.readFileSync(testCaBundle(), 'utf8') + key);
      failsWith(
        minimal({ caBundle: mixed }),
        /caBundle: .* contains a private key; a CA bundle holds certificates only/,
      );
    });

    it('a CA bundle without the root of clone.caCertIdentifier (checked by kind, any region), with the fix', () => {
      // Real certificates whose subject CNs follow RDS's naming; the region differs from the stack's on purpose.
      const dir = fs.mkdtempSync(path.join(path.dirname(testCaBundle()), 'rds-roots-'));
      const cert = (name: string) =>
        fs.readFileSync(createCertificateAuthority(dir, name, 30, { exactName: true }).certFile, 'utf8');
      const unrelated = fs.readFileSync(createCertificateAuthority(dir, 'some other CA').certFile, 'utf8');
      const rsa4096 = writeTempFile(
        'global-bundle.pem',
        unrelated + cert('Amazon RDS eu-central-1 Root CA RSA4096 G1'),
      );
      const c = parse(minimal({ caBundle: rsa4096, clone: JSON.stringify({ caCertIdentifier: 'rds-ca-rsa4096-g1' }) }));
      assert.equal(c.clone.caCertIdentifier, 'rds-ca-rsa4096-g1');
      const old = writeTempFile('global-bundle.pem', cert('Amazon RDS Root 2019 CA'));
      assert.equal(
        parse(minimal({ caBundle: old, clone: JSON.stringify({ caCertIdentifier: 'rds-ca-2019' }) })).caBundle
          .certificateCount,
        1,
      );

      // rds-ca-rsa2048-g1 against a bundle with only an RSA4096 root (and a look-alike name). Unset, the clone takes
      // the source's CA, which only the source lookup knows: checked there (tests/database/clone-settings.test.ts).
      const lookAlike = writeTempFile(
        'global-bundle.pem',
        cert('Amazon RDS eu-central-1 Root CA RSA4096 G1') + cert('Not Amazon RDS us-east-1 Root CA RSA2048 G1'),
      );
      assert.equal(parse(minimal({ caBundle: lookAlike })).clone.caCertIdentifier, undefined);
      failsWith(
        minimal({ caBundle: lookAlike, clone: JSON.stringify({ caCertIdentifier: 'rds-ca-rsa2048-g1' }) }),
        /^tooljet-pg-upgrade:caBundle: .*global-bundle\.pem has no root of rds-ca-rsa2048-g1 \(clone\.caCertIdentifier\), i\.e\. no certificate named "Amazon RDS <region> Root CA RSA2048 G1" among its 2, so the clone's certificate could not be verified; download the global bundle, which holds every RDS root: curl -fsSLo .* https:\/\/truststore\.pki\.rds\.amazonaws\.com\/global\/global-bundle\.pem$/,
      );
      failsWith(
        minimal({ caBundle: rsa4096, clone: JSON.stringify({ caCertIdentifier: 'rds-ca-ecc384-g1' }) }),
        /no certificate named "Amazon RDS <region> Root CA ECC384 G1"/,
      );
      failsWith(
        minimal({ clone: JSON.stringify({ caCertIdentifier: 'rds-ca-foo' }) }),
        /caBundle: clone\.caCertIdentifier "rds-ca-foo" is not an RDS CA this program can check the bundle for; use rds-ca-rsa2048-g1/,
      );
    });

    it('password given as plain text (and the value is never echoed)', () => {
      const message = failsWith(
        minimal(),
        /^tooljet-pg-upgrade:dbPassword: is stored in plain text; make it a secret: pulumi config rm dbPassword && pulumi config set --secret dbPassword <password>/,
        'staging',
        { secret: false },
      );
      assert.ok(!message.includes(TEST_PASSWORD));
    });

    it('password not set', () => {
      failsWith(
        minimal({ dbPassword: undefined }),
        /^tooljet-pg-upgrade:dbPassword: not set; set ToolJet's database password as a secret: pulumi config set --secret dbPassword <password>$/,
      );
    });

    it('a password under another key is refused and pointed to the secret', () => {
      const message = failsWith(
        minimal({ database: obj({ username: 'tooljet', password: TEST_PASSWORD }) }),
        /^tooljet-pg-upgrade:database\.password: is not a key; the database password is only accepted as the secret "dbPassword"/,
      );
      assert.ok(!message.includes(TEST_PASSWORD));
    });

    it('bad activeDatabase', () => {
      failsWith(
        minimal({ activeDatabase: 'replica' }),
        /^tooljet-pg-upgrade:activeDatabase: "replica" is not allowed; use one of: clone, source, restored$/,
      );
    });

    it('bad identifiers, each with the rule it breaks', () => {
      failsWith(
        minimal({ clone: obj({ identifier: 'Test-DB' }) }),
        /clone\.identifier: "Test-DB" has upper-case letters/,
      );
      failsWith(
        minimal({ clone: obj({ identifier: '1clone' }) }),
        /clone\.identifier: "1clone" must start with a letter/,
      );
      failsWith(
        minimal({ clone: obj({ identifier: 'my_clone' }) }),
        /clone\.identifier: "my_clone" may only contain lower-case letters, digits and hyphens/,
      );
      failsWith(
        minimal({ clone: obj({ identifier: 'my--clone' }) }),
        /"my--clone" must not contain two consecutive hyphens/,
      );
      failsWith(minimal({ clone: obj({ identifier: 'clone-' }) }), /"clone-" must not end with a hyphen/);
      failsWith(minimal({ clone: obj({ identifier: 'c'.repeat(64) }) }), /is 64 characters long \(at most 63\)/);
      failsWith(minimal({ source: obj({ identifier: 'prod db' }) }), /source\.identifier: "prod db" may only contain/);
      failsWith(
        minimal({ snapshot: obj({ identifier: 'snap--1' }) }),
        /snapshot\.identifier: "snap--1" must not contain two consecutive hyphens/,
      );
      failsWith(
        minimal({ clone: obj({ parameterGroupName: 'pg16.custom' }) }),
        /clone\.parameterGroupName: "pg16\.custom" may only contain/,
      );
      failsWith(
        minimal({ snapshot: obj({ mode: 'existing', identifier: 'arn:aws:rds:us-east-1:12:snapshot:x' }) }),
        /snapshot\.identifier: .* is not a DB snapshot ARN/,
      );
    });

    it('the clone must not reuse the source identifier', () => {
      failsWith(
        minimal({ clone: obj({ identifier: 'tooljet-db' }) }),
        /clone\.identifier: "tooljet-db" is the source instance; the clone needs its own identifier/,
      );
    });

    it('a default name that would be too long asks for an explicit one', () => {
      failsWith(
        minimal({ source: obj({ identifier: 'a'.repeat(60) }) }),
        /clone\.identifier: the default "a{60}-pg16" is 65 characters long \(at most 63\); set clone\.identifier explicitly/,
        'prod',
      );
    });

    it('unknown top-level key (a typo is not ignored)', () => {
      failsWith(
        minimal({ activeDatabse: 'clone' }),
        /^tooljet-pg-upgrade:activeDatabse: unknown key; did you mean "activeDatabase"\? known keys: environment, source, snapshot/,
      );
    });

    it('unknown sub-keys', () => {
      failsWith(
        minimal({ clone: obj({ instanceclass: 'db.t3.large' }) }),
        /^tooljet-pg-upgrade:clone\.instanceclass: unknown key; did you mean "instanceClass"\? known keys of clone: /,
      );
      failsWith(
        minimal({ clone: obj({ timeouts: { craete: '1h' } }) }),
        /clone\.timeouts\.craete: unknown key; did you mean "create"\?/,
      );
      failsWith(minimal({ snapshot: obj({ mostRecent: true }) }), /snapshot\.mostRecent: unknown key/);
    });

    it('a value of the wrong shape', () => {
      failsWith(
        minimal({ clone: 'db.t3.medium' }),
        /^tooljet-pg-upgrade:clone: must be a mapping of sub-keys, got the text "db\.t3\.medium"/,
      );
      failsWith(minimal({ clone: obj(['x']) }), /^tooljet-pg-upgrade:clone: must be a mapping of sub-keys, got a list/);
      failsWith(minimal({ clone: obj({ multiAz: 'yes' }) }), /clone\.multiAz: must be true or false, got a string/);
      failsWith(
        minimal({ database: obj({ username: 'tooljet', port: 80 }) }),
        /database\.port: must be a whole number from 1150 to 65535, got 80/,
      );
      failsWith(
        minimal({ clone: obj({ vpcSecurityGroupIds: 'sg-0123456789abcdef0' }) }),
        /clone\.vpcSecurityGroupIds: must be a non-empty list/,
      );
      failsWith(
        minimal({ clone: obj({ vpcSecurityGroupIds: ['sg-xyz'] }) }),
        /clone\.vpcSecurityGroupIds\[0\]: "sg-xyz" is not valid/,
      );
      failsWith(
        minimal({ clone: obj({ instanceClass: 't3.medium' }) }),
        /clone\.instanceClass: "t3\.medium" is not valid; use an RDS instance class/,
      );
      failsWith(
        minimal({ clone: obj({ timeouts: { create: '4 hours' } }) }),
        /clone\.timeouts\.create: "4 hours" is not a duration/,
      );
    });

    it('snapshot modes', () => {
      failsWith(
        minimal({ snapshot: obj({ mode: 'existing' }) }),
        /snapshot\.identifier: is required with snapshot\.mode "existing"/,
      );
      failsWith(
        minimal({ snapshot: obj({ mode: 'existing', identifier: 'snap-1', createTimeout: '2h' }) }),
        /snapshot\.createTimeout: is only used with snapshot\.mode "create"; remove it/,
      );
      failsWith(
        minimal({ snapshot: obj({ mode: 'latest' }) }),
        /snapshot\.mode: "latest" is not allowed; use one of: create, existing/,
      );
      const existing = parse(
        minimal({ snapshot: obj({ mode: 'existing', identifier: 'rds:tooljet-db-2025-01-02-03-04' }) }),
      );
      assert.deepEqual(existing.snapshot, { mode: 'existing', identifier: 'rds:tooljet-db-2025-01-02-03-04' });
    });

    it('clone.availabilityZone with clone.multiAz: true (RDS refuses an AvailabilityZone for a Multi-AZ instance)', () => {
      // RestoreDBInstanceFromDBSnapshot, AvailabilityZone: "You can't specify the AvailabilityZone parameter if the DB
      // instance is a Multi-AZ deployment." Either alone, or the zone with multiAz false, is accepted.
      const cases: Array<{ clone: Record<string, unknown>; stack: string; refused: boolean }> = [
        { clone: { availabilityZone: 'us-east-1a', multiAz: true }, stack: 'staging', refused: true },
        { clone: { availabilityZone: 'us-east-1a', multiAz: true }, stack: 'prod', refused: true },
        { clone: { availabilityZone: 'us-east-1a', multiAz: false }, stack: 'prod', refused: false },
        { clone: { availabilityZone: 'us-east-1a' }, stack: 'staging', refused: false },
        { clone: { multiAz: true }, stack: 'prod', refused: false },
      ];
      for (const t of cases) {
        const raw = minimal({ clone: obj(t.clone) });
        if (t.refused) {
          failsWith(
            raw,
            /^tooljet-pg-upgrade:clone\.availabilityZone: "us-east-1a" cannot be combined with clone\.multiAz: true \(RDS refuses an AvailabilityZone for a Multi-AZ instance\); remove clone\.availabilityZone or set clone\.multiAz: false$/,
            t.stack,
          );
        } else {
          const c = parse(raw, t.stack);
          assert.equal(c.clone.availabilityZone, t.clone.availabilityZone, JSON.stringify(t));
          assert.equal(c.clone.multiAz, t.clone.multiAz, JSON.stringify(t));
        }
      }
    });

    it('database.port and clone.caCertIdentifier unset stay unset (the source lookup supplies them)', () => {
      const c = parse(minimal());
      assert.equal(c.database.port, undefined);
      assert.equal(c.clone.caCertIdentifier, undefined);
      const set = parse(
        minimal({
          database: obj({ username: 'tooljet', port: 5433 }),
          clone: obj({ caCertIdentifier: 'rds-ca-rsa2048-g1' }),
        }),
      );
      assert.equal(set.database.port, 5433);
      assert.equal(set.clone.caCertIdentifier, 'rds-ca-rsa2048-g1');
    });

    it('production-only and production-unsafe settings', () => {
      failsWith(
        minimal({ environment: 'staging', clone: obj({ finalSnapshotIdentifier: 'x-final' }) }),
        /clone\.finalSnapshotIdentifier: is only used in production/,
      );
      failsWith(
        minimal({ clone: obj({ backupRetentionPeriod: 0 }) }),
        /clone\.backupRetentionPeriod: 0 turns off backups of what becomes the production database/,
        'prod',
      );
    });

    it('ToolJet database names', () => {
      failsWith(
        minimal({ database: obj({ username: 'tooljet', tooljetDbName: 'tooljet_production' }) }),
        /database\.tooljetDbName: "tooljet_production" equals database\.name; ToolJet needs TOOLJET_DB to differ from PG_DB/,
      );
      failsWith(minimal({ database: obj({}) }), /database\.username: not set; set ToolJet's database user \(PG_USER\)/);
      failsWith(
        minimal({ database: obj({ username: 'tool-jet' }) }),
        /database\.username: "tool-jet" is not valid; use a PostgreSQL name/,
      );
    });

    it('tags: reserved keys and non-string values', () => {
      failsWith(minimal({ tags: obj({ Name: 'x' }) }), /tags\.Name: is reserved/);
      failsWith(minimal({ tags: obj({ 'tooljet:purpose': 'x' }) }), /tags\.tooljet:purpose: is reserved/);
      failsWith(
        minimal({ tags: obj({ owner: 42 }) }),
        /tags\.owner: must be a string of at most 256 characters, got a number \(quote it in YAML\)/,
      );
    });

    it('collects every problem into one error, one self-contained line each', () => {
      let caught: unknown;
      try {
        parse({ targets: obj({ k8s: {} }), clone: obj({ engineVersion: '15.4' }), dbPassword: 'x' }, 'staging', {
          secret: false,
        });
      } catch (err) {
        caught = err;
      }
      assert.ok(caught instanceof ConfigError);
      const lines = caught.message.split('\n');
      assert.equal(lines.length, caught.problems.length);
      for (const line of lines) assert.match(line, /^tooljet-pg-upgrade:[A-Za-z.[\]0-9]+: \S/);
      for (const key of [
        'source.identifier',
        'clone.engineVersion',
        'caBundle',
        'targets.k8s',
        'database.username',
        'dbPassword',
      ]) {
        assert.ok(
          lines.some((l) => l.startsWith(`tooljet-pg-upgrade:${key}: `)),
          `no line for ${key}:\n${caught.message}`,
        );
      }
    });
  });
});
