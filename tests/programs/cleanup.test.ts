// cleanup (staging only): after the stable period the clone, its parameter group, log group and commands leave the
// program, so `pulumi up` deletes them; the pre-upgrade snapshot stays (retainOnDelete) and is tagged with the
// date it may be deleted after, a date from config, never from the clock.
import { strict as assert } from 'assert';
import * as pulumi from '@pulumi/pulumi';
import { programError, ProgramRun, runProgram } from '../helpers/program';

const SNAPSHOT = 'aws:rds/snapshot:Snapshot';

describe('cleanup (Pulumi.staging.yaml, ToolJet back on the source)', () => {
  let kept: ProgramRun;
  let cleaned: ProgramRun;
  before(async () => {
    kept = await runProgram({ stack: 'staging', set: { activeDatabase: 'source' } });
    cleaned = await runProgram({
      stack: 'staging',
      set: { activeDatabase: 'source', cleanup: { enabled: true, deleteSnapshotAfter: '2026-12-31' } },
    });
  });

  it('no longer declares the clone, its parameter group, log group or commands (pulumi up deletes them)', () => {
    // The ToolJet targets stay (pointed at the source); everything of the clone goes.
    const notTargets = (run: ProgramRun, type: string) =>
      run.ofType(type).filter((r) => !r.options.parent.includes('::tooljet-pg-upgrade:targets:'));
    for (const type of [
      'aws:rds/instance:Instance',
      'aws:rds/parameterGroup:ParameterGroup',
      'aws:cloudwatch/logGroup:LogGroup',
      'command:local:Command',
    ]) {
      assert.ok(notTargets(kept, type).length > 0, `${type} exists before cleanup`);
      assert.deepEqual(
        notTargets(cleaned, type).map((r) => r.name),
        [],
        `${type} after cleanup`,
      );
    }
    assert.deepEqual(
      cleaned.resources.filter((r) => r.type.startsWith('tooljet-pg-upgrade:database:')).map((r) => r.type),
      ['tooljet-pg-upgrade:database:SourceSnapshot'],
    );
  });

  it('keeps the snapshot: same resource and identifier, retainOnDelete, only a delete-after tag added', () => {
    const [before, after] = [kept.one(SNAPSHOT), cleaned.one(SNAPSHOT)];
    assert.equal(after.urn, before.urn);
    assert.equal(after.inputs.dbSnapshotIdentifier, 'tooljet-prod-db-pre-pg16-staging');
    assert.equal(after.options.retainOnDelete, true);
    const { ['tooljet:delete-after']: deleteAfter, ...rest } = after.inputs.tags as Record<string, string>;
    assert.equal(deleteAfter, '2026-12-31');
    assert.deepEqual(rest, before.inputs.tags);
    assert.deepEqual({ ...after.inputs, tags: undefined }, { ...before.inputs, tags: undefined });
  });

  it('exports the snapshot (for restore) and no clone; alarms watch the source', () => {
    const o = cleaned.outputs;
    assert.equal(o.snapshotIdentifier.value, 'tooljet-prod-db-pre-pg16-staging');
    assert.equal(o.snapshotDeleteAfter.value, '2026-12-31');
    for (const k of ['cloneIdentifier', 'cloneEndpoint', 'cloneEngineVersion']) assert.equal(o[k], undefined, k);
    assert.equal(o.activeDatabase.value, 'source');
    for (const a of cleaned.ofType('aws:cloudwatch/metricAlarm:MetricAlarm'))
      assert.deepEqual(a.inputs.dimensions, { DBInstanceIdentifier: 'tooljet-prod-db' });
  });

  it('computes the date from cutoverAt + cleanup.retainSnapshotDays (stable across runs, not the clock)', async () => {
    const set = {
      activeDatabase: 'source',
      cutoverAt: '2026-07-01T22:00:00Z',
      cleanup: { enabled: true, retainSnapshotDays: 90 },
    };
    const [a, b] = [await runProgram({ stack: 'staging', set }), await runProgram({ stack: 'staging', set })];
    assert.equal((a.one(SNAPSHOT).inputs.tags as Record<string, string>)['tooljet:delete-after'], '2026-09-29');
    assert.deepEqual(b.one(SNAPSHOT).inputs, a.one(SNAPSHOT).inputs);
  });
});

describe('cleanup is refused where it would lose data', () => {
  async function refused(stack: string, set: Record<string, unknown>, pattern: RegExp): Promise<void> {
    const { error, mocks } = await programError({ stack, set });
    assert.ok(pulumi.RunError.isInstance(error), error.message);
    assert.match(error.message, pattern);
    assert.equal(error.message.split('\n').length, 1, error.message);
    assert.equal(mocks.resources.length, 0);
  }

  it('in production (the clone is the production database after cutover)', async () => {
    await refused(
      'prod',
      { cleanup: { enabled: true, deleteSnapshotAfter: '2026-12-31' } },
      /^tooljet-pg-upgrade:cleanup\.enabled: is refused in production: /,
    );
  });

  it('while ToolJet is still pointed at the clone', async () => {
    await refused(
      'staging',
      { activeDatabase: 'clone', cleanup: { enabled: true, deleteSnapshotAfter: '2026-12-31' } },
      /^tooljet-pg-upgrade:cleanup\.enabled: would delete the clone ToolJet is pointed at; set activeDatabase: source first/,
    );
  });

  it('without a delete-after date for the kept snapshot', async () => {
    await refused(
      'staging',
      { activeDatabase: 'source', cleanup: { enabled: true } },
      /^tooljet-pg-upgrade:cleanup\.deleteSnapshotAfter: not set; /,
    );
  });
});
