// The clone's port and RDS CA follow the source (from the source lookup) unless configured, and a zone with a Multi-AZ
// clone fails before anything is declared. The CA: terraform-provider-aws's restore-from-snapshot path does not send
// ca_cert_identifier (#33572, #35711), so the mock's restored instance records the region's default CA, as the real
// state would; the finishing command sets the source's CA (its script is run in tests/database/attach-parameter-group
// .test.ts) and the instance ignores caCertIdentifier, so the next `pulumi up` shows no diff on it.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { createCertificateAuthority } from '../../lib/tls/ca';
import { fakeAws, fakeInstance, FakeInstance, plain } from '../helpers/mocks';
import { programError, ProgramRun, runProgram, testCaBundle, writeTempFile } from '../helpers/program';

const INSTANCE = 'aws:rds/instance:Instance';
const FINISH = 'clone-attach-parameter-group';

/** A bundle with the roots the tests' sources use (RSA2048 of the default test bundle, plus RSA4096). */
function bundleWithRsa4096(): string {
  const dir = fs.mkdtempSync(path.join(path.dirname(testCaBundle()), 'rsa4096-'));
  const ca = createCertificateAuthority(dir, 'Amazon RDS us-east-1 Root CA RSA4096 G1', 30, { exactName: true });
  return writeTempFile(
    'global-bundle.pem',
    fs.readFileSync(testCaBundle(), 'utf8') + fs.readFileSync(ca.certFile, 'utf8'),
  );
}

const world = (source: Partial<FakeInstance>) =>
  fakeAws({ instances: { 'tooljet-prod-db': fakeInstance('tooljet-prod-db', source) } });

describe("program: the clone takes the source's port and RDS CA; a zone with Multi-AZ is refused", () => {
  let run: ProgramRun;
  before(async () => {
    run = await runProgram({
      stack: 'staging',
      set: { caBundle: bundleWithRsa4096() },
      aws: world({ port: 5433, caCertIdentifier: 'rds-ca-rsa4096-g1' }),
    });
  });

  it("restores the clone on the source's port (not 5432): the source's security groups admit it", () => {
    const i = run.one(INSTANCE);
    assert.equal(i.inputs.port, 5433);
    assert.equal(run.outputs.clonePort.value, 5433);
  });

  it("asks for the source's CA; the restore leaves the region default in the state, the finishing step sets and verifies the source's", () => {
    const i = run.one(INSTANCE);
    assert.equal(i.inputs.caCertIdentifier, 'rds-ca-rsa4096-g1');
    // What the provider records after the restore (it does not send the CA): the region's default.
    assert.equal(i.state.caCertIdentifier, 'rds-ca-rsa2048-g1');
    // ...so the instance must not own the value, or the next `pulumi up` would modify (restart) the clone.
    assert.ok(i.options.ignoreChanges.includes('caCertIdentifier'), JSON.stringify(i.options.ignoreChanges));
    const finish = run.ofType('command:local:Command').find((c) => c.name === FINISH)!;
    assert.equal(plain<Record<string, string>>(finish.inputs.environment).TJ_CA_CERT_IDENTIFIER, 'rds-ca-rsa4096-g1');
    assert.ok(finish.options.dependencies.includes(i.urn), 'runs after the instance exists');
    assert.match(String(finish.state.stdout), / ca=rds-ca-rsa4096-g1$/);
  });

  it('configured database.port and clone.caCertIdentifier win over the source', async () => {
    const configured = await runProgram({
      stack: 'staging',
      set: {
        caBundle: bundleWithRsa4096(),
        database: { username: 'tooljet', name: 'tooljet_production', tooljetDbName: 'tooljet_db', port: 6000 },
        clone: { identifier: 'test-db-pg13-clone', multiAz: false, caCertIdentifier: 'rds-ca-rsa2048-g1' },
      },
      aws: world({ port: 5433, caCertIdentifier: 'rds-ca-rsa4096-g1' }),
    });
    const i = configured.one(INSTANCE);
    assert.equal(i.inputs.port, 6000);
    assert.equal(i.inputs.caCertIdentifier, 'rds-ca-rsa2048-g1');
    const finish = configured.ofType('command:local:Command').find((c) => c.name === FINISH)!;
    assert.equal(plain<Record<string, string>>(finish.inputs.environment).TJ_CA_CERT_IDENTIFIER, 'rds-ca-rsa2048-g1');
  });

  it('refuses a source whose CA has no root in caBundle (ToolJet could not verify the clone), before declaring anything', async () => {
    const { error, mocks } = await programError({
      stack: 'staging',
      aws: world({ caCertIdentifier: 'rds-ca-rsa4096-g1' }),
    });
    assert.match(
      error.message,
      /^tooljet-pg-upgrade:caBundle: the clone takes the RDS CA of the source "tooljet-prod-db" \(clone\.caCertIdentifier unset\): .* has no root of rds-ca-rsa4096-g1/,
    );
    assert.ok(!error.message.includes('\n'));
    assert.deepEqual(
      mocks.resources.filter((r) => r.custom).map((r) => r.type),
      [],
    );
  });

  it('refuses clone.availabilityZone for a production clone that follows a Multi-AZ source, during preview, before declaring anything', async () => {
    const clone = { identifier: 'tooljet-prod-db-pg16', availabilityZone: 'us-east-1a' };
    const { error, mocks } = await programError({
      stack: 'prod',
      preview: true,
      set: { clone },
      aws: world({ multiAz: true }),
    });
    assert.equal(
      error.message,
      'tooljet-pg-upgrade:clone.availabilityZone: "us-east-1a" cannot be used for a Multi-AZ clone (clone.multiAz is unset, so a production clone follows the source "tooljet-prod-db", which is Multi-AZ), and RDS refuses an AvailabilityZone for a Multi-AZ instance; remove clone.availabilityZone or set clone.multiAz: false',
    );
    assert.deepEqual(
      mocks.resources.filter((r) => r.custom).map((r) => r.type),
      [],
    );
    // With a single-AZ source the same zone is accepted and sent.
    const ok = await runProgram({ stack: 'prod', preview: true, set: { clone }, aws: world({ multiAz: false }) });
    assert.equal(ok.one(INSTANCE).inputs.availabilityZone, 'us-east-1a');
    assert.equal(ok.one(INSTANCE).inputs.multiAz, false);
  });
});
