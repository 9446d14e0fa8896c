// strategy: blue-green in the real program. Accepted: the source imported exactly as it is (phase import), then
// snapshot -> precheck -> blueGreenUpdate to 16.9 on a postgres16 group with logical replication -> postcheck
// (phase upgrade). Refused at start, before anything is registered, for each missing prerequisite. The clone
// strategy never imports anything.
import { strict as assert } from 'assert';
import * as pulumi from '@pulumi/pulumi';
import { postcheckScript, precheckScript } from '../../bluegreen';
import { fakeAws, FakeInstance, fakeInstance, RecordedResource } from '../helpers/mocks';
import { programError, ProgramRun, runProgram, RunOptions, TEST_PASSWORD } from '../helpers/program';

const INSTANCE = 'aws:rds/instance:Instance';
const COMMAND = 'command:local:Command';
const rpc = require('@pulumi/pulumi/runtime/rpc') as { specialSigKey: string; specialSecretSig: string };

function blueGreen(
  phase: 'import' | 'upgrade' | undefined,
  source: Partial<FakeInstance> = {},
  set: Record<string, unknown> = {},
): RunOptions {
  return {
    stack: 'prod',
    // Pulumi.prod.yaml is the clone strategy's cutover (activeDatabase: clone, maintenanceWindow: true): neither applies here.
    set: {
      strategy: 'blue-green',
      clone: undefined,
      activeDatabase: undefined,
      maintenanceWindow: undefined,
      blueGreen: phase ? { phase } : undefined,
      ...set,
    },
    aws: fakeAws({ instances: { 'tooljet-prod-db': fakeInstance('tooljet-prod-db', source) } }),
  };
}

const command = (run: ProgramRun, suffix: string): RecordedResource | undefined =>
  run.ofType(COMMAND).find((c) => c.name === `blue-green-${suffix}`);
const secretEnv = (r: RecordedResource): Record<string, string> => {
  const env = r.inputs.environment as Record<string, unknown>;
  assert.equal(env[rpc.specialSigKey], rpc.specialSecretSig, 'the environment (with PGPASSWORD) is a secret');
  return env.value as Record<string, string>;
};

describe('strategy blue-green, phase import (default): the source adopted exactly as it is', () => {
  let run: ProgramRun;
  let source: RecordedResource;
  before(async () => {
    run = await runProgram(blueGreen(undefined));
    source = run.one(INSTANCE);
  });

  it('reads the source with getInstance and the RDS API facts (describe-source.sh), and the ECS target its current task definition', () => {
    assert.deepEqual(
      run.invokes.map((i) => i.token),
      [
        'aws:rds/getInstance:getInstance',
        'command:local:run',
        'aws:ecs/getCluster:getCluster',
        'aws:ecs/getService:getService',
        'aws:ecs/getTaskDefinition:getTaskDefinition',
      ],
    );
    const env = run.invokes[1].inputs.environment as Record<string, string>;
    assert.deepEqual(
      [env.TJ_SOURCE_ID, env.TJ_PARAMETER_GROUP, env.AWS_REGION],
      ['tooljet-prod-db', 'tooljet-prod-postgres13', 'us-east-1'],
    );
  });

  it('imports the source instance (import option = its identifier), protected and retained', () => {
    assert.equal(source.options.importId, 'tooljet-prod-db');
    assert.equal(source.options.protect, true);
    assert.equal(source.options.retainOnDelete, true);
  });

  it("mirrors the source so the import has no diff: identity, defaulted settings, the importer's own values", () => {
    assert.deepEqual(source.inputs, {
      identifier: 'tooljet-prod-db',
      engine: 'postgres',
      engineVersion: '13.20',
      instanceClass: 'db.m6g.large',
      parameterGroupName: 'tooljet-prod-postgres13',
      autoMinorVersionUpgrade: true,
      copyTagsToSnapshot: true,
      deletionProtection: true,
      iamDatabaseAuthenticationEnabled: false,
      performanceInsightsEnabled: false,
      publiclyAccessible: false,
      storageEncrypted: true,
      monitoringInterval: 0,
      enabledCloudwatchLogsExports: [],
      tags: { team: 'platform' },
      skipFinalSnapshot: true,
      deleteAutomatedBackups: true,
    });
    assert.ok(!('blueGreenUpdate' in source.inputs), 'nothing that would change the source in the import phase');
  });

  it('creates no clone, snapshot or parameter group; runs the precheck (read-only) and no postcheck', () => {
    for (const type of [
      'aws:rds/snapshot:Snapshot',
      'aws:rds/parameterGroup:ParameterGroup',
      'aws:cloudwatch/logGroup:LogGroup',
    ])
      assert.equal(run.ofType(type).length, 0, type);
    assert.equal(run.ofType(INSTANCE).length, 1);
    const pre = command(run, 'precheck')!;
    assert.equal(pre.inputs.create, precheckScript());
    assert.equal(command(run, 'postcheck'), undefined);
    assert.deepEqual(source.options.dependencies, [], 'the import waits for nothing and changes nothing');
  });

  it('exports the source as the active database (its endpoint never moves)', () => {
    const o = run.outputs;
    assert.equal(o.strategy.value, 'blue-green');
    assert.equal(o.blueGreenPhase.value, 'import');
    assert.equal(o.activeDatabaseIdentifier.value, 'tooljet-prod-db');
    assert.equal(o.activeDatabaseEndpoint.value, o.sourceEndpoint.value);
    assert.equal(o.engineVersion.value, '13.20');
  });
});

