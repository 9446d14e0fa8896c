// The blue-green prerequisite check and the import mirror as pure functions: each prerequisite accepted and refused.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import {
  BlueGreenSourceFacts,
  checkBlueGreenPrerequisites,
  DESCRIBE_SOURCE_SCRIPT,
  MirrorFacts,
  mirrorSourceInstance,
  upgradeSourceInstance,
} from '../../bluegreen';

const ready: BlueGreenSourceFacts = {
  identifier: 'db1',
  engine: 'postgres',
  engineVersion: '13.15',
  backupRetentionPeriod: 7,
  readReplicas: [],
  parameterGroup: { name: 'pg13-logical', applyStatus: 'in-sync' },
  logicalReplication: '1',
  managedMasterPassword: false,
};
const check = (over: Partial<BlueGreenSourceFacts>, phase: 'import' | 'upgrade' = 'upgrade') =>
  checkBlueGreenPrerequisites({ ...ready, ...over }, { phase, targetVersion: '16.9' });

describe('checkBlueGreenPrerequisites', () => {
  it('accepts a source that has every prerequisite, in both phases', () => {
    assert.deepEqual(check({}), []);
    assert.deepEqual(check({}, 'import'), []);
    assert.deepEqual(check({ engineVersion: '13.12' }), [], '13.12 is the first 13.x RDS upgrades with blue/green');
  });

  const cases: [string, Partial<BlueGreenSourceFacts>, RegExp][] = [
    [
      'automated backups off',
      { backupRetentionPeriod: 0 },
      /automated backups off .* --backup-retention-period 7 --apply-immediately$/,
    ],
    ['read replicas', { readReplicas: ['r1', 'r2'] }, /has read replica\(s\) r1, r2; /],
    [
      'a read replica itself',
      { replicateSourceDb: 'main' },
      /is a read replica of "main"; upgrade the primary instead$/,
    ],
    [
      'default parameter group',
      { parameterGroup: { name: 'default.postgres13', applyStatus: 'in-sync' }, logicalReplication: '0' },
      /uses the default parameter group default\.postgres13/,
    ],
    ['logical replication off', { logicalReplication: '0' }, /has rds\.logical_replication=0; /],
    ['logical replication not listed', { logicalReplication: undefined }, /has rds\.logical_replication=unset; /],
    [
      'logical replication not applied',
      { parameterGroup: { name: 'pg13-logical', applyStatus: 'pending-reboot' } },
      /is set in pg13-logical but not applied to "db1" \(parameter status pending-reboot\)/,
    ],
    ['13.11 and older', { engineVersion: '13.11' }, /need 13\.12 or later/],
    ['managed master password', { managedMasterPassword: true }, /Secrets Manager/],
  ];
  for (const [name, over, pattern] of cases) {
    it(`refuses: ${name} (one line, naming the key)`, () => {
      const problems = check(over);
      assert.equal(problems.length, 1, problems.join('\n'));
      assert.match(problems[0], /^tooljet-pg-upgrade:strategy: /);
      assert.match(problems[0], pattern);
      assert.ok(!problems[0].includes('\n'));
    });
  }

  it('refuses what is not RDS for PostgreSQL 13 at all (and stops there)', () => {
    assert.deepEqual(check({ dbClusterIdentifier: 'aurora-1', backupRetentionPeriod: 0 }).length, 1);
    assert.match(check({ engine: 'mysql' })[0], /runs engine "mysql"/);
    assert.match(check({ engineVersion: '14.10', backupRetentionPeriod: 0 })[0], /runs PostgreSQL 14\.10, not 13\.x/);
    assert.equal(check({ engineVersion: '14.10', backupRetentionPeriod: 0 }).length, 1);
  });

  it('after the switchover (source on 16.9): nothing to check in phase upgrade; phase import is refused', () => {
    assert.deepEqual(check({ engineVersion: '16.9', logicalReplication: '0', backupRetentionPeriod: 0 }), []);
    assert.match(check({ engineVersion: '16.9' }, 'import')[0], /already runs PostgreSQL 16\.9/);
  });
});

const facts: MirrorFacts = {
  identifier: 'db1',
  engineVersion: '13.15',
  instanceClass: 'db.r6g.xlarge',
  parameterGroupName: 'pg13-logical',
  autoMinorVersionUpgrade: true,
  copyTagsToSnapshot: false,
  deletionProtection: true,
  iamDatabaseAuthenticationEnabled: true,
  performanceInsightsEnabled: true,
  publiclyAccessible: false,
  storageEncrypted: true,
  monitoringInterval: 30,
  maxAllocatedStorage: 0,
  enabledCloudwatchLogsExports: ['upgrade', 'postgresql'],
  tags: { a: 'b' },
};

describe('mirrorSourceInstance / upgradeSourceInstance', () => {
  it("mirrors every non-computed setting exactly and adds the importer's own values", () => {
    const m = mirrorSourceInstance(facts);
    assert.equal(m.engineVersion, '13.15');
    assert.equal(m.parameterGroupName, 'pg13-logical');
    assert.equal(m.deletionProtection, true);
    assert.equal(m.performanceInsightsEnabled, true);
    assert.ok(!('maxAllocatedStorage' in m), 'autoscaling off is the absence of the argument');
    assert.deepEqual(m.enabledCloudwatchLogsExports, ['postgresql', 'upgrade']);
    assert.deepEqual([m.skipFinalSnapshot, m.deleteAutomatedBackups], [true, true]);
    assert.ok(!('blueGreenUpdate' in m) && !('allowMajorVersionUpgrade' in m) && !('applyImmediately' in m));
    assert.equal(mirrorSourceInstance({ ...facts, maxAllocatedStorage: 1000 }).maxAllocatedStorage, 1000);
    assert.deepEqual(mirrorSourceInstance({ ...facts, tags: { a: 'b', 'aws:cloudformation:stack-name': 'x' } }).tags, {
      a: 'b',
    });
  });

  it('the upgrade changes exactly the version, the group, auto minor upgrades and the update mode', () => {
    const m = mirrorSourceInstance(facts);
    const u = upgradeSourceInstance(m, { engineVersion: '16.9', parameterGroupName: 'db1-postgres16' });
    const changed = Object.keys(u)
      .filter(
        (k) =>
          JSON.stringify((u as Record<string, unknown>)[k]) !==
          JSON.stringify((m as unknown as Record<string, unknown>)[k]),
      )
      .sort();
    assert.deepEqual(changed, [
      'allowMajorVersionUpgrade',
      'applyImmediately',
      'autoMinorVersionUpgrade',
      'blueGreenUpdate',
      'engineVersion',
      'parameterGroupName',
    ]);
    assert.deepEqual(u.blueGreenUpdate, { enabled: true });
  });

  it('describe-source.sh is clean POSIX sh under shellcheck', () => {
    const r = spawnSync('shellcheck', ['-s', 'sh', DESCRIBE_SOURCE_SCRIPT], { encoding: 'utf8' });
    assert.equal(r.error, undefined, 'shellcheck must be installed');
    assert.equal(r.status, 0, r.stdout);
  });
});
