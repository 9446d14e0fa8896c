// The maintenance-window cutover in the real program (index.ts) under Pulumi mocks: the order stop -> snapshot ->
// clone + 16.9 -> parameter group -> validation -> re-point -> start is enforced by the resource graph, for every
// target kind; the rollback is stop -> rollback report -> re-point -> start; without the window the graph is the one
// before (no stop/start, validation last). "Depends on" is transitive (tests/helpers/graph.ts).
import { strict as assert } from 'assert';
import * as pulumi from '@pulumi/pulumi';
import { noopUpdate, parseToolJetRecord } from '../../cutover/scripts';
import { toolJetScript } from '../../cutover/window';
import { phaseLabel, PHASES, timedInterpreter } from '../../cutover/timing';
import { policies } from '../../policy/policies';
import { TARGET_KINDS, TargetKind } from '../../targets';
import { FAKE_STOPPED_AT, plain } from '../helpers/mocks';
import { assertChain, Graph } from '../helpers/graph';
import { programError, ProgramRun, runProgram, stackValue, TEST_PASSWORD } from '../helpers/program';
import { runPolicy } from '../policy/harness';

const COMMAND = 'command:local:Command';
const CUTOVER_AT = '2026-07-01T22:00:00Z';
/** Every kind of the registry (targets/index.ts), in its order. */
const KINDS = TARGET_KINDS;
type Kind = TargetKind;

/** One target kind's settings, as Pulumi.staging.yaml has them (docker without restart: refused in the window). */
function targetsOf(...kinds: Kind[]): Record<string, unknown> {
  const all = stackValue('staging', 'targets') as Record<string, Record<string, unknown>>;
  const out: Record<string, unknown> = {};
  for (const k of kinds) out[k] = k === 'docker' ? { ...all.docker, restart: false } : all[k];
  return out;
}

for (const kind of KINDS) {
  describe(`maintenance-window cutover (Pulumi.prod.yaml, ${kind} target)`, () => {
    let run: ProgramRun;
    let g: Graph;
    before(async () => {
      run = await runProgram({ stack: 'prod', set: { targets: targetsOf(kind), cutoverAt: CUTOVER_AT } });
      g = new Graph(run);
    });

    it('enforces stop -> snapshot -> clone -> parameter group -> validation -> re-point -> start in the resource graph', () => {
      assertChain(g, [
        ['stop', [g.command(`stop-tooljet-${kind}`)]],
        ['snapshot', [run.one('aws:rds/snapshot:Snapshot')]],
        ['clone (restore + 16.9)', [run.one('aws:rds/instance:Instance')]],
        ['parameter group', [g.command('clone-attach-parameter-group')]],
        ['validation', [g.command('post-deploy-validate')]],
        ['re-point', g.targetResources(kind)],
        ['start', [g.command(`start-tooljet-${kind}`)]],
      ]);
      assert.equal(run.outputs.maintenanceWindow.value, 'cutover');
      assert.equal(run.outputs.postDeployValidation.value, 'enabled');
    });

    it('stop and start run the script of the kind, only when the cutover changes (triggers), a no-op otherwise, timed', () => {
      for (const action of ['stop', 'start'] as const) {
        const c = g.command(`${action}-tooljet-${kind}`);
        assert.equal(c.inputs.create, toolJetScript(kind));
        assert.equal(c.inputs.update, noopUpdate(action));
        assert.equal(c.inputs.delete, undefined, 'removing the window never stops or starts ToolJet');
        assert.deepEqual(c.inputs.triggers, ['tooljet-prod-db-pre-pg16-prod', 'tooljet-prod-db-pg16', 'clone']);
        assert.deepEqual(
          c.inputs.interpreter,
          timedInterpreter(phaseLabel(action === 'stop' ? PHASES.stop : PHASES.start, kind)),
        );
        assert.equal(c.inputs.logging, 'stdoutAndStderr');
        assert.equal(c.inputs.addPreviousOutputInEnv, true, 'the no-op update re-prints the previous record');
        assert.deepEqual(c.options.secretInputs, [], 'nothing secret passes through');
        assert.ok(!JSON.stringify(c.inputs).includes(TEST_PASSWORD));
        assert.equal((c.inputs.environment as Record<string, string>).TJ_ACTION, action);
      }
    });

    it('the validation runs again with every stop (its output is a trigger), so each window compares the frozen source anew', () => {
      const v = g.command('post-deploy-validate');
      const stopOut = parseToolJetRecord(String(g.command(`stop-tooljet-${kind}`).state.stdout))!;
      assert.equal(stopOut.stoppedAt, FAKE_STOPPED_AT);
      assert.equal((v.inputs.triggers as string[]).at(-1), g.command(`stop-tooljet-${kind}`).state.stdout);
      // ToolJet is stopped, so the source is frozen: exact equality, never --live-source.
      assert.doesNotMatch(String(v.inputs.create), /--live-source/);
      assert.equal(
        (g.command(`start-tooljet-${kind}`).inputs.environment as Record<string, string>).TJ_STOPPED_EPOCH,
        String(Date.parse(FAKE_STOPPED_AT) / 1000),
      );
    });

    it('logs the estimated duration of every phase at start, naming the phases the commands print', () => {
      const estimate = run.logs.find((l) =>
        l.startsWith('info: estimated phase durations, cutover in a maintenance window'),
      );
      assert.ok(estimate, run.logs.join('\n'));
      for (const p of [
        `1. stop ToolJet (${kind}):`,
        '2. snapshot: 5-35 min (100 GiB allocated',
        'restore:',
        'upgrade to 16: 15-30 min',
        'parameter group:',
        'validation:',
        `re-point (${kind}):`,
        `start ToolJet (${kind}):`,
        'total, ToolJet stopped:',
      ]) {
        assert.ok(estimate.includes(p), `${p} in\n${estimate}`);
      }
    });
  });
}

