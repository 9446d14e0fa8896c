// The resource graph of the real program with Pulumi.staging.yaml: what is created, with which properties and
// options, in which order, and what it exports.
import { strict as assert } from 'assert';
import { attachParameterGroupScript } from '../../database';
import { durationSeconds } from '../../config';
import { PHASES, timedInterpreter } from '../../cutover/timing';
import { RecordedResource } from '../helpers/mocks';
import { ProgramRun, runProgram, TEST_PASSWORD } from '../helpers/program';

const SNAPSHOT = 'aws:rds/snapshot:Snapshot';
const PARAMETER_GROUP = 'aws:rds/parameterGroup:ParameterGroup';
const INSTANCE = 'aws:rds/instance:Instance';
const COMMAND = 'command:local:Command';

/** The database stage: its components and their children (the targets and validation have their own tests). */
function databaseStage(run: ProgramRun): RecordedResource[] {
  return run.resources.filter(
    (r) =>
      r.type.startsWith('tooljet-pg-upgrade:database:') || r.options.parent?.includes('::tooljet-pg-upgrade:database:'),
  );
}

describe('program (Pulumi.staging.yaml): snapshot -> postgres16 group -> clone on 16.9', () => {
  let run: ProgramRun;
  let snapshot: RecordedResource;
  let group: RecordedResource;
  let clone: RecordedResource;
  let finish: RecordedResource;
  before(async () => {
    run = await runProgram({ stack: 'staging' });
    snapshot = run.one(SNAPSHOT);
    group = run.one(PARAMETER_GROUP);
    clone = run.one(INSTANCE);
    finish = databaseStage(run).find((r) => r.type === COMMAND)!;
  });

  it("registers exactly the three database components and their four resources, plus the clone's log group", () => {
    // Targets, validation and the monitoring alarms have their own tests (targets, validation, monitoring).
    const logGroup = (r: RecordedResource) =>
      r.type.startsWith('tooljet-pg-upgrade:monitoring:PostgresLogGroup') ||
      r.options.parent?.includes('::tooljet-pg-upgrade:monitoring:PostgresLogGroup::');
    const types = [...databaseStage(run), ...run.resources.filter(logGroup)].map((r) => `${r.type}::${r.name}`).sort();
    assert.deepEqual(
      types,
      [
        `${COMMAND}::clone-attach-parameter-group`,
        `${PARAMETER_GROUP}::clone-parameters-postgres16`,
        `${INSTANCE}::clone`,
        `${SNAPSHOT}::source-snapshot`,
        'aws:cloudwatch/logGroup:LogGroup::clone-postgresql-log',
        'tooljet-pg-upgrade:database:PostgresParameterGroup::clone-parameters',
        'tooljet-pg-upgrade:database:SourceSnapshot::source-snapshot',
        'tooljet-pg-upgrade:database:UpgradedClone::clone',
        'tooljet-pg-upgrade:monitoring:PostgresLogGroup::clone-postgresql-log',
      ].sort(),
    );
    for (const [child, parent] of [
      [snapshot, 'SourceSnapshot'],
      [group, 'PostgresParameterGroup'],
      [clone, 'UpgradedClone'],
      [finish, 'UpgradedClone'],
    ] as const) {
      assert.match(child.options.parent, new RegExp(`tooljet-pg-upgrade:database:${parent}::`));
    }
  });

  it('only looks the source up (read-only invoke) and never manages it as a resource', () => {
    // Besides the source, only the ECS target's read-only lookups of the service's current task definition.
    assert.deepEqual(
      run.invokes.filter((i) => !i.token.startsWith('aws:ecs/get')),
      [{ token: 'aws:rds/getInstance:getInstance', inputs: { dbInstanceIdentifier: 'tooljet-prod-db' } }],
    );
    assert.equal(run.ofType(INSTANCE).filter((r) => r.inputs.identifier === 'tooljet-prod-db').length, 0);
    assert.equal(snapshot.inputs.dbInstanceIdentifier, 'tooljet-prod-db');
  });

  it('snapshots the source under the configured, stable identifier', () => {
    assert.equal(snapshot.inputs.dbSnapshotIdentifier, 'tooljet-prod-db-pre-pg16-staging');
    assert.deepEqual(snapshot.inputs.tags, {
      team: 'platform',
      'cost-center': 'cc-0000',
      Name: 'tooljet-prod-db-pre-pg16-staging',
      'tooljet:purpose': 'pg16-upgrade-source-snapshot',
      'tooljet:source-instance': 'tooljet-prod-db',
      'tooljet:environment': 'staging',
      'tooljet:managed-by': 'pulumi/tooljet-pg-upgrade',
    });
  });

  it('keeps the snapshot when the stack is destroyed (retainOnDelete), even in staging', () => {
    assert.equal(snapshot.options.retainOnDelete, true);
  });

  it('gives the snapshot a create timeout beyond the provider default of 20 minutes', () => {
    assert.equal(snapshot.options.customTimeouts.create, '4h');
    assert.ok(durationSeconds(snapshot.options.customTimeouts.create)! > 20 * 60);
  });

  it('creates a postgres16 parameter group, in its own family-named resource, that forces TLS', () => {
    assert.equal(group.name, 'clone-parameters-postgres16');
    assert.equal(group.inputs.family, 'postgres16');
    assert.equal(group.inputs.name, 'test-db-pg13-clone-postgres16');
    assert.deepEqual(group.inputs.parameters, [{ name: 'rds.force_ssl', value: '1', applyMethod: 'pending-reboot' }]);
    assert.equal((group.inputs.tags as Record<string, string>)['tooljet:purpose'], 'pg16-upgrade-parameter-group');
  });

  it('restores the clone from the snapshot with every required property', () => {
    const i = clone.inputs;
    assert.equal(i.identifier, 'test-db-pg13-clone');
    assert.equal(i.snapshotIdentifier, 'tooljet-prod-db-pre-pg16-staging');
    assert.equal(i.instanceClass, 'db.t3.medium');
    assert.equal(i.engine, 'postgres');
    assert.equal(i.engineVersion, '16.9');
    assert.equal(i.allowMajorVersionUpgrade, true);
    assert.equal(i.applyImmediately, true);
    assert.equal(i.caCertIdentifier, 'rds-ca-rsa2048-g1');
    assert.equal(i.publiclyAccessible, false);
    assert.equal(i.storageEncrypted, true);
    assert.equal(i.port, 5432);
    assert.equal(i.copyTagsToSnapshot, true);
  });

  it('pins 16.9 with auto minor upgrades off (16.9 + auto-minor would drift into a "downgrade")', () => {
    assert.equal(clone.inputs.engineVersion, '16.9');
    assert.equal(clone.inputs.autoMinorVersionUpgrade, false);
  });

  it('restore/upgrade split: no parameter group on the instance itself (it would go into the restore call)', () => {
    assert.ok(!('parameterGroupName' in clone.inputs), 'a postgres16 group on the restore of a 13 snapshot is refused');
    // ...and the CA, which the restore does not send (terraform-provider-aws #33572, #35711): the finishing command
    // sets both; the instance must not show a diff for them on the next `pulumi up` (tests/programs/clone-source.test.ts).
    assert.deepEqual(clone.options.ignoreChanges, ['parameterGroupName', 'caCertIdentifier']);
  });

  it('restore/upgrade split: a finishing command attaches the postgres16 group after the upgrade', () => {
    assert.equal(finish.inputs.create, attachParameterGroupScript());
    assert.equal(finish.inputs.update, attachParameterGroupScript());
    assert.deepEqual(
      finish.inputs.interpreter,
      timedInterpreter(PHASES.parameterGroup),
      '/bin/sh -c through the timing wrapper',
    );
    assert.deepEqual(finish.inputs.environment, {
      TJ_CLONE_ID: 'test-db-pg13-clone',
      TJ_PARAMETER_GROUP: 'test-db-pg13-clone-postgres16',
      TJ_ENGINE_VERSION: '16.9',
      TJ_CA_CERT_IDENTIFIER: 'rds-ca-rsa2048-g1',
      TJ_TIMEOUT_SECONDS: String(4 * 3600),
      TJ_POLL_SECONDS: '30',
      AWS_PAGER: '',
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
    });
    // after the instance (restore + upgrade) and the group exist
    assert.ok(finish.options.dependencies.includes(clone.urn));
    assert.ok(finish.options.dependencies.includes(group.urn));
    // runs again when the clone is replaced or the group/version changes
    assert.deepEqual(finish.inputs.triggers, [clone.state.resourceId, 'test-db-pg13-clone-postgres16', '16.9']);
    assert.equal(finish.inputs.logging, 'stdoutAndStderr');
    assert.equal(finish.inputs.addPreviousOutputInEnv, false);
  });

  it('keeps identifiers and credentials off the command line: the create command is the generic script', () => {
    const create = String(finish.inputs.create);
    for (const word of [
      'test-db-pg13-clone',
      'tooljet-prod-db',
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      TEST_PASSWORD,
    ]) {
      assert.ok(!create.includes(word), `create command contains ${word}`);
    }
    assert.ok(!JSON.stringify(finish.inputs.environment).includes('SECRET'));
  });

  it("orders snapshot -> clone: the clone restores from the snapshot resource's output", () => {
    assert.deepEqual(clone.options.propertyDependencies.snapshotIdentifier, [snapshot.urn]);
    assert.ok(clone.options.dependencies.includes(snapshot.urn));
  });

  it('does not ignore snapshotIdentifier: ignored inputs keep their old value even on --replace (docs/design.md)', () => {
    assert.ok(!clone.options.ignoreChanges.includes('snapshotIdentifier'));
  });

  it('gives the clone timeouts beyond the provider defaults (create 40m, update 80m) for restore + major upgrade', () => {
    assert.deepEqual(clone.options.customTimeouts, { create: '4h', update: '4h', delete: '2h' });
    assert.ok(durationSeconds(clone.options.customTimeouts.create)! > 40 * 60);
    assert.ok(durationSeconds(clone.options.customTimeouts.update)! > 80 * 60);
    assert.deepEqual(finish.options.customTimeouts, { create: '4h', update: '4h', delete: '' });
  });

  it('leaves a staging clone destroyable: no protect, no deletion protection, no final snapshot', () => {
    assert.equal(clone.options.protect, false);
    assert.equal(clone.inputs.deletionProtection, false);
    assert.equal(clone.inputs.skipFinalSnapshot, true);
    assert.ok(!('finalSnapshotIdentifier' in clone.inputs));
    assert.equal(snapshot.options.protect, false);
    assert.equal(group.options.protect, false);
  });

  it("puts the clone in the source's private network by default", () => {
    assert.equal(clone.inputs.dbSubnetGroupName, 'tooljet-private-db');
    assert.deepEqual(clone.inputs.vpcSecurityGroupIds, ['sg-0aaaaaaaaaaaaaaa1']);
    assert.equal(clone.inputs.multiAz, false);
  });

  it('tags the clone with what it is and where it came from', () => {
    assert.deepEqual(clone.inputs.tags, {
      team: 'platform',
      'cost-center': 'cc-0000',
      Name: 'test-db-pg13-clone',
      'tooljet:purpose': 'pg16-upgrade-clone',
      'tooljet:source-instance': 'tooljet-prod-db',
      'tooljet:source-snapshot': 'tooljet-prod-db-pre-pg16-staging',
      'tooljet:environment': 'staging',
      'tooljet:managed-by': 'pulumi/tooljet-pg-upgrade',
    });
  });

  it('exports the clone, the snapshot and the active database (the clone)', () => {
    const v = (k: string) => run.outputs[k].value;
    const host = String(clone.state.address);
    assert.match(host, /^test-db-pg13-clone\./);
    assert.equal(v('environment'), 'staging');
    assert.equal(v('snapshotIdentifier'), 'tooljet-prod-db-pre-pg16-staging');
    assert.equal(v('cloneIdentifier'), 'test-db-pg13-clone');
    assert.equal(v('cloneAddress'), host);
    assert.equal(v('clonePort'), 5432);
    assert.equal(v('cloneEndpoint'), `${host}:5432`);
    assert.equal(v('cloneEngineVersion'), '16.9');
    assert.equal(v('cloneParameterGroupName'), 'test-db-pg13-clone-postgres16');
    assert.equal(v('sourceIdentifier'), 'tooljet-prod-db');
    assert.equal(v('sourceEngineVersion'), '13.20');
    assert.equal(v('activeDatabase'), 'clone');
    assert.equal(v('activeDatabaseIdentifier'), 'test-db-pg13-clone');
    assert.equal(v('activeDatabaseEndpoint'), `${host}:5432`);
    assert.equal(v('activeDatabaseAddress'), host);
    assert.equal(v('activeDatabasePort'), 5432);
  });

  it('puts no secret in any output, and no output is an unmarked secret', () => {
    for (const [key, o] of Object.entries(run.outputs)) {
      assert.ok(o.known, `${key} is unknown`);
      assert.ok(!JSON.stringify(o.value).includes(TEST_PASSWORD), `${key} contains the password`);
      assert.equal(o.secret, false, `${key} unexpectedly secret`);
    }
  });

  it("passes the password to no resource of this stage (the clone keeps the snapshot's users)", () => {
    for (const r of databaseStage(run))
      assert.ok(!JSON.stringify(r.inputs).includes(TEST_PASSWORD), `${r.type} ${r.name}`);
    assert.ok(!('password' in clone.inputs));
  });
});

describe('program under `pulumi preview`', () => {
  it('only makes read-only lookups (no command runs: no command:local:run invoke)', async () => {
    const run = await runProgram({ stack: 'staging', preview: true });
    assert.deepEqual(run.invokes.map((i) => i.token).sort(), [
      'aws:ecs/getCluster:getCluster',
      'aws:ecs/getService:getService',
      'aws:ecs/getTaskDefinition:getTaskDefinition',
      'aws:rds/getInstance:getInstance',
    ]);
    assert.equal(
      run.ofType(COMMAND).filter((c) => c.name === 'clone-attach-parameter-group').length,
      1,
      'the finishing step is a resource, which the provider never runs in preview',
    );
  });
});
