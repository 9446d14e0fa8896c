// docs/cutover-and-rollback.md "Second path: restore from the pre-upgrade snapshot": ToolJet pointed at an instance
// restored from a snapshot (activeDatabase: restored, restoredInstance.identifier), in the real program under Pulumi
// mocks. The restored instance is only read; the protected snapshot and the clone keep exactly their inputs (so nothing
// is replaced or deleted: a changed source.identifier would have replaced the snapshot, which production refuses);
// every target and the alarms move to the restored endpoint; in the window ToolJet is stopped and started around the
// re-point. A source that was deleted is restored under its own identifier instead, and the stack does not change at
// all.
import { strict as assert } from 'assert';
import * as pulumi from '@pulumi/pulumi';
import { fakeAws, fakeInstance, FakeAws, RecordedResource } from '../helpers/mocks';
import { assertChain, Graph } from '../helpers/graph';
import { programError, ProgramRun, runProgram } from '../helpers/program';

const COMMAND = 'command:local:Command';
const CUTOVER_AT = '2026-07-01T22:00:00Z';
const RESTORED = 'tooljet-prod-db-restored';
const PROTECTED = ['aws:rds/snapshot:Snapshot', 'aws:rds/instance:Instance', 'aws:rds/parameterGroup:ParameterGroup'];

const world = (extra: Partial<Parameters<typeof fakeInstance>[1]> = {}): FakeAws =>
  fakeAws({
    instances: { 'tooljet-prod-db': fakeInstance('tooljet-prod-db'), [RESTORED]: fakeInstance(RESTORED, extra) },
  });

function pgHost(run: ProgramRun): string {
  const td = run.one('aws:ecs/taskDefinition:TaskDefinition');
  const tooljet = (
    JSON.parse(String(td.inputs.containerDefinitions)) as Array<{
      name: string;
      environment: Array<{ name: string; value: string }>;
    }>
  ).find((c) => c.name === 'tooljet')!;
  return tooljet.environment.find((e) => e.name === 'PG_HOST')!.value;
}
const command = (run: ProgramRun, name: string): RecordedResource | undefined =>
  run.ofType(COMMAND).find((c) => c.name === name);

describe('activeDatabase restored (Pulumi.prod.yaml after the cutover): ToolJet on a restored instance', () => {
  let cutOver: ProgramRun;
  let restored: ProgramRun;
  before(async () => {
    cutOver = await runProgram({ stack: 'prod', set: { cutoverAt: CUTOVER_AT }, aws: world() });
    restored = await runProgram({
      stack: 'prod',
      set: { cutoverAt: CUTOVER_AT, activeDatabase: 'restored', restoredInstance: { identifier: RESTORED } },
      aws: world(),
    });
  });

  it('leaves the snapshot, the clone and its parameter group exactly as they are (same inputs and options: no replace, no delete)', () => {
    for (const type of PROTECTED) {
      const [a, b] = [cutOver.one(type), restored.one(type)];
      assert.equal(b.urn, a.urn, type);
      assert.deepEqual(b.inputs, a.inputs, type);
      assert.deepEqual(b.options, a.options, type);
      assert.equal(b.options.protect, true, type);
    }
    assert.equal(
      restored.ofType('aws:rds/instance:Instance').length,
      1,
      'the restored instance is read, never a resource',
    );
    assert.ok(
      restored.invokes.some(
        (i) => i.token === 'aws:rds/getInstance:getInstance' && i.inputs.dbInstanceIdentifier === RESTORED,
      ),
    );
  });

  it('points every target at the restored endpoint and exports it as the active database', () => {
    assert.match(pgHost(cutOver), /^tooljet-prod-db-pg16\./);
    assert.match(pgHost(restored), new RegExp(`^${RESTORED}\\.`));
    assert.equal(restored.outputs.activeDatabase.value, 'restored');
    assert.equal(restored.outputs.activeDatabaseIdentifier.value, RESTORED);
    assert.match(String(restored.outputs.activeDatabaseEndpoint.value), new RegExp(`^${RESTORED}\\..*:5432$`));
  });

  it('in the window: stop -> re-point -> start run again (the restored identifier is part of their triggers); no validation, no report', () => {
    const stop = command(restored, 'stop-tooljet-ecs')!;
    assert.deepEqual(stop.inputs.triggers, [
      'tooljet-prod-db-pre-pg16-prod',
      'tooljet-prod-db-pg16',
      `restored:${RESTORED}`,
    ]);
    assert.notDeepEqual(stop.inputs.triggers, command(cutOver, 'stop-tooljet-ecs')!.inputs.triggers);
    const g = new Graph(restored);
    assertChain(g, [
      ['stop', [g.command('stop-tooljet-ecs')]],
      ['re-point', g.targetResources('ecs')],
      ['start', [g.command('start-tooljet-ecs')]],
    ]);
    assert.equal(command(restored, 'post-deploy-validate'), undefined);
    assert.equal(command(restored, 'rollback-report'), undefined);
    assert.equal(restored.outputs.postDeployValidation.value, 'skipped');
    assert.equal(restored.outputs.maintenanceWindow.value, 'rollback');
    const estimate = restored.logs.find((l) => l.includes('rollback in a maintenance window'))!;
    assert.match(estimate, /1\. stop ToolJet \(ecs\)[\s\S]*2\. re-point \(ecs\)[\s\S]*3\. start ToolJet \(ecs\)/);
  });

  it('the alarms follow ToolJet to the restored instance (same names: updated in place); the dashboard shows it', () => {
    for (const a of restored
      .ofType('aws:cloudwatch/metricAlarm:MetricAlarm')
      .filter((x) => x.inputs.namespace === 'AWS/RDS')) {
      assert.deepEqual(a.inputs.dimensions, { DBInstanceIdentifier: RESTORED }, String(a.inputs.name));
    }
    assert.deepEqual(
      restored
        .ofType('aws:cloudwatch/metricAlarm:MetricAlarm')
        .map((a) => a.inputs.name)
        .sort(),
      cutOver
        .ofType('aws:cloudwatch/metricAlarm:MetricAlarm')
        .map((a) => a.inputs.name)
        .filter((n) => !String(n).includes('connection-failures'))
        .sort(),
    );
    assert.match(
      String(restored.one('aws:cloudwatch/dashboard:Dashboard').inputs.dashboardBody),
      new RegExp(`restored ${RESTORED}`),
    );
  });
});

