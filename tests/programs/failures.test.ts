// Bad configuration or a wrong source stops the real program before it registers anything, with a pulumi.RunError
// (Pulumi prints just the message) that says what to fix.
import { strict as assert } from 'assert';
import * as pulumi from '@pulumi/pulumi';
import { TARGET_KINDS } from '../../targets';
import { fakeAws, fakeInstance } from '../helpers/mocks';
import {
  programError,
  runProgram,
  RunOptions,
  stackValue,
  TEST_PASSWORD,
  testCaBundle,
  writeTempFile,
} from '../helpers/program';

async function failsWith(opts: RunOptions, pattern: RegExp): Promise<string> {
  const { error, mocks } = await programError(opts);
  assert.ok(pulumi.RunError.isInstance(error), `expected a RunError, got ${error.name}: ${error.message}`);
  assert.match(error.message, pattern);
  assert.equal(mocks.resources.length, 0, 'nothing may be registered');
  return error.message;
}

function withSource(overrides: Parameters<typeof fakeInstance>[1]) {
  return fakeAws({ instances: { 'tooljet-prod-db': fakeInstance('tooljet-prod-db', overrides) } });
}

describe('program: bad configuration fails at start with a clear message', () => {
  it('unknown target kind', async () => {
    await failsWith(
      { stack: 'staging', set: { targets: { eks: {}, nomad: {} } } },
      new RegExp(
        `^tooljet-pg-upgrade:targets\\.nomad: unknown target kind "nomad"; use one of: ${TARGET_KINDS.join(', ')}$`,
      ),
    );
  });

  it('engine version other than 16.x', async () => {
    const clone = { ...stackValue('staging', 'clone'), engineVersion: '15.8' };
    await failsWith(
      { stack: 'staging', set: { clone } },
      /^tooljet-pg-upgrade:clone\.engineVersion: "15\.8" is not PostgreSQL 16/,
    );
  });

  it('missing source identifier', async () => {
    await failsWith({ stack: 'prod', set: { source: undefined } }, /^tooljet-pg-upgrade:source\.identifier: not set;/);
  });

  it("missing CA bundle (the stack file's certs/global-bundle.pem path, not downloaded)", async () => {
    await failsWith(
      { stack: 'staging', set: { caBundle: 'certs/not-downloaded/global-bundle.pem' } },
      /^tooljet-pg-upgrade:caBundle: certs\/not-downloaded\/global-bundle\.pem does not exist .*; download it: curl -fsSLo .* https:\/\/truststore\.pki\.rds\.amazonaws\.com\/global\/global-bundle\.pem$/,
    );
  });

  it('unparsable CA bundle', async () => {
    const broken = writeTempFile(
      'global-bundle.pem',
      '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n',
    );
    await failsWith(
      { stack: 'staging', set: { caBundle: broken } },
      /^tooljet-pg-upgrade:caBundle: certificate 1 of 1 in .* does not parse as X\.509/,
    );
  });

  it('password given as plain text (never echoed)', async () => {
    const message = await failsWith(
      { stack: 'prod', password: { value: TEST_PASSWORD, secret: false } },
      /^tooljet-pg-upgrade:dbPassword: is stored in plain text; make it a secret: pulumi config rm dbPassword && pulumi config set --secret dbPassword <password>/,
    );
    assert.ok(!message.includes(TEST_PASSWORD));
  });

  it('several problems at once: one line each', async () => {
    const message = await failsWith(
      { stack: 'staging', set: { targets: { fargate: {} }, caBundle: undefined }, password: null },
      /targets\.fargate/,
    );
    assert.equal(message.split('\n').length, 3);
  });

  it('the test CA bundle itself is accepted (control)', async () => {
    await runProgram({ stack: 'staging', set: { caBundle: testCaBundle() } });
  });
});

describe('program: the source must be an encrypted RDS for PostgreSQL 13 instance', () => {
  it('not found', async () => {
    await failsWith(
      { stack: 'staging', aws: fakeAws({ instances: {} }) },
      /^tooljet-pg-upgrade:source\.identifier: RDS instance "tooljet-prod-db" could not be read \(.*DBInstanceNotFound: .*\); check the identifier, aws:region and your AWS credentials$/,
    );
  });

  it('already PostgreSQL 15', async () => {
    await failsWith(
      { stack: 'staging', aws: withSource({ engineVersion: '15.7' }) },
      /^tooljet-pg-upgrade:source\.identifier: "tooljet-prod-db" runs PostgreSQL 15\.7, not 13\.x; this program upgrades PostgreSQL 13 to 16/,
    );
  });

  it('not PostgreSQL at all', async () => {
    await failsWith(
      { stack: 'staging', aws: withSource({ engine: 'mysql', engineVersion: '8.0.36' }) },
      /runs engine "mysql", not "postgres"/,
    );
  });

  it('an Aurora cluster member', async () => {
    await failsWith(
      {
        stack: 'staging',
        aws: withSource({ engine: 'aurora-postgresql', engineVersion: '13.12', dbClusterIdentifier: 'tj-aurora' }),
      },
      /is an instance of Aurora cluster "tj-aurora"; this program upgrades RDS for PostgreSQL instances only/,
    );
  });

  it('unencrypted (the clone would be unencrypted, and storageEncrypted: true would replace it on every up)', async () => {
    await failsWith(
      { stack: 'staging', aws: withSource({ storageEncrypted: false }) },
      /"tooljet-prod-db" has unencrypted storage, .* restore from it with snapshot\.mode "existing"$/,
    );
  });
});
