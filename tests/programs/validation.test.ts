// The post-deploy validation command in the real program under Pulumi mocks: what it runs, with which (secret)
// environment, after what, when it runs again, and the switch that skips it. The command itself is run for real in
// tests/validation/validate-command.test.ts.
import { strict as assert } from 'assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import { VALIDATION_RUNS_WHEN } from '../../validation/post-deploy';
import { inProjectDir, noopUpdateScript } from '../../lib/commands';
import { plain, RecordedResource } from '../helpers/mocks';
import { ProgramRun, runProgram, TEST_PASSWORD, testCaBundle } from '../helpers/program';

const COMMAND = 'command:local:Command';

function validation(run: ProgramRun): RecordedResource | undefined {
  return run.ofType(COMMAND).find((c) => c.name === 'post-deploy-validate');
}

describe('program (Pulumi.staging.yaml): post-deploy validation', () => {
  let run: ProgramRun;
  let cmd: RecordedResource;
  let clone: RecordedResource;
  before(async () => {
    run = await runProgram({ stack: 'staging' });
    cmd = validation(run)!;
    clone = run.one('aws:rds/instance:Instance');
  });

  it('runs tj-pg-upgrade validate with --expect-version = clone.engineVersion and the ToolJet Database; flags only on the command line; --live-source without a maintenance window', () => {
    assert.equal(
      cmd.inputs.create,
      inProjectDir(
        'node bin/tj-pg-upgrade.js validate --expect-version 16.9 --jobs 4 --tooljet-db tooljet_db --live-source',
      ),
    );
    assert.ok(!String(cmd.inputs.create).includes(TEST_PASSWORD));
    assert.equal(cmd.inputs.dir, undefined, 'runs in the project directory; no checkout path in the state');
  });

  it("compares the source with the clone over verify-full against the stack's CA bundle; credentials only in the (secret) environment", () => {
    assert.ok(cmd.options.secretInputs.includes('environment'));
    const env = plain<Record<string, string>>(cmd.inputs.environment);
    const ca = encodeURI(testCaBundle());
    assert.deepEqual(env, {
      TJ_PG_SOURCE_URL: `postgresql://tooljet@${String(run.outputs.sourceEndpoint.value)}/tooljet_production?sslmode=verify-full&sslrootcert=${ca}`,
      TJ_PG_TARGET_URL: `postgresql://tooljet@${String(clone.state.endpoint)}/tooljet_production?sslmode=verify-full&sslrootcert=${ca}`,
      PGPASSWORD: TEST_PASSWORD,
      PGCONNECT_TIMEOUT: '15',
    });
  });

  it('runs after the clone is finished and every target is configured (dependsOn the components = on all their resources)', () => {
    for (const t of [
      'tooljet-pg-upgrade:database:UpgradedClone',
      'tooljet-pg-upgrade:targets:DockerTarget',
      'tooljet-pg-upgrade:targets:EcsTarget',
      'tooljet-pg-upgrade:targets:EksTarget',
      'tooljet-pg-upgrade:targets:AmiTarget',
    ]) {
      const children = run.resources.filter((r) => r.custom && r.options.parent.includes(`::${t}::`));
      assert.ok(children.length > 0, t);
      for (const c of children)
        assert.ok(cmd.options.dependencies.includes(c.urn), `waits for ${c.type} ${c.name} (${t})`);
    }
    // ...including the clone's finishing command (attach postgres16 group, reboot, verify 16.9).
    assert.ok(
      cmd.options.dependencies.includes(
        run.ofType(COMMAND).find((c) => c.name === 'clone-attach-parameter-group')!.urn,
      ),
    );
  });

  it("runs again when the clone's endpoint, engine version, the clone itself or the CA bundle change", () => {
    const sha = crypto.createHash('sha256').update(fs.readFileSync(testCaBundle(), 'utf8')).digest('hex');
    assert.deepEqual(cmd.inputs.triggers, [String(clone.state.endpoint), '16.9', String(clone.state.resourceId), sha]);
  });

  it('streams its output (the CLI never prints a password), a no-op update (only a trigger runs it again) and a 2h budget', () => {
    assert.equal(cmd.inputs.logging, 'stdoutAndStderr');
    assert.equal(
      cmd.inputs.update,
      noopUpdateScript({ name: 'post-deploy-validate', runsWhen: VALIDATION_RUNS_WHEN.live, reprint: false }),
    );
    assert.equal(cmd.inputs.addPreviousOutputInEnv, false);
    assert.equal(cmd.options.customTimeouts.create, '2h');
    assert.equal(run.outputs.postDeployValidation.value, 'enabled');
  });
});

describe('program: validation switches', () => {
  it('validation.enabled false (no network reach to the private clone) registers no command and says so in the outputs', async () => {
    const run = await runProgram({ stack: 'staging', set: { validation: { enabled: false } } });
    assert.equal(validation(run), undefined);
    assert.equal(
      run.resources.filter((r) => r.type === 'tooljet-pg-upgrade:validation:PostDeployValidation').length,
      0,
    );
    assert.equal(run.outputs.postDeployValidation.value, 'skipped');
  });

  it('Pulumi.prod.yaml: ANALYZE after the upgrade, a 4h budget, the ECS target only', async () => {
    const run = await runProgram({ stack: 'prod' });
    const cmd = validation(run)!;
    assert.equal(
      cmd.inputs.create,
      inProjectDir(
        'node bin/tj-pg-upgrade.js validate --expect-version 16.9 --jobs 4 --tooljet-db tooljet_db --analyze',
      ),
    );
    assert.equal(cmd.options.customTimeouts.create, '4h');
    const targets = run.resources.filter((r) => r.type.startsWith('tooljet-pg-upgrade:targets:')).map((r) => r.type);
    assert.deepEqual(targets, ['tooljet-pg-upgrade:targets:EcsTarget']);
    // production: the created secret keeps AWS's recovery window
    assert.equal(run.one('aws:secretsmanager/secret:Secret').inputs.recoveryWindowInDays, 30);
  });

  it('bad validation settings fail at start with the key named', async () => {
    const { programError } = await import('../helpers/program');
    const { error } = await programError({
      stack: 'staging',
      set: { validation: { enabled: 'maybe', jobs: 40, timeot: '1h' } },
    });
    const lines = error.message.split('\n');
    assert.deepEqual(lines.map((l) => l.split(':').slice(0, 2).join(':')).sort(), [
      'tooljet-pg-upgrade:validation.enabled',
      'tooljet-pg-upgrade:validation.jobs',
      'tooljet-pg-upgrade:validation.timeot',
    ]);
    assert.match(error.message, /validation\.timeot: unknown key; did you mean "timeout"\?/);
  });
});