describe('activeDatabase restored: refused at start, one line, nothing registered', () => {
  it('an instance that cannot be read, or whose CA the bundle cannot verify', async () => {
    const set = { activeDatabase: 'restored', restoredInstance: { identifier: RESTORED }, cutoverAt: CUTOVER_AT };
    const missing = await programError({ stack: 'prod', set, aws: fakeAws() });
    assert.ok(pulumi.RunError.isInstance(missing.error));
    assert.match(
      missing.error.message,
      /^tooljet-pg-upgrade:restoredInstance\.identifier: RDS instance "tooljet-prod-db-restored" could not be read \(.*DBInstanceNotFound.*\); restore it first \(docs\/cutover-and-rollback\.md "Second path: restore from the pre-upgrade snapshot"\)/,
    );
    assert.equal(missing.mocks.resources.length, 0);
    const wrongCa = await programError({ stack: 'prod', set, aws: world({ caCertIdentifier: 'rds-ca-ecc384-g1' }) });
    assert.match(
      wrongCa.error.message,
      /^tooljet-pg-upgrade:restoredInstance\.identifier: "tooljet-prod-db-restored" uses the RDS CA rds-ca-ecc384-g1, and caBundle holds no root of it/,
    );
    assert.ok(!wrongCa.error.message.includes('\n'));
    const unencrypted = await programError({ stack: 'prod', set, aws: world({ storageEncrypted: false }) });
    assert.match(
      unencrypted.error.message,
      /^tooljet-pg-upgrade:restoredInstance\.identifier: "tooljet-prod-db-restored" has unencrypted storage/,
    );
  });

  it('configuration: restoredInstance needs activeDatabase restored and the reverse; not the source or the clone', async () => {
    for (const [set, pattern] of [
      [
        { activeDatabase: 'restored', cutoverAt: CUTOVER_AT },
        /^tooljet-pg-upgrade:restoredInstance\.identifier: not set; activeDatabase: restored points ToolJet at an instance you restored from a snapshot: pulumi config set --path restoredInstance\.identifier/,
      ],
      [
        { restoredInstance: { identifier: RESTORED } },
        /^tooljet-pg-upgrade:restoredInstance: is only used with activeDatabase: restored; remove it/,
      ],
      [
        { activeDatabase: 'restored', restoredInstance: { identifier: 'tooljet-prod-db' } },
        /^tooljet-pg-upgrade:restoredInstance\.identifier: "tooljet-prod-db" is source\.identifier \(for the source use activeDatabase: source\)/,
      ],
      [
        { activeDatabase: 'restored', restoredInstance: { identifier: RESTORED, id: 'x' } },
        /^tooljet-pg-upgrade:restoredInstance\.id: unknown key/,
      ],
    ] as const) {
      const { error, mocks } = await programError({ stack: 'prod', set, aws: world() });
      assert.match(error.message, pattern);
      assert.ok(!error.message.includes('\n'), error.message);
      assert.equal(mocks.resources.length, 0);
    }
  });
});

describe('a deleted source restored under its own identifier (docs/cutover-and-rollback.md "Second path"): the stack does not change', () => {
  it('snapshot, clone and targets keep their inputs when the instance behind source.identifier is a new one', async () => {
    const set = { activeDatabase: 'source', cutoverAt: CUTOVER_AT };
    const before = await runProgram({ stack: 'prod', set, aws: world() });
    // The restore: another instance (13.x of the snapshot time, new resource id) under the same identifier, network and Multi-AZ.
    const after = await runProgram({
      stack: 'prod',
      set,
      aws: fakeAws({ instances: { 'tooljet-prod-db': fakeInstance('tooljet-prod-db', { engineVersion: '13.21' }) } }),
    });
    for (const type of [...PROTECTED, 'aws:ecs/taskDefinition:TaskDefinition'])
      assert.deepEqual(after.one(type).inputs, before.one(type).inputs, type);
    assert.match(pgHost(after), /^tooljet-prod-db\./);
  });
});