describe('strategy blue-green, phase upgrade: snapshot -> precheck -> blue/green update -> postcheck', () => {
  let run: ProgramRun;
  let source: RecordedResource;
  let snapshot: RecordedResource;
  let group: RecordedResource;
  before(async () => {
    run = await runProgram(blueGreen('upgrade'));
    source = run.one(INSTANCE);
    snapshot = run.one('aws:rds/snapshot:Snapshot');
    group = run.one('aws:rds/parameterGroup:ParameterGroup');
  });

  it('takes a snapshot of the source first and keeps it whatever happens (retainOnDelete, protect)', () => {
    assert.equal(snapshot.inputs.dbInstanceIdentifier, 'tooljet-prod-db');
    assert.equal(snapshot.inputs.dbSnapshotIdentifier, 'tooljet-prod-db-pre-pg16-prod');
    assert.equal(snapshot.options.retainOnDelete, true);
    assert.equal(snapshot.options.protect, true);
    assert.equal(run.outputs.snapshotIdentifier.value, 'tooljet-prod-db-pre-pg16-prod');
  });

  it('creates a postgres16 group with TLS only and logical replication for the green instance', () => {
    assert.equal(group.inputs.family, 'postgres16');
    assert.equal(group.inputs.name, 'tooljet-prod-db-postgres16');
    assert.deepEqual(group.inputs.parameters, [
      { name: 'rds.force_ssl', value: '1', applyMethod: 'pending-reboot' },
      { name: 'rds.logical_replication', value: '1', applyMethod: 'pending-reboot' },
    ]);
  });

  it('updates the imported source to 16.9 on that group with blueGreenUpdate', () => {
    const i = source.inputs;
    assert.equal(source.options.importId, 'tooljet-prod-db');
    assert.deepEqual(i.blueGreenUpdate, { enabled: true });
    assert.equal(i.engineVersion, '16.9');
    assert.equal(i.parameterGroupName, 'tooljet-prod-db-postgres16');
    assert.equal(i.allowMajorVersionUpgrade, true);
    assert.equal(i.applyImmediately, true);
    assert.equal(i.autoMinorVersionUpgrade, false, 'pinned 16.9 must not drift');
    assert.equal(i.instanceClass, 'db.m6g.large', 'everything else stays mirrored');
    assert.equal(source.options.customTimeouts.update, '8h');
    assert.equal(source.options.protect, true);
  });

  it('orders snapshot and a passed precheck before the update, the postcheck after it', () => {
    const pre = command(run, 'precheck')!;
    const post = command(run, 'postcheck')!;
    assert.ok(source.options.dependencies.includes(snapshot.urn), 'snapshot first');
    assert.ok(source.options.dependencies.includes(pre.urn), 'precheck first');
    assert.ok(source.options.dependencies.includes(group.urn), 'the group exists before it is used');
    assert.ok(post.options.dependencies.includes(source.urn), 'postcheck after the switchover');
    // precheck runs again when the phase, the target version or the source instance changes
    assert.deepEqual(pre.inputs.triggers, ['upgrade', '16.9', 'tooljet-prod-db']);
  });

  it('postcheck fixes sequences (logical replication does not carry them) on the upgraded endpoint', () => {
    const post = command(run, 'postcheck')!;
    assert.equal(post.inputs.create, postcheckScript());
    assert.match(
      postcheckScript(),
      /postcheck --quiet --expect-version "\$TJ_ENGINE_VERSION" --tooljet-db "\$TJ_TOOLJET_DB" --fix-sequences --analyze/,
    );
    const env = secretEnv(post);
    assert.match(
      env.TJ_PG_TARGET_URL,
      /^postgresql:\/\/tooljet@tooljet-prod-db\.[a-z0-9.-]+:5432\/tooljet_production\?sslmode=verify-full&sslrootcert=/,
    );
    assert.deepEqual([env.TJ_ENGINE_VERSION, env.TJ_TOOLJET_DB, env.PGPASSWORD], ['16.9', 'tooljet_db', TEST_PASSWORD]);
    assert.deepEqual(post.inputs.triggers, [source.state.resourceId, '16.9']);
  });

  it('keeps the password out of command lines and URLs', () => {
    // (the ToolJet targets' commands carry no password at all: tests/programs/targets.test.ts)
    for (const c of run.ofType(COMMAND).filter((x) => x.name.startsWith('blue-green-'))) {
      assert.ok(!String(c.inputs.create).includes(TEST_PASSWORD), c.name);
      const env = secretEnv(c);
      for (const [k, v] of Object.entries(env))
        if (k !== 'PGPASSWORD') assert.ok(!v.includes(TEST_PASSWORD), `${c.name} ${k}`);
    }
  });

  it('a rerun after the switchover (the source now reports 16.9) is accepted: inputs equal what AWS reports, precheck not re-triggered', async () => {
    const after = {
      engineVersion: '16.9',
      dbParameterGroups: ['tooljet-prod-db-postgres16'],
      autoMinorVersionUpgrade: false,
    };
    const again = await runProgram(blueGreen('upgrade', after));
    const i = again.one(INSTANCE).inputs;
    assert.deepEqual(
      [i.engineVersion, i.parameterGroupName, i.autoMinorVersionUpgrade],
      ['16.9', 'tooljet-prod-db-postgres16', false],
    );
    assert.deepEqual(command(again, 'precheck')!.inputs.triggers, command(run, 'precheck')!.inputs.triggers);
    assert.equal(again.outputs.sourceEngineVersion.value, '16.9');
  });
});

