// Pulumi.prod.yaml: everything that protects production data.
import { strict as assert } from 'assert';
import { fakeAws, fakeInstance, RecordedResource } from '../helpers/mocks';
import { ProgramRun, runProgram, stackValue, TEST_PASSWORD } from '../helpers/program';

describe('program (Pulumi.prod.yaml): production protections', () => {
  let run: ProgramRun;
  let snapshot: RecordedResource;
  let group: RecordedResource;
  let clone: RecordedResource;
  before(async () => {
    run = await runProgram({ stack: 'prod' });
    snapshot = run.one('aws:rds/snapshot:Snapshot');
    group = run.one('aws:rds/parameterGroup:ParameterGroup');
    clone = run.one('aws:rds/instance:Instance');
  });

  it('protects the snapshot, the parameter group and the clone with Pulumi protect', () => {
    assert.equal(snapshot.options.protect, true);
    assert.equal(group.options.protect, true);
    assert.equal(clone.options.protect, true);
  });

  it('keeps the rollback snapshot even if the stack is destroyed', () => {
    assert.equal(snapshot.options.retainOnDelete, true);
    assert.equal(snapshot.inputs.dbSnapshotIdentifier, 'tooljet-prod-db-pre-pg16-prod');
    assert.equal(snapshot.options.customTimeouts.create, '6h');
  });

  it('turns on RDS deletion protection and a final snapshot, and keeps automated backups', () => {
    assert.equal(clone.inputs.deletionProtection, true);
    assert.equal(clone.inputs.skipFinalSnapshot, false);
    assert.equal(clone.inputs.finalSnapshotIdentifier, 'tooljet-prod-db-pg16-final');
    assert.equal(clone.inputs.deleteAutomatedBackups, false);
    assert.equal(clone.inputs.backupRetentionPeriod, 7);
  });

  it('uses the production settings of the stack file', () => {
    assert.equal(clone.inputs.identifier, 'tooljet-prod-db-pg16');
    assert.equal(clone.inputs.instanceClass, 'db.m6g.large');
    assert.equal(clone.inputs.multiAz, true);
    assert.equal(clone.inputs.engineVersion, '16.9');
    assert.equal(clone.inputs.autoMinorVersionUpgrade, false);
    assert.deepEqual(clone.options.customTimeouts, { create: '6h', update: '6h', delete: '3h' });
    assert.equal((clone.inputs.tags as Record<string, string>)['tooljet:environment'], 'production');
    const env = run.ofType('command:local:Command').find((c) => c.name === 'clone-attach-parameter-group')!.inputs
      .environment as Record<string, string>;
    assert.equal(env.TJ_TIMEOUT_SECONDS, String(6 * 3600), 'the finishing step may wait as long as an update');
  });

  it('is the cutover: ToolJet pointed at the clone, in a maintenance window (activeDatabase: clone, maintenanceWindow: true)', () => {
    const v = (k: string) => run.outputs[k].value;
    assert.equal(v('maintenanceWindow'), 'cutover');
    assert.equal(v('activeDatabase'), 'clone');
    assert.equal(v('activeDatabaseIdentifier'), 'tooljet-prod-db-pg16');
    assert.equal(v('activeDatabaseEndpoint'), v('cloneEndpoint'));
    assert.notEqual(v('activeDatabaseEndpoint'), v('sourceEndpoint'));
    assert.deepEqual(
      run
        .ofType('command:local:Command')
        .filter((c) => /^(stop|start)-tooljet-/.test(c.name))
        .map((c) => c.name)
        .sort(),
      ['start-tooljet-ecs', 'stop-tooljet-ecs'],
    );
  });

  it('puts no secret in any output', () => {
    for (const [key, o] of Object.entries(run.outputs))
      assert.ok(!JSON.stringify(o.value).includes(TEST_PASSWORD), key);
  });

  it("a production clone takes the source's Multi-AZ setting when not configured", async () => {
    const cloneConfig = stackValue('prod', 'clone');
    delete cloneConfig.multiAz;
    for (const multiAz of [true, false]) {
      const r = await runProgram({
        stack: 'prod',
        set: { clone: cloneConfig },
        aws: fakeAws({ instances: { 'tooljet-prod-db': fakeInstance('tooljet-prod-db', { multiAz }) } }),
      });
      assert.equal(r.one('aws:rds/instance:Instance').inputs.multiAz, multiAz);
    }
  });
});
