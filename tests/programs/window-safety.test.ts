// What keeps a production cutover inside its maintenance window, in the real program under Pulumi mocks:
// - giving up a failed window means activeDatabase source (docs/cutover-and-rollback.md "If a phase fails midway"); a
//   leftover `activeDatabase: clone` with the window off is refused before anything is registered, so the next
//   `pulumi up` (e.g. the CI prod job) cannot move a running ToolJet to the clone, unless cutoverWithoutWindow says
//   ToolJet was stopped by hand;
// - a window against a snapshot taken before it (it cannot pass the exact validation) is announced at start, also in
//   `pulumi preview`, with the commands for a fresh snapshot and clone.
import { strict as assert } from 'assert';
import * as pulumi from '@pulumi/pulumi';
import { fakeAws, fakeSnapshot, plain } from '../helpers/mocks';
import { programError, ProgramRun, runProgram } from '../helpers/program';

const COMMAND = 'command:local:Command';
const CUTOVER_AT = '2026-07-01T22:00:00Z';
const SNAPSHOT = 'tooljet-prod-db-pre-pg16-prod';

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
const windowCommands = (run: ProgramRun) => run.ofType(COMMAND).filter((c) => /^(stop|start)-tooljet-/.test(c.name));

describe('giving up a failed window: activeDatabase source, never a leftover clone', () => {
  it('refuses activeDatabase clone with maintenanceWindow false in production: one line, the three ways out, nothing registered', async () => {
    const { error, mocks } = await programError({
      stack: 'prod',
      set: { maintenanceWindow: 'false', cutoverAt: CUTOVER_AT },
    });
    assert.ok(pulumi.RunError.isInstance(error), error.message);
    assert.ok(!error.message.includes('\n'), error.message);
    assert.match(
      error.message,
      /^tooljet-pg-upgrade:activeDatabase: "clone" with maintenanceWindow: false in production points ToolJet at the clone while it may still write to the source, and the writes since the snapshot are lost\. Back to the source: pulumi config set activeDatabase source; cut over in the window: pulumi config set maintenanceWindow true; or, only if you stopped ToolJet yourself .*: pulumi config set cutoverWithoutWindow true$/,
    );
    assert.equal(mocks.resources.length, 0);
  });

  it('the give-up configuration (activeDatabase source, maintenanceWindow false) keeps ToolJet on the source: no stop/start, targets at the source', async () => {
    const run = await runProgram({
      stack: 'prod',
      set: { maintenanceWindow: 'false', activeDatabase: 'source', cutoverAt: CUTOVER_AT },
    });
    assert.equal(run.outputs.maintenanceWindow.value, 'off');
    assert.deepEqual(windowCommands(run), []);
    assert.match(pgHost(run), /^tooljet-prod-db\./);
    assert.equal(run.outputs.activeDatabase.value, 'source');
  });

  it('cutoverWithoutWindow: true (ToolJet stopped by hand) is the explicit way to cut over without the window; it is refused with the window on', async () => {
    const run = await runProgram({ stack: 'prod', set: { maintenanceWindow: 'false', cutoverWithoutWindow: 'true' } });
    assert.match(pgHost(run), /^tooljet-prod-db-pg16\./);
    assert.deepEqual(windowCommands(run), []);
    assert.ok(
      run.logs.some((l) => l.startsWith('warning: maintenanceWindow is off (maintenanceWindow: false)')),
      run.logs.join('\n'),
    );
    const { error } = await programError({ stack: 'prod', set: { cutoverWithoutWindow: 'true' } });
    assert.match(
      error.message,
      /^tooljet-pg-upgrade:cutoverWithoutWindow: is only used with maintenanceWindow: false \(it says you stopped ToolJet by hand\); remove it/,
    );
  });
});

describe('a window needs a fresh snapshot: the configured one is looked up read-only at start', () => {
  const world = (createTime: string) =>
    fakeAws({
      snapshots: { [SNAPSHOT]: fakeSnapshot(SNAPSHOT, 'tooljet-prod-db', { snapshotCreateTime: createTime }) },
    });
  const staleWarning = (run: ProgramRun) =>
    run.logs.find((l) => l.startsWith(`warning: snapshot "${SNAPSHOT}" exists already`));

  it("taken before this window's cutoverAt: a warning in pulumi preview, with the commands for a fresh snapshot and clone", async () => {
    const run = await runProgram({
      stack: 'prod',
      preview: true,
      set: { cutoverAt: CUTOVER_AT },
      aws: world('2026-06-01T10:00:00Z'),
    });
    const w = staleWarning(run);
    assert.ok(w, run.logs.join('\n'));
    assert.match(
      w,
      /taken 2026-06-01T10:00:00Z, before this window's cutoverAt 2026-07-01T22:00:00Z\).*pulumi config set --path snapshot\.identifier tooljet-prod-db-pre-pg16-prod-2 && pulumi config set --path clone\.identifier tooljet-prod-db-pg16-2/,
    );
    const lookup = run.invokes.find((i) => i.token === 'aws:rds/getSnapshots:getSnapshots')!;
    assert.deepEqual(plain(lookup.inputs.filters), [{ name: 'db-snapshot-id', values: [SNAPSHOT] }]);
  });

  it('taken in this window (a resumed run, every run after the cutover), or not there yet: no warning', async () => {
    for (const aws of [world('2026-07-01T22:05:00Z'), fakeAws()]) {
      const run = await runProgram({ stack: 'prod', preview: true, set: { cutoverAt: CUTOVER_AT }, aws });
      assert.equal(staleWarning(run), undefined, run.logs.join('\n'));
      assert.ok(run.invokes.some((i) => i.token === 'aws:rds/getSnapshots:getSnapshots'));
    }
  });

  it('looked up only when cutting over in the window', async () => {
    for (const set of [
      { maintenanceWindow: 'false', activeDatabase: 'source' },
      { activeDatabase: 'source', cutoverAt: CUTOVER_AT },
    ]) {
      const run = await runProgram({ stack: 'prod', preview: true, set, aws: world('2026-06-01T10:00:00Z') });
      assert.ok(!run.invokes.some((i) => i.token === 'aws:rds/getSnapshots:getSnapshots'), JSON.stringify(set));
    }
  });
});