describe('strategy blue-green is refused at start when a prerequisite is missing', () => {
  async function refused(opts: RunOptions, pattern: RegExp): Promise<string> {
    const { error, mocks } = await programError(opts);
    assert.ok(pulumi.RunError.isInstance(error), `${error.name}: ${error.message}`);
    assert.match(error.message, pattern);
    assert.equal(mocks.resources.length, 0, 'nothing registered, nothing imported');
    return error.message;
  }

  it('automated backups off', async () => {
    await refused(
      blueGreen('upgrade', { backupRetentionPeriod: 0 }),
      /^tooljet-pg-upgrade:strategy: "tooljet-prod-db" has automated backups off \(backup retention 0 days\); blue\/green needs them: aws rds modify-db-instance --db-instance-identifier tooljet-prod-db --backup-retention-period 7 --apply-immediately$/,
    );
  });

  it('read replicas present', async () => {
    await refused(
      blueGreen('upgrade', { readReplicas: ['tooljet-prod-db-replica-1'] }),
      /has read replica\(s\) tooljet-prod-db-replica-1; the provider's blue\/green update handles the primary only/,
    );
  });

  it('the source is itself a read replica', async () => {
    await refused(
      blueGreen(undefined, { replicateSourceDb: 'tooljet-primary' }),
      /"tooljet-prod-db" is a read replica of "tooljet-primary"; upgrade the primary instead$/,
    );
  });

  it('the default parameter group (rds.logical_replication cannot be set there)', async () => {
    await refused(
      blueGreen('upgrade', { dbParameterGroups: ['default.postgres13'], logicalReplication: '0' }),
      /uses the default parameter group default\.postgres13, where rds\.logical_replication cannot be set/,
    );
  });

  it("rds.logical_replication not 1 in the source's group", async () => {
    await refused(
      blueGreen('upgrade', { logicalReplication: '0' }),
      /parameter group tooljet-prod-postgres13 of "tooljet-prod-db" has rds\.logical_replication=0; .*ParameterName=rds\.logical_replication,ParameterValue=1,ApplyMethod=pending-reboot, then reboot/,
    );
    await refused(blueGreen('upgrade', { logicalReplication: undefined }), /has rds\.logical_replication=unset;/);
  });

  it('rds.logical_replication=1 set but not applied (pending reboot)', async () => {
    await refused(
      blueGreen('upgrade', { parameterApplyStatus: 'pending-reboot' }),
      /rds\.logical_replication=1 is set in tooljet-prod-postgres13 but not applied to "tooljet-prod-db" \(parameter status pending-reboot\): reboot it/,
    );
  });

  it('a 13.x older than 13.12 (RDS blue/green major upgrades start there)', async () => {
    await refused(
      blueGreen('upgrade', { engineVersion: '13.11' }),
      /runs PostgreSQL 13\.11; RDS blue\/green major version upgrades need 13\.12 or later/,
    );
  });

  it('a master password managed in Secrets Manager', async () => {
    await refused(
      blueGreen('upgrade', {
        masterUserSecrets: [{ secretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db' }],
      }),
      /manages its master password in AWS Secrets Manager, which RDS blue\/green deployments do not support/,
    );
  });

  it('several missing prerequisites: all reported, one line each', async () => {
    const message = await refused(
      blueGreen('upgrade', { backupRetentionPeriod: 0, readReplicas: ['r1'], parameterApplyStatus: 'pending-reboot' }),
      /automated backups off/,
    );
    assert.equal(message.split('\n').length, 3);
  });

  it('phase import on a source that already switched over', async () => {
    await refused(
      blueGreen('import', { engineVersion: '16.9' }),
      /already runs PostgreSQL 16\.9: the blue\/green upgrade is done; keep blueGreen\.phase: upgrade$/,
    );
  });

  it('the lookups failing are one clear line each (instance not found; AWS CLI missing or not allowed)', async () => {
    await refused(
      { ...blueGreen('upgrade'), aws: fakeAws({ instances: {} }) },
      /^tooljet-pg-upgrade:source\.identifier: RDS instance "tooljet-prod-db" could not be read/,
    );
    const noCli = blueGreen('upgrade');
    noCli.aws!.cliError = 'aws: not found';
    await refused(
      noCli,
      /^tooljet-pg-upgrade:strategy: the blue-green prerequisites of "tooljet-prod-db" could not be read with the AWS CLI \(.*aws: not found.*\); install AWS CLI v2 and allow rds:DescribeDBInstances and rds:DescribeDBParameters$/,
    );
  });

  it('configuration that only makes sense for the clone strategy', async () => {
    await refused(
      {
        ...blueGreen('upgrade'),
        set: {
          strategy: 'blue-green',
          activeDatabase: undefined,
          maintenanceWindow: undefined,
          blueGreen: { phase: 'upgrade' },
        },
      },
      /^tooljet-pg-upgrade:clone: is not used with strategy "blue-green"/,
    );
    await refused(
      blueGreen('upgrade', {}, { activeDatabase: 'clone' }),
      /^tooljet-pg-upgrade:activeDatabase: "clone" has no meaning with strategy "blue-green"/,
    );
    await refused(
      blueGreen('upgrade', {}, { snapshot: { mode: 'existing', identifier: 'some-snapshot' } }),
      /^tooljet-pg-upgrade:snapshot\.mode: "existing" is refused with strategy "blue-green"/,
    );
  });
});

describe('strategy clone (default) never touches the source', () => {
  it("imports nothing and declares no instance with the source's identifier", async () => {
    for (const stack of ['staging', 'prod']) {
      const run = await runProgram({ stack });
      for (const r of run.resources) assert.equal(r.options.importId ?? '', '', `${stack}: ${r.type} ${r.name}`);
      assert.ok(run.ofType(INSTANCE).every((i) => i.inputs.identifier !== 'tooljet-prod-db'));
      assert.ok(run.ofType(INSTANCE).every((i) => !('blueGreenUpdate' in i.inputs)));
      assert.ok(!run.invokes.some((i) => i.token === 'command:local:run'));
    }
  });
});
