// activeDatabase is the cutover/rollback switch: flipping it changes only where ToolJet points (the outputs), never
// the clone or anything else the stack manages.
import { strict as assert } from 'assert';
import { ProgramRun, runProgram } from '../helpers/program';

/**
 * The database stage's resources and the clone's log group (the targets, which must move, are covered by
 * tests/programs/targets.test.ts; the alarms, which follow the active database, by tests/programs/rollback.test.ts).
 */
function customResources(run: ProgramRun) {
  return run.resources
    .filter(
      (r) =>
        r.custom &&
        (r.options.parent.includes('::tooljet-pg-upgrade:database:') ||
          r.options.parent.includes('::tooljet-pg-upgrade:monitoring:PostgresLogGroup::')),
    )
    .map((r) => ({ type: r.type, name: r.name, inputs: r.inputs, options: r.options }))
    .sort((a, b) => `${a.type}${a.name}`.localeCompare(`${b.type}${b.name}`));
}

for (const stack of ['staging', 'prod']) {
  describe(`program (${stack}): activeDatabase clone <-> source`, () => {
    let onClone: ProgramRun;
    let onSource: ProgramRun;
    before(async () => {
      // prod runs in the maintenance window, whose rollback needs the recorded cutover.
      const cutoverAt = stack === 'prod' ? { cutoverAt: '2026-07-01T22:00:00Z' } : {};
      onClone = await runProgram({ stack, set: { activeDatabase: 'clone', ...cutoverAt } });
      onSource = await runProgram({ stack, set: { activeDatabase: 'source', ...cutoverAt } });
    });

    it('leaves every resource input and option exactly unchanged (the rollback never replaces or deletes the clone)', () => {
      const a = customResources(onClone);
      const b = customResources(onSource);
      assert.equal(a.length, 5);
      assert.deepEqual(b, a);
    });

    it('points the active-database outputs at the clone, then at the source', () => {
      const c = (k: string) => onClone.outputs[k].value;
      const s = (k: string) => onSource.outputs[k].value;
      assert.equal(c('activeDatabase'), 'clone');
      assert.equal(c('activeDatabaseEndpoint'), c('cloneEndpoint'));
      assert.equal(c('activeDatabaseAddress'), c('cloneAddress'));
      assert.equal(s('activeDatabase'), 'source');
      assert.equal(s('activeDatabaseIdentifier'), 'tooljet-prod-db');
      assert.equal(s('activeDatabaseEndpoint'), s('sourceEndpoint'));
      assert.match(String(s('activeDatabaseAddress')), /^tooljet-prod-db\./);
      assert.equal(s('activeDatabasePort'), 5432);
    });

    it('keeps exporting the clone while ToolJet is on the source', () => {
      for (const k of [
        'cloneIdentifier',
        'cloneEndpoint',
        'cloneEngineVersion',
        'cloneParameterGroupName',
        'snapshotIdentifier',
      ]) {
        assert.deepEqual(onSource.outputs[k], onClone.outputs[k], k);
      }
    });
  });
}
