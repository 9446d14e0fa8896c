// The blue-green lookup without Pulumi: describe-source.sh run for real through /bin/sh -c against a stand-in AWS
// CLI, and combineFacts turning its output plus a getInstance result into what the checks and the mirror read.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type * as aws from '@pulumi/aws';
import { checkBlueGreenPrerequisites, combineFacts, describeSourceScript, mirrorSourceInstance } from '../../bluegreen';

function getInstance(overrides: Partial<aws.rds.GetInstanceResult> = {}): aws.rds.GetInstanceResult {
  return {
    dbInstanceIdentifier: 'tooljet-prod-db',
    dbInstanceArn: 'arn:aws:rds:us-east-1:123456789012:db:tooljet-prod-db',
    address: 'tooljet-prod-db.abc.us-east-1.rds.amazonaws.com',
    port: 5432,
    endpoint: 'tooljet-prod-db.abc.us-east-1.rds.amazonaws.com:5432',
    resourceId: 'db-ABCDEFGHIJKLMNOPQRSTUVWXYZ',
    engine: 'postgres',
    engineVersion: '13.20',
    dbClusterIdentifier: '',
    replicateSourceDb: '',
    backupRetentionPeriod: 7,
    dbParameterGroups: ['tooljet-prod-postgres13'],
    masterUserSecrets: [],
    dbInstanceClass: 'db.m6g.large',
    autoMinorVersionUpgrade: true,
    publiclyAccessible: false,
    storageEncrypted: true,
    monitoringInterval: 60,
    maxAllocatedStorage: 500,
    enabledCloudwatchLogsExports: ['upgrade', 'postgresql'],
    tags: { team: 'platform' },
    allocatedStorage: 200,
    ...overrides,
  } as aws.rds.GetInstanceResult;
}

describe('bluegreen/describe-source.sh against a stand-in AWS CLI', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tj-bg-'));
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.copyFileSync(path.join(__dirname, 'fixtures', 'aws'), path.join(dir, 'bin', 'aws'));
    fs.chmodSync(path.join(dir, 'bin', 'aws'), 0o755);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  function run(world: unknown, env: Record<string, string>) {
    const file = path.join(dir, `world-${Math.random().toString(16).slice(2)}.json`);
    fs.writeFileSync(file, JSON.stringify(world));
    return spawnSync('/bin/sh', ['-c', describeSourceScript()], {
      env: { PATH: `${path.join(dir, 'bin')}:${process.env.PATH}`, FAKE_AWS_WORLD: file, AWS_PAGER: '', ...env },
      encoding: 'utf8',
    });
  }

  const world = (replicas: string[], status: string, logical?: string) => ({
    instances: {
      'tooljet-prod-db': {
        ReadReplicaDBInstanceIdentifiers: replicas,
        DBParameterGroups: [{ DBParameterGroupName: 'tooljet-prod-postgres13', ParameterApplyStatus: status }],
        DeletionProtection: true,
        CopyTagsToSnapshot: false,
        IAMDatabaseAuthenticationEnabled: true,
        PerformanceInsightsEnabled: false,
      },
    },
    groups: { 'tooljet-prod-postgres13': logical === undefined ? {} : { 'rds.logical_replication': logical } },
  });

  it('prints one JSON document that combineFacts reads into the facts the checks and the mirror use', () => {
    const r = run(world([], 'in-sync', '1'), {
      TJ_SOURCE_ID: 'tooljet-prod-db',
      TJ_PARAMETER_GROUP: 'tooljet-prod-postgres13',
    });
    assert.equal(r.status, 0, r.stderr);
    const f = combineFacts(getInstance(), r.stdout);
    assert.deepEqual(f.parameterGroup, { name: 'tooljet-prod-postgres13', applyStatus: 'in-sync' });
    assert.equal(f.logicalReplication, '1');
    assert.deepEqual(f.readReplicas, []);
    assert.deepEqual(
      [f.deletionProtection, f.copyTagsToSnapshot, f.iamDatabaseAuthenticationEnabled],
      [true, false, true],
    );
    assert.deepEqual(checkBlueGreenPrerequisites(f, { phase: 'upgrade', targetVersion: '16.9' }), []);
    const m = mirrorSourceInstance(f);
    assert.deepEqual(
      [m.monitoringInterval, m.maxAllocatedStorage, m.enabledCloudwatchLogsExports],
      [60, 500, ['postgresql', 'upgrade']],
    );
    assert.equal(m.iamDatabaseAuthenticationEnabled, true);
  });

  it('passes replicas, a pending reboot and a missing parameter through to the checks', () => {
    const r = run(world(['replica-1'], 'pending-reboot'), {
      TJ_SOURCE_ID: 'tooljet-prod-db',
      TJ_PARAMETER_GROUP: 'tooljet-prod-postgres13',
    });
    assert.equal(r.status, 0, r.stderr);
    const f = combineFacts(getInstance(), r.stdout);
    assert.deepEqual(f.readReplicas, ['replica-1']);
    assert.equal(f.logicalReplication, undefined);
    const problems = checkBlueGreenPrerequisites(f, { phase: 'upgrade', targetVersion: '16.9' });
    assert.equal(problems.length, 2);
    assert.match(problems[0], /read replica\(s\) replica-1/);
    assert.match(problems[1], /rds\.logical_replication=unset/);
  });

  it("fails (non-zero, the CLI's error on stderr) when the instance or the group cannot be read", () => {
    const a = run(world([], 'in-sync', '1'), { TJ_SOURCE_ID: 'nope', TJ_PARAMETER_GROUP: 'tooljet-prod-postgres13' });
    assert.notEqual(a.status, 0);
    assert.match(a.stderr, /DBInstanceNotFound/);
    const b = run(world([], 'in-sync', '1'), { TJ_SOURCE_ID: 'tooljet-prod-db', TJ_PARAMETER_GROUP: 'gone' });
    assert.notEqual(b.status, 0);
    assert.match(b.stderr, /DBParameterGroupNotFound/);
  });
});

describe('combineFacts', () => {
  it('refuses output it cannot read, saying so', () => {
    assert.throws(
      () => combineFacts(getInstance(), 'An error occurred'),
      /^Error: unexpected output of describe-source\.sh: An error occurred$/,
    );
    assert.throws(() => combineFacts(getInstance(), '{"parameters":[]}'), /unexpected output/);
  });

  it('takes identity and the blue/green blockers from getInstance', () => {
    const f = combineFacts(
      getInstance({
        replicateSourceDb: 'primary',
        masterUserSecrets: [{ secretArn: 'x', kmsKeyId: 'k', secretStatus: 'active' }],
      }),
      JSON.stringify({ instance: { readReplicas: null, parameterGroups: null }, parameters: null }),
    );
    assert.equal(f.replicateSourceDb, 'primary');
    assert.equal(f.managedMasterPassword, true);
    assert.deepEqual(f.readReplicas, []);
    assert.deepEqual(f.parameterGroup, { name: 'tooljet-prod-postgres13', applyStatus: 'unknown' });
  });
});
