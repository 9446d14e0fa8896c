// When the program's one-shot commands run, in the real program under Pulumi mocks. pulumi-command runs `create`
// AGAIN on an update when `update` is unset, and every input change that is not a trigger is an update. So each of
// these commands has a no-op `update`, and its `triggers` (a change replaces it: create runs again) are exactly what
// makes its work due. Checked here: `update` is set; a rotated dbPassword (the secret environment changes, so the
// provider sees an update) leaves the triggers as they were; in the maintenance window a new CA bundle, a new engine
// minor version or new validation flags do not re-run the exact validation either (after the cutover ToolJet writes
// to the clone, so it would fail every later `pulumi up`), while without the window the CA and version still do.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import { POSTCHECK_RUNS_WHEN, PRECHECK_RUNS_WHEN } from '../../bluegreen/upgrade';
import { REPORT_RUNS_WHEN } from '../../validation/rollback-report';
import { VALIDATION_RUNS_WHEN } from '../../validation/post-deploy';
import { noopUpdateScript } from '../../lib/commands';
import { fakeAws, fakeInstance, plain, RecordedResource } from '../helpers/mocks';
import { ProgramRun, runProgram, RunOptions, stackValue, testCaBundle, writeTempFile } from '../helpers/program';

const COMMAND = 'command:local:Command';
const CUTOVER_AT = '2026-07-01T22:00:00Z';
const ROTATED = { value: 'tj-rotated-password-0b9d2e4f', secret: true };

function cmd(run: ProgramRun, name: string): RecordedResource {
  const c = run.ofType(COMMAND).find((x) => x.name === name);
  assert.ok(
    c,
    `no command ${name}: ${run
      .ofType(COMMAND)
      .map((x) => x.name)
      .join(', ')}`,
  );
  return c;
}

const blueGreenUpgrade: RunOptions = {
  stack: 'prod',
  set: {
    strategy: 'blue-green',
    clone: undefined,
    activeDatabase: undefined,
    maintenanceWindow: undefined,
    blueGreen: { phase: 'upgrade' },
  },
  aws: fakeAws({ instances: { 'tooljet-prod-db': fakeInstance('tooljet-prod-db') } }),
};

const CASES: Array<{ title: string; run: RunOptions; commands: Record<string, string> }> = [
  {
    title: 'the cutover window (Pulumi.prod.yaml)',
    run: { stack: 'prod', set: { cutoverAt: CUTOVER_AT } },
    commands: {
      'post-deploy-validate': noopUpdateScript({
        name: 'post-deploy-validate',
        runsWhen: VALIDATION_RUNS_WHEN.window,
        reprint: false,
      }),
    },
  },
  {
    title: 'no window (Pulumi.staging.yaml, --live-source)',
    run: { stack: 'staging' },
    commands: {
      'post-deploy-validate': noopUpdateScript({
        name: 'post-deploy-validate',
        runsWhen: VALIDATION_RUNS_WHEN.live,
        reprint: false,
      }),
    },
  },
  {
    title: 'the window rollback (activeDatabase source after a recorded cutover)',
    run: { stack: 'prod', set: { activeDatabase: 'source', cutoverAt: CUTOVER_AT } },
    commands: {
      'rollback-report': noopUpdateScript({ name: 'rollback-report', runsWhen: REPORT_RUNS_WHEN, reprint: true }),
    },
  },
  {
    title: 'blue-green, phase upgrade',
    run: blueGreenUpgrade,
    commands: {
      'blue-green-precheck': noopUpdateScript({
        name: 'blue-green-precheck',
        runsWhen: PRECHECK_RUNS_WHEN,
        reprint: false,
      }),
      'blue-green-postcheck': noopUpdateScript({
        name: 'blue-green-postcheck',
        runsWhen: POSTCHECK_RUNS_WHEN,
        reprint: false,
      }),
    },
  },
];

for (const c of CASES) {
  describe(`when each command runs: ${c.title}`, () => {
    let before_: ProgramRun;
    let rotated: ProgramRun;
    before(async () => {
      before_ = await runProgram(c.run);
      rotated = await runProgram({ ...c.run, password: ROTATED });
    });

    for (const [name, update] of Object.entries(c.commands)) {
      it(`${name}: a no-op update (never create again); a rotated dbPassword changes its environment but not its triggers`, () => {
        const [a, b] = [cmd(before_, name), cmd(rotated, name)];
        assert.equal(b.inputs.update, update);
        assert.notEqual(b.inputs.update, b.inputs.create);
        assert.notDeepEqual(
          plain(b.inputs.environment),
          plain(a.inputs.environment),
          'the rotation reaches the command: the provider runs its update',
        );
        assert.deepEqual(
          plain(b.inputs.triggers),
          plain(a.inputs.triggers),
          'so nothing replaces it: create does not run again',
        );
        assert.equal(
          b.inputs.addPreviousOutputInEnv,
          update.includes('PULUMI_COMMAND_STDOUT'),
          'the previous output reaches the update exactly when it re-prints it',
        );
      });
    }
  });
}

describe('when each command runs: the exact validation of the window, after the cutover', () => {
  let run: ProgramRun;
  before(async () => {
    run = await runProgram({ stack: 'prod', set: { cutoverAt: CUTOVER_AT } });
  });

  it("is triggered only by the clone's identity and the stop (a new window), not by its endpoint, version or the CA bundle", () => {
    const v = cmd(run, 'post-deploy-validate');
    const clone = run.one('aws:rds/instance:Instance');
    assert.deepEqual(plain(v.inputs.triggers), [clone.state.resourceId, cmd(run, 'stop-tooljet-ecs').state.stdout]);
  });

  it('a new CA bundle, a new minor version and new validation flags leave its triggers as they were; without the window the CA and version re-run it', async () => {
    const pem = fs.readFileSync(testCaBundle(), 'utf8');
    const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g)!;
    assert.equal(blocks.length, 2);
    // The same two roots in the other order: another file (another SHA-256), still holding the clone's root.
    const otherBundle = writeTempFile('global-bundle.pem', [blocks[1], blocks[0]].join(''));
    const clone = stackValue('prod', 'clone');
    const validation = stackValue('prod', 'validation');
    const changed = await runProgram({
      stack: 'prod',
      set: {
        cutoverAt: CUTOVER_AT,
        caBundle: otherBundle,
        clone: { ...clone, engineVersion: '16.10' },
        validation: { ...validation, jobs: 2, fixSequences: true },
      },
    });
    const [a, b] = [cmd(run, 'post-deploy-validate'), cmd(changed, 'post-deploy-validate')];
    assert.notEqual(b.inputs.create, a.inputs.create, 'the flags did change (an update)');
    assert.deepEqual(plain(b.inputs.triggers), plain(a.inputs.triggers));

    // Without the window the same CA change is a trigger (issue 4: re-runs when the endpoint, version or CA change).
    const staging = await runProgram({ stack: 'staging' });
    const stagingCa = await runProgram({ stack: 'staging', set: { caBundle: otherBundle } });
    assert.notDeepEqual(
      plain(cmd(stagingCa, 'post-deploy-validate').inputs.triggers),
      plain(cmd(staging, 'post-deploy-validate').inputs.triggers),
    );
  });
});