describe('maintenance-window cutover: what each kind stops and starts (environment)', () => {
  let run: ProgramRun;
  let g: Graph;
  before(async () => {
    run = await runProgram({ stack: 'staging', set: { maintenanceWindow: 'true', targets: targetsOf(...KINDS) } });
    g = new Graph(run);
  });
  const env = (name: string) => g.command(name).inputs.environment as Record<string, string>;

  it("every start waits for every target's re-point; the snapshot for every stop", () => {
    const snapshot = run.one('aws:rds/snapshot:Snapshot');
    for (const k of KINDS) {
      assert.ok(g.waitsFor(snapshot, g.command(`stop-tooljet-${k}`)), `snapshot after stop-tooljet-${k}`);
      for (const other of KINDS)
        for (const r of g.targetResources(other))
          assert.ok(g.waitsFor(g.command(`start-tooljet-${k}`), r), `start-tooljet-${k} after ${r.name}`);
    }
  });

  it("ECS: the configured service, its deploy timeout, the stack's region", () => {
    const e = env('stop-tooljet-ecs');
    assert.deepEqual(
      [e.TJ_ECS_CLUSTER, e.TJ_ECS_SERVICE, e.TJ_TIMEOUT_SECONDS, e.AWS_REGION, e.AWS_PAGER],
      ['tooljet', 'tooljet', '1800', 'us-east-1', ''],
    );
    assert.deepEqual(g.command('stop-tooljet-ecs').options.customTimeouts, {
      create: '2100s',
      update: '5m',
      delete: '',
    });
  });

  it('EKS: the namespace and both Deployments that write (tooljet and PostgREST)', () => {
    const e = env('stop-tooljet-eks');
    assert.deepEqual([e.TJ_K8S_NAMESPACE, e.TJ_K8S_DEPLOYMENTS], ['tooljet', 'tooljet tooljet-postgrest']);
  });

  it('AMI: the launch template and units; the start runs exactly the user-data of the new launch template version on the running instances', () => {
    const stop = env('stop-tooljet-ami');
    assert.deepEqual(
      [stop.TJ_LAUNCH_TEMPLATE_ID, stop.TJ_UNITS, stop.TJ_USER_DATA_B64],
      ['lt-0123456789abcdef0', 'nest postgrest', undefined],
    );
    const start = env('start-tooljet-ami');
    const version = env('ami-launch-template-version');
    assert.equal(start.TJ_USER_DATA_B64, version.TJ_USER_DATA_B64);
    const userData = Buffer.from(start.TJ_USER_DATA_B64, 'base64').toString('utf8');
    assert.match(userData, /^TJ_PG_HOST='test-db-pg13-clone\./m, 're-points the running instances at the clone');
    assert.ok(!userData.includes(TEST_PASSWORD));
  });

  it('Docker: the compose folder and services', () => {
    const e = env('stop-tooljet-docker');
    assert.deepEqual([e.TJ_DOCKER_DIR, e.TJ_DOCKER_SERVICES], ['/opt/tooljet', 'tooljet']);
  });

  it('the policy pack passes every resource of the cutover', async () => {
    const all: string[] = [];
    for (const r of run.resources.filter((x) => x.custom)) {
      for (const p of policies)
        all.push(
          ...(await runPolicy(p, { type: r.type, name: r.name, props: r.inputs, stack: 'staging' })).violations.map(
            (m) => `${p.name} ${r.name}: ${m}`,
          ),
        );
    }
    assert.deepEqual(all, []);
  });
});

describe('maintenance-window rollback (activeDatabase: source after a recorded cutover)', () => {
  let run: ProgramRun;
  let g: Graph;
  before(async () => {
    run = await runProgram({ stack: 'prod', set: { activeDatabase: 'source', cutoverAt: CUTOVER_AT } });
    g = new Graph(run);
  });

  it('stop -> rollback report -> re-point at the source -> start; the stop/start run again (direction changed)', () => {
    assertChain(g, [
      ['stop', [g.command('stop-tooljet-ecs')]],
      ['rollback report', [g.command('rollback-report')]],
      ['re-point', g.targetResources('ecs')],
      ['start', [g.command('start-tooljet-ecs')]],
    ]);
    assert.deepEqual(g.command('stop-tooljet-ecs').inputs.triggers, [
      'tooljet-prod-db-pre-pg16-prod',
      'tooljet-prod-db-pg16',
      'source',
    ]);
    assert.equal(run.outputs.maintenanceWindow.value, 'rollback');
    assert.equal(run.outputs.activeDatabase.value, 'source');
  });

  it('declares no validation: going back to the source never waits for a comparison the clone can no longer pass', () => {
    assert.equal(
      run.ofType(COMMAND).find((c) => c.name === 'post-deploy-validate'),
      undefined,
    );
    assert.equal(run.outputs.postDeployValidation.value, 'skipped');
    const estimate = run.logs.find((l) => l.includes('rollback in a maintenance window'))!;
    assert.match(
      estimate,
      /1\. stop ToolJet \(ecs\)[\s\S]*2\. rollback report[\s\S]*3\. re-point \(ecs\)[\s\S]*4\. start ToolJet \(ecs\)/,
    );
  });

  it('re-points the ECS task definition at the source', () => {
    const td = run.one('aws:ecs/taskDefinition:TaskDefinition');
    const tooljet = (
      JSON.parse(String(td.inputs.containerDefinitions)) as Array<{
        name: string;
        environment: Array<{ name: string; value: string }>;
      }>
    ).find((c) => c.name === 'tooljet')!;
    const env = Object.fromEntries(tooljet.environment.map((e) => [e.name, e.value]));
    assert.match(env.PG_HOST, /^tooljet-prod-db\./);
  });
});

describe('the rollback hook without a window: targets re-pointed at the source wait for the rollback report', () => {
  it('every resource of every target waits for rollback-report (the count is taken before the source takes writes again)', async () => {
    const run = await runProgram({ stack: 'staging', set: { activeDatabase: 'source', cutoverAt: CUTOVER_AT } });
    const g = new Graph(run);
    const report = g.command('rollback-report');
    for (const k of KINDS)
      for (const r of g.targetResources(k)) assert.ok(g.waitsFor(r, report), `${r.name} after rollback-report`);
    assert.equal(run.outputs.maintenanceWindow.value, 'off');
  });
});

describe('without the window (Pulumi.staging.yaml): the graph is the one before', () => {
  let run: ProgramRun;
  let g: Graph;
  before(async () => {
    run = await runProgram({ stack: 'staging' });
    g = new Graph(run);
  });

  it('no stop or start, no dependency of the snapshot on anything; validation last, after every target', () => {
    assert.deepEqual(
      run.resources.filter((r) => r.type.startsWith('tooljet-pg-upgrade:cutover:')),
      [],
    );
    assert.ok(!run.ofType(COMMAND).some((c) => /^(stop|start)-tooljet-/.test(c.name)));
    assert.deepEqual(run.one('aws:rds/snapshot:Snapshot').options.dependencies, []);
    const v = g.command('post-deploy-validate');
    for (const k of KINDS)
      for (const r of g.targetResources(k))
        assert.ok(g.waitsFor(v, r) && !g.waitsFor(r, v), `validation after ${r.name}`);
    assert.equal(run.outputs.maintenanceWindow.value, 'off');
    assert.match(
      run.logs.find((l) => l.startsWith('info: estimated phase durations'))!,
      /no maintenance window \(maintenanceWindow: false\): ToolJet keeps running/,
    );
  });

  it('a production stack without the window warns that ToolJet must be stopped by hand (a cutover needs cutoverWithoutWindow)', async () => {
    // activeDatabase clone without the window is refused in production unless cutoverWithoutWindow says ToolJet was stopped by hand.
    const r = await runProgram({
      stack: 'prod',
      set: { targets: undefined, maintenanceWindow: undefined, cutoverWithoutWindow: 'true' },
    });
    assert.equal(r.outputs.maintenanceWindow.value, 'off');
    assert.ok(
      r.logs.some((l) =>
        /^warning: maintenanceWindow is off \(no ToolJet target is configured, so this program cannot stop ToolJet\): ToolJet keeps running while the snapshot is taken\./.test(
          l,
        ),
      ),
      r.logs.join('\n'),
    );
    const off = await runProgram({ stack: 'prod', set: { maintenanceWindow: 'false', activeDatabase: 'source' } });
    assert.ok(
      off.logs.some((l) =>
        l.startsWith(
          'warning: maintenanceWindow is off (maintenanceWindow: false): ToolJet keeps running on the source while the clone is built',
        ),
      ),
      off.logs.join('\n'),
    );
    assert.ok(
      !run.logs.some((l) => l.startsWith('warning: maintenanceWindow')),
      'staging: no maintenance-window warning',
    );
  });
});

describe('the next pulumi up after a cutover', () => {
  it('declares the stop/start with the very same inputs: the provider runs neither again (nothing stops ToolJet)', async () => {
    const set = { targets: targetsOf(...KINDS), cutoverAt: CUTOVER_AT };
    const [a, b] = [await runProgram({ stack: 'prod', set }), await runProgram({ stack: 'prod', set })];
    const windowCommands = (r: ProgramRun) =>
      r
        .ofType(COMMAND)
        .filter((c) => /^(stop|start)-tooljet-/.test(c.name))
        .map((c) => ({ name: c.name, inputs: plain(c.inputs) }));
    assert.equal(windowCommands(a).length, 8);
    assert.deepEqual(windowCommands(b), windowCommands(a));
  });
});

describe('refused before anything is registered', () => {
  it('a cutover window without validation, and a window rollback without cutoverAt, fail with one line and no resource', async () => {
    for (const [set, pattern] of [
      [
        { validation: { enabled: false } },
        /^tooljet-pg-upgrade:validation\.enabled: false is refused with maintenanceWindow/,
      ],
      [
        { activeDatabase: 'source' },
        /^tooljet-pg-upgrade:activeDatabase: "source" with maintenanceWindow is the rollback of a maintenance-window cutover and needs cutoverAt/,
      ],
    ] as const) {
      const { error, mocks } = await programError({ stack: 'prod', set });
      assert.ok(pulumi.RunError.isInstance(error), error.message);
      assert.match(error.message, pattern);
      assert.ok(!error.message.includes('\n'));
      assert.equal(mocks.resources.length, 0);
    }
  });
});

describe('blue-green: the ToolJet targets are wired too, at the source endpoint', () => {
  let run: ProgramRun;
  let g: Graph;
  before(async () => {
    run = await runProgram({
      stack: 'prod',
      set: {
        strategy: 'blue-green',
        clone: undefined,
        activeDatabase: undefined,
        maintenanceWindow: undefined,
        blueGreen: { phase: 'upgrade' },
        targets: targetsOf(...KINDS),
      },
    });
    g = new Graph(run);
  });

  it("points every target at the source's endpoint (which the switchover keeps) with verify-full and the RDS CA bundle", () => {
    const source = String(run.outputs.sourceEndpoint.value).replace(/:\d+$/, '');
    const tooljet = (
      JSON.parse(String(run.one('aws:ecs/taskDefinition:TaskDefinition').inputs.containerDefinitions)) as Array<{
        name: string;
        environment: unknown;
      }>
    ).find((c) => c.name === 'tooljet')!;
    const env = Object.fromEntries(
      (tooljet.environment as Array<{ name: string; value: string }>).map((e) => [e.name, e.value]),
    );
    assert.deepEqual(
      [env.PG_HOST, env.PGSSLMODE, env.NODE_EXTRA_CA_CERTS],
      [source, 'verify-full', '/certs/global-bundle.pem'],
    );
    const patch = run.ofType('kubernetes:apps/v1:DeploymentPatch').find((p) => p.name === 'eks-patch-tooljet')!;
    const kenv = Object.fromEntries(
      ((patch.inputs.spec as any).template.spec.containers[0].env as Array<{ name: string; value: string }>).map(
        (e) => [e.name, e.value],
      ),
    );
    assert.equal(kenv.PG_HOST, source);
    const ud = Buffer.from(
      String((g.command('ami-launch-template-version').inputs.environment as Record<string, string>).TJ_USER_DATA_B64),
      'base64',
    ).toString('utf8');
    assert.match(ud, new RegExp(`^TJ_PG_HOST='${source.replace(/\./g, '\\.')}'$`, 'm'));
    assert.equal(plain<Record<string, string>>(g.command('docker-write-files').inputs.environment).TJ_DB_HOST, source);
    for (const k of ['ecsTaskDefinitionArn', 'eksPatchedDeployments', 'amiLaunchTemplateVersion', 'dockerEnvFile'])
      assert.ok(run.outputs[k]?.value !== undefined, k);
  });

  it('wires them before the blue/green update: the green 16.9 refuses unencrypted connections (rds.force_ssl=1)', () => {
    const instance = run.one('aws:rds/instance:Instance');
    for (const k of KINDS)
      for (const r of g.targetResources(k)) assert.ok(g.waitsFor(instance, r), `the blue/green update after ${r.name}`);
    assert.ok(
      !run.ofType(COMMAND).some((c) => /^(stop|start)-tooljet-/.test(c.name)),
      'no maintenance window with blue-green',
    );
  });

  it('phase import wires them too (no update to wait for)', async () => {
    const imp = await runProgram({
      stack: 'prod',
      set: {
        strategy: 'blue-green',
        clone: undefined,
        activeDatabase: undefined,
        maintenanceWindow: undefined,
        targets: targetsOf('ecs'),
      },
    });
    assert.equal(imp.ofType('aws:ecs/taskDefinition:TaskDefinition').length, 1);
    assert.equal(imp.one('aws:rds/instance:Instance').options.dependencies.length, 0);
  });
});

describe('pulumi preview of the cutover (Pulumi.prod.yaml)', () => {
  it('shows the stop, the validation and the start (nothing runs in a preview), and logs the estimate', async () => {
    const run = await runProgram({ stack: 'prod', preview: true });
    const names = run.ofType(COMMAND).map((c) => c.name);
    for (const n of ['stop-tooljet-ecs', 'post-deploy-validate', 'ecs-deploy', 'start-tooljet-ecs'])
      assert.ok(names.includes(n), n);
    // Read-only lookups only: the source, whether the window's snapshot exists already (a stale one would fail the exact
    // validation), and the ECS service's current task definition the new revision builds on.
    assert.deepEqual(
      run.invokes.map((i) => i.token),
      [
        'aws:rds/getInstance:getInstance',
        'aws:rds/getSnapshots:getSnapshots',
        'aws:ecs/getCluster:getCluster',
        'aws:ecs/getService:getService',
        'aws:ecs/getTaskDefinition:getTaskDefinition',
      ],
    );
    assert.ok(run.logs.some((l) => l.startsWith('info: estimated phase durations, cutover in a maintenance window')));
  });
});
