// The maintenance window's stop/start scripts (components/cutover/<kind>-tooljet.sh), run for real: the same script
// text and environment the local.Commands get, through the same interpreter (/bin/sh -c via the timing wrapper),
// against stand-in `aws`, `kubectl` and `docker` CLIs that behave like ECS, Kubernetes, EC2 + Auto Scaling + SSM and
// Docker Compose (tests/components/cutover/fixtures). Stop records and zeroes, start restores, a re-run changes
// nothing, a failure exits non-zero with one line saying what to do. Plus shellcheck.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  amiSuspendedTag,
  amiToolJetEnvironment,
  dockerToolJetEnvironment,
  ECS_DESIRED_COUNT_TAG,
  ECS_SCALING_SUSPENDED_TAG,
  ecsToolJetEnvironment,
  EKS_REPLICAS_ANNOTATION,
  eksToolJetEnvironment,
  parseStoppedEpoch,
  parseToolJetRecord,
  TOOLJET_SCRIPTS,
  toolJetScript,
} from '../../../components/cutover';
import { parseMeasuredPhases, phaseLabel, PHASES, timedInterpreter } from '../../../lib/cutover';

type Kind = keyof typeof TOOLJET_SCRIPTS;
const FIXTURES = path.join(__dirname, 'fixtures');

let dir: string;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tj-cutover-scripts-'));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  /** The script's own lines on stderr (`tooljet-<kind>: ...`). */
  messages: string[];
  state: any;
}

/** Runs `kind`'s script as the command provider would: interpreter... + script, env from the pure renderer. */
function runScript(kind: Kind, action: 'stop' | 'start', stateFile: string, env: Record<string, string>, extraPath: string): Run {
  const [interp, ...interpArgs] = timedInterpreter(phaseLabel(action === 'stop' ? PHASES.stop : PHASES.start, kind));
  const r = spawnSync(interp, [...interpArgs, toolJetScript(kind)], {
    env: { ...env, PATH: `${extraPath}:${process.env.PATH}`, FAKE_AWS_STATE: stateFile, FAKE_KUBE_STATE: stateFile, FAKE_DOCKER_STATE: stateFile },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return {
    status: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    messages: r.stderr.split('\n').filter((l) => l.startsWith(`tooljet-${kind}:`)),
    state: JSON.parse(fs.readFileSync(stateFile, 'utf8')),
  };
}

/** A bin folder holding one stand-in CLI under its real name. */
function binWith(fixture: string, as: string): string {
  const bin = fs.mkdtempSync(path.join(dir, 'bin-'));
  fs.copyFileSync(path.join(FIXTURES, fixture), path.join(bin, as));
  fs.chmodSync(path.join(bin, as), 0o755);
  return bin;
}

function stateFile(state: object): string {
  const f = path.join(fs.mkdtempSync(path.join(dir, 'state-')), 'state.json');
  fs.writeFileSync(f, JSON.stringify(state));
  return f;
}

/** A failure: exit 1, the last line of the script is the reason, and the wrapper says the phase FAILED. */
function assertFailed(r: Run, pattern: RegExp): void {
  assert.equal(r.status, 1, r.stderr);
  const last = r.messages[r.messages.length - 1];
  assert.ok(last, `a tooljet-* message on stderr: ${r.stderr}`);
  assert.match(last, pattern);
  assert.equal(parseMeasuredPhases(r.stderr)[0]?.outcome, 'FAILED');
  assert.equal(r.stdout, '', 'no record is printed on failure');
}

const count = (calls: Array<{ args: string[] }>, op: string) => calls.filter((c) => c.args[1] === op).length;

describe('components/cutover/ecs-tooljet.sh against a stand-in ECS', () => {
  const bin = () => binWith('aws-ecs-service', 'aws');
  const ARN = 'arn:aws:ecs:eu-west-1:123456789012:service/tooljet/tooljet';
  const world = (over: Record<string, unknown> = {}) => ({
    service: { cluster: 'tooljet', name: 'tooljet', arn: ARN, status: 'ACTIVE', desired: 2 },
    tasks: [1, 2].map((n) => ({ arn: `arn:aws:ecs:eu-west-1:123456789012:task/tooljet/${n}`, desired: 'RUNNING', lastStatus: 'RUNNING' })),
    nextTask: 3,
    tags: {},
    calls: [],
    ...over,
  });
  const env = (action: 'stop' | 'start', extra: { timeoutSeconds?: number; stoppedEpoch?: string } = {}) =>
    ecsToolJetEnvironment({ action, cluster: 'tooljet', service: 'tooljet', timeoutSeconds: extra.timeoutSeconds ?? 60, pollSeconds: 0, ...(extra.stoppedEpoch && { stoppedEpoch: extra.stoppedEpoch }), cli: { region: 'eu-west-1', profile: 'tooljet-admin' } });

  let b: string;
  let f: string;
  let stopped: Run;
  before(() => {
    b = bin();
    f = stateFile(world());
    stopped = runScript('ecs', 'stop', f, env('stop'), b);
  });

  it('stop records the desired count in a tag on the service, sets it to 0 and waits until no task runs or is stopping', () => {
    assert.equal(stopped.status, 0, stopped.stderr);
    const s = stopped.state;
    assert.deepEqual(s.tags, { [ECS_DESIRED_COUNT_TAG]: '2' });
    assert.equal(s.service.desired, 0);
    assert.deepEqual(s.tasks.map((t: { lastStatus: string }) => t.lastStatus), ['STOPPED', 'STOPPED'], 'every task STOPPED, not just told to stop');
    const tagAt = s.calls.findIndex((c: { args: string[] }) => c.args[1] === 'tag-resource');
    const zeroAt = s.calls.findIndex((c: { args: string[] }) => c.args[1] === 'update-service');
    assert.ok(tagAt >= 0 && tagAt < zeroAt, 'the count is recorded before the service is scaled down');
    const rec = parseToolJetRecord(stopped.stdout)!;
    assert.equal(rec.tooljet, 'stopped');
    assert.equal(rec.recordedDesiredCount, '2');
    assert.equal(rec.recordedScaling, 'none', 'no scalable target: nothing suspended, nothing recorded');
    assert.equal(count(s.calls, 'register-scalable-target'), 0);
    assert.match(rec.stoppedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.ok(parseStoppedEpoch(stopped.stdout));
    for (const c of s.calls) assert.deepEqual([c.region, c.profile, c.pager], ['eu-west-1', 'tooljet-admin', '']);
  });

  it('prints the measured duration of the phase (timing wrapper) and leaves stdout to the script', () => {
    const [m] = parseMeasuredPhases(stopped.stderr);
    assert.equal(m.label, 'stop ToolJet (ecs)');
    assert.equal(m.outcome, 'finished');
    assert.ok(m.seconds >= 0 && m.ended >= m.started);
    assert.equal(stopped.stdout.trim().split('\n').length, 1);
  });

  it('stop again is idempotent: keeps the recorded count (never records 0) and changes nothing', () => {
    const again = runScript('ecs', 'stop', f, env('stop'), b);
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual(again.state.tags, { [ECS_DESIRED_COUNT_TAG]: '2' });
    const newCalls = again.state.calls.slice(stopped.state.calls.length);
    assert.equal(count(newCalls, 'update-service') + count(newCalls, 'tag-resource'), 0);
    assert.equal(parseToolJetRecord(again.stdout)!.recordedDesiredCount, '2');
  });

  it('start restores the recorded count, waits until the service is stable, removes the tag, prints the downtime; again: nothing to do', () => {
    const epoch = String(Math.floor(Date.now() / 1000) - 90);
    const started = runScript('ecs', 'start', f, env('start', { stoppedEpoch: epoch }), b);
    assert.equal(started.status, 0, started.stderr);
    assert.equal(started.state.service.desired, 2);
    assert.equal(started.state.tasks.filter((t: { desired: string; lastStatus: string }) => t.desired === 'RUNNING' && t.lastStatus === 'RUNNING').length, 2);
    assert.deepEqual(started.state.tags, {});
    const rec = parseToolJetRecord(started.stdout)!;
    assert.equal(rec.tooljet, 'started');
    assert.equal(rec.desiredCount, '2');
    assert.ok(Number(rec.downtimeSeconds) >= 90 && Number(rec.downtimeSeconds) < 150, rec.downtimeSeconds);
    assert.equal(parseMeasuredPhases(started.stderr)[0].label, 'start ToolJet (ecs)');

    const again = runScript('ecs', 'start', f, env('start'), b);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(count(again.state.calls.slice(started.state.calls.length), 'update-service'), 0);
    assert.equal(parseToolJetRecord(again.stdout)!.desiredCount, '2');
  });

  it('refuses to stop a service at 0 without a recorded count (start would not know what to restore)', () => {
    const r = runScript('ecs', 'stop', stateFile(world({ service: { cluster: 'tooljet', name: 'tooljet', arn: ARN, status: 'ACTIVE', desired: 0 }, tasks: [] })), env('stop'), b);
    assertFailed(r, /^tooljet-ecs: service tooljet in cluster tooljet has desired count 0 and no recorded count \(tag tooljet-pg-upgrade:desired-count\).*aws ecs tag-resource/);
  });

  it('stops nothing when the count cannot be recorded (no ecs:TagResource)', () => {
    const r = runScript('ecs', 'stop', stateFile(world({ denyTagging: true })), env('stop'), b);
    assertFailed(r, /could not record the desired count 2 .*nothing was stopped/);
    assert.equal(r.state.service.desired, 2);
  });

  it('fails clearly when the tasks do not stop in time: nothing after the stop may run', () => {
    const r = runScript('ecs', 'stop', stateFile(world({ stuck: true })), env('stop', { timeoutSeconds: 2 }), b);
    assertFailed(r, /timed out after 2s waiting for the tasks of service tooljet in cluster tooljet to stop \(2 still running or stopping\); ToolJet may still write to the database, so nothing after this step ran/);
  });

  it('start fails with the recorded count kept when the service cannot start (deployment FAILED)', () => {
    const r = runScript('ecs', 'start', stateFile(world({ service: { cluster: 'tooljet', name: 'tooljet', arn: ARN, status: 'ACTIVE', desired: 0 }, tasks: [], tags: { [ECS_DESIRED_COUNT_TAG]: '2' }, failStart: true })), env('start'), b);
    assertFailed(r, /the deployment of service tooljet in cluster tooljet FAILED while starting ToolJet/);
    assert.deepEqual(r.state.tags, { [ECS_DESIRED_COUNT_TAG]: '2' });
  });

  it('names the settings to check when the service does not exist', () => {
    const r = runScript('ecs', 'stop', stateFile(world({ service: { cluster: 'tooljet', name: 'other', arn: ARN, status: 'ACTIVE', desired: 2 } })), env('stop'), b);
    assertFailed(r, /service tooljet in cluster tooljet is not an active service \(describe-services: None\); check targets\.ecs\.cluster and targets\.ecs\.service/);
  });
});

describe('components/cutover/ecs-tooljet.sh with Application Auto Scaling on the service', () => {
  const ARN = 'arn:aws:ecs:eu-west-1:123456789012:service/tooljet/tooljet';
  // Scheduled scaling was already suspended by the operator: start must put back exactly that.
  const earlier = { in: false, out: false, scheduled: true };
  const world = (over: Record<string, unknown> = {}) => ({
    service: { cluster: 'tooljet', name: 'tooljet', arn: ARN, status: 'ACTIVE', desired: 2 },
    tasks: [1, 2].map((n) => ({ arn: `arn:aws:ecs:eu-west-1:123456789012:task/tooljet/${n}`, desired: 'RUNNING', lastStatus: 'RUNNING' })),
    nextTask: 3,
    tags: {},
    scalable: { min: 1, max: 4, suspended: { ...earlier } },
    calls: [],
    ...over,
  });
  // The cluster given as an ARN: the scalable target's resource id needs its name (service/tooljet/tooljet).
  const env = (action: 'stop' | 'start', timeoutSeconds = 60) =>
    ecsToolJetEnvironment({ action, cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/tooljet', service: 'tooljet', timeoutSeconds, pollSeconds: 0, cli: { region: 'eu-west-1' } });
  const worldWithArnCluster = (over: Record<string, unknown> = {}) => {
    const w = world(over);
    return { ...w, service: { ...(w.service as object), cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/tooljet' } };
  };
  const at = (calls: Array<{ args: string[] }>, op: string) => calls.findIndex((c) => c.args[1] === op);
  const lastAt = (calls: Array<{ args: string[] }>, op: string) => calls.map((c) => c.args[1]).lastIndexOf(op);
  let b: string;
  let f: string;
  let stopped: Run;
  before(() => {
    b = binWith('aws-ecs-service', 'aws');
    f = stateFile(worldWithArnCluster());
    stopped = runScript('ecs', 'stop', f, env('stop'), b);
  });

  it('stop records the suspended state with the count (one tag call), suspends all scaling, then scales to 0 and waits', () => {
    assert.equal(stopped.status, 0, stopped.stderr);
    const s = stopped.state;
    assert.deepEqual(s.tags, { [ECS_DESIRED_COUNT_TAG]: '2', [ECS_SCALING_SUSPENDED_TAG]: 'in=false/out=false/scheduled=true' });
    assert.equal(count(s.calls, 'tag-resource'), 1, 'both in one call: a crash cannot leave one without the other');
    assert.deepEqual(s.scalable.suspended, { in: true, out: true, scheduled: true });
    const register = s.calls.find((c: { args: string[] }) => c.args[1] === 'register-scalable-target');
    assert.equal(register.args[register.args.indexOf('--resource-id') + 1], 'service/tooljet/tooljet');
    assert.ok(at(s.calls, 'tag-resource') < at(s.calls, 'register-scalable-target'), 'recorded before it is changed');
    assert.ok(at(s.calls, 'register-scalable-target') < at(s.calls, 'update-service'), 'suspended before the count goes to 0');
    assert.equal(s.service.desired, 0, 'scaling did not raise it again (the stand-in raises it to min while scale-out runs)');
    assert.deepEqual(s.tasks.map((t: { lastStatus: string }) => t.lastStatus), ['STOPPED', 'STOPPED']);
    assert.equal(parseToolJetRecord(stopped.stdout)!.recordedScaling, 'in=false/out=false/scheduled=true');
  });

  it('stop again changes nothing: the recorded state stays (never "all suspended"), no scaling, tag or count call', () => {
    const again = runScript('ecs', 'stop', f, env('stop'), b);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(again.state.tags[ECS_SCALING_SUSPENDED_TAG], 'in=false/out=false/scheduled=true');
    const newCalls = again.state.calls.slice(stopped.state.calls.length);
    assert.equal(count(newCalls, 'register-scalable-target') + count(newCalls, 'tag-resource') + count(newCalls, 'update-service'), 0);
    assert.equal(parseToolJetRecord(again.stdout)!.recordedScaling, 'in=false/out=false/scheduled=true');
  });

  it('start restores the count, then exactly the recorded scaling state once the service is stable, and removes both tags; again: nothing', () => {
    const startedAt = JSON.parse(fs.readFileSync(f, 'utf8')).calls.length;
    const started = runScript('ecs', 'start', f, env('start'), b);
    assert.equal(started.status, 0, started.stderr);
    const s = started.state;
    assert.equal(s.service.desired, 2);
    assert.deepEqual(s.scalable.suspended, earlier, 'exactly what it was: scheduled scaling stays suspended');
    assert.deepEqual(s.tags, {});
    const calls = s.calls.slice(startedAt);
    assert.ok(lastAt(calls, 'update-service') < at(calls, 'register-scalable-target'), 'scaling resumes only after the count is back');
    assert.ok(at(calls, 'register-scalable-target') < at(calls, 'untag-resource'), 'the record goes last');
    assert.equal(parseToolJetRecord(started.stdout)!.restoredScaling, 'in=false/out=false/scheduled=true');

    const again = runScript('ecs', 'start', f, env('start'), b);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(count(again.state.calls.slice(s.calls.length), 'register-scalable-target'), 0);
    assert.deepEqual(again.state.scalable.suspended, earlier);
  });

  it('still ends at 0 when suspending moves the count back into the target\'s range', () => {
    const r = runScript('ecs', 'stop', stateFile(worldWithArnCluster({ clampOnRegister: true, service: { cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/tooljet', name: 'tooljet', arn: ARN, status: 'ACTIVE', desired: 2 } })), env('stop'), b);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.state.service.desired, 0);
  });

  it('fails in one line, non-zero, with ToolJet still running: no permission to suspend, or to read the scalable target', () => {
    const noRegister = runScript('ecs', 'stop', stateFile(worldWithArnCluster({ denyScaling: 'register' })), env('stop'), b);
    assertFailed(noRegister, /^tooljet-ecs: could not suspend Application Auto Scaling of service\/tooljet\/tooljet .*ToolJet still runs, nothing was stopped\. Check application-autoscaling:RegisterScalableTarget/);
    assert.equal(noRegister.state.service.desired, 2);
    assert.deepEqual(noRegister.state.scalable.suspended, earlier);
    assert.equal(noRegister.state.tags[ECS_SCALING_SUSPENDED_TAG], 'in=false/out=false/scheduled=true', 'the record is kept for the re-run');
    const noDescribe = runScript('ecs', 'stop', stateFile(worldWithArnCluster({ denyScaling: 'describe' })), env('stop'), b);
    assertFailed(noDescribe, /^tooljet-ecs: aws application-autoscaling describe-scalable-targets for service tooljet in cluster .* failed \(AWS CLI error above\); check application-autoscaling:DescribeScalableTargets$/);
    assert.deepEqual(noDescribe.state.tags, {}, 'nothing recorded, nothing changed');
    assert.equal(noDescribe.state.service.desired, 2);
  });

  it('start fails in one line when the state cannot be restored, keeping the record', () => {
    const stoppedWorld = worldWithArnCluster({
      service: { cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/tooljet', name: 'tooljet', arn: ARN, status: 'ACTIVE', desired: 0 },
      tasks: [],
      tags: { [ECS_DESIRED_COUNT_TAG]: '2', [ECS_SCALING_SUSPENDED_TAG]: 'in=false/out=false/scheduled=true' },
      scalable: { min: 1, max: 4, suspended: { in: true, out: true, scheduled: true } },
      denyScaling: 'register',
    });
    const r = runScript('ecs', 'start', stateFile(stoppedWorld), env('start'), b);
    assertFailed(r, /^tooljet-ecs: ToolJet runs again on service tooljet in cluster .*, but the scaling state in=false\/out=false\/scheduled=true of service\/tooljet\/tooljet could not be restored .*the state stays recorded in the tag tooljet-pg-upgrade:scaling-suspended\)$/);
    assert.equal(r.state.service.desired, 2);
    assert.equal(r.state.tags[ECS_SCALING_SUSPENDED_TAG], 'in=false/out=false/scheduled=true');
    const bad = runScript('ecs', 'start', stateFile({ ...stoppedWorld, denyScaling: undefined, tags: { [ECS_DESIRED_COUNT_TAG]: '2', [ECS_SCALING_SUSPENDED_TAG]: 'in=maybe' } }), env('start'), b);
    assertFailed(bad, /^tooljet-ecs: the tag tooljet-pg-upgrade:scaling-suspended on .* holds "in=maybe", not in=<true\|false>\/out=<true\|false>\/scheduled=<true\|false>/);
  });
});

describe('components/cutover/eks-tooljet.sh against a stand-in kubectl', () => {
  const world = (over: Record<string, unknown> = {}) => ({
    namespace: 'tooljet',
    expectKubeconfig: '/etc/tooljet/kubeconfig',
    expectContext: 'tooljet-prod',
    deployments: {
      tooljet: { replicas: 2, pods: 2, annotations: { 'meta.helm.sh/release-name': 'tooljet' }, selector: { app: 'tooljet', release: 'tooljet' } },
      'tooljet-postgrest': { replicas: 1, pods: 1, annotations: {}, selector: { app: 'postgrest' } },
    },
    calls: [],
    ...over,
  });
  const env = (action: 'stop' | 'start', timeoutSeconds = 60) =>
    eksToolJetEnvironment({ action, namespace: 'tooljet', deployments: ['tooljet', 'tooljet-postgrest'], kubeconfig: '/etc/tooljet/kubeconfig', context: 'tooljet-prod', timeoutSeconds, pollSeconds: 0 });
  let b: string;
  let f: string;
  let stopped: Run;
  before(() => {
    b = binWith('kubectl', 'kubectl');
    f = stateFile(world());
    stopped = runScript('eks', 'stop', f, env('stop'), b);
  });

  it('stop records each Deployment\'s replicas in an annotation, scales it to 0 and waits until its pods are gone', () => {
    assert.equal(stopped.status, 0, stopped.stderr);
    const d = stopped.state.deployments;
    assert.deepEqual([d.tooljet.replicas, d.tooljet.pods, d['tooljet-postgrest'].replicas, d['tooljet-postgrest'].pods], [0, 0, 0, 0]);
    assert.equal(d.tooljet.annotations[EKS_REPLICAS_ANNOTATION], '2');
    assert.equal(d['tooljet-postgrest'].annotations[EKS_REPLICAS_ANNOTATION], '1');
    assert.equal(d.tooljet.annotations['meta.helm.sh/release-name'], 'tooljet', 'other annotations stay');
    assert.equal(parseToolJetRecord(stopped.stdout)!.recordedReplicas, 'tooljet:2,tooljet-postgrest:1');
    // Every call went to the configured kubeconfig, context and namespace (the stand-in refuses anything else).
    assert.ok(stopped.state.calls.every((c: string[]) => c.includes('--kubeconfig') && c.includes('--context') && c.includes('--namespace')));
  });

  it('stop again keeps the recorded replicas; start scales back, waits for the rollout, removes the annotation; start again changes nothing', () => {
    const again = runScript('eks', 'stop', f, env('stop'), b);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(again.state.deployments.tooljet.annotations[EKS_REPLICAS_ANNOTATION], '2');
    assert.ok(!again.state.calls.slice(stopped.state.calls.length).some((c: string[]) => c.includes('scale') || c.includes('annotate')));

    const started = runScript('eks', 'start', f, env('start'), b);
    assert.equal(started.status, 0, started.stderr);
    const d = started.state.deployments;
    assert.deepEqual([d.tooljet.replicas, d.tooljet.pods, d['tooljet-postgrest'].replicas], [2, 2, 1]);
    assert.equal(d.tooljet.annotations[EKS_REPLICAS_ANNOTATION], undefined);
    assert.ok(started.state.calls.some((c: string[]) => c.includes('rollout') && c.includes('tooljet')));
    assert.equal(parseToolJetRecord(started.stdout)!.replicas, 'tooljet:2,tooljet-postgrest:1');

    const twice = runScript('eks', 'start', f, env('start'), b);
    assert.equal(twice.status, 0, twice.stderr);
    assert.ok(!twice.state.calls.slice(started.state.calls.length).some((c: string[]) => c.includes('scale') || c.includes('annotate')));
  });

  it('refuses a Deployment at 0 replicas without a recorded count; fails clearly without access', () => {
    const zero = world();
    (zero.deployments as any).tooljet.replicas = 0;
    assertFailed(runScript('eks', 'stop', stateFile(zero), env('stop'), b), /^tooljet-eks: Deployment tooljet has 0 replicas and no recorded count \(annotation tooljet-pg-upgrade\/replicas-before-stop\)/);
    const r = runScript('eks', 'stop', stateFile(world({ expectContext: 'another' })), env('stop'), b);
    assertFailed(r, /^tooljet-eks: kubectl get deployment tooljet in namespace tooljet failed \(error above\); check targets\.eks\.namespace/);
    const denied = runScript('eks', 'stop', stateFile(world({ denyAnnotate: true })), env('stop'), b);
    assertFailed(denied, /could not record the replica count 2 on Deployment tooljet/);
    assert.equal(denied.state.deployments.tooljet.replicas, 2, 'not scaled down without a record');
  });

  it('fails when pods do not go in time, and when ToolJet does not become ready (the record stays)', () => {
    assertFailed(runScript('eks', 'stop', stateFile(world({ stuck: true })), env('stop', 2), b), /timed out after 2s waiting for the pods of tooljet tooljet-postgrest to go .*nothing after this step ran/);
    const down = world({ failRollout: true });
    (down.deployments as any).tooljet = { replicas: 0, pods: 0, annotations: { [EKS_REPLICAS_ANNOTATION]: '2' }, selector: { app: 'tooljet' } };
    const r = runScript('eks', 'start', stateFile(down), env('start'), b);
    assertFailed(r, /Deployment tooljet did not become ready within 60s .*the recorded count stays in the annotation/);
    assert.equal(r.state.deployments.tooljet.annotations[EKS_REPLICAS_ANNOTATION], '2');
  });
});

describe('components/cutover/docker-tooljet.sh against a stand-in docker compose', () => {
  let b: string;
  let project: string;
  const world = (over: Record<string, unknown> = {}) => ({ directory: project, services: { tooljet: { running: true, id: 'c1' }, redis: { running: true, id: 'c2' } }, nextId: 3, calls: [], ...over });
  const env = (action: 'stop' | 'start', directory = project, timeoutSeconds = 60) => dockerToolJetEnvironment({ action, directory, services: ['tooljet'], timeoutSeconds, pollSeconds: 0 });
  before(() => {
    b = binWith('docker', 'docker');
    project = fs.realpathSync(fs.mkdtempSync(path.join(dir, 'compose-')));
  });

  it('stop stops the ToolJet service in the compose folder; start recreates it and waits for its startup line; both again change nothing', () => {
    const f = stateFile(world());
    const stopped = runScript('docker', 'stop', f, env('stop'), b);
    assert.equal(stopped.status, 0, stopped.stderr);
    assert.equal(stopped.state.services.tooljet.running, false);
    assert.equal(stopped.state.services.redis.running, true, 'only the configured services');
    assert.ok(stopped.state.calls.every((c: { cwd: string }) => c.cwd === project));
    assert.equal(parseToolJetRecord(stopped.stdout)!.services, 'tooljet');
    assert.equal(runScript('docker', 'stop', f, env('stop'), b).status, 0);

    const started = runScript('docker', 'start', f, env('start'), b);
    assert.equal(started.status, 0, started.stderr);
    assert.equal(started.state.services.tooljet.running, true);
    assert.notEqual(started.state.services.tooljet.id, 'c1', 'a new container (new .env, new mount)');
    assert.ok(started.state.calls.filter((c: { args: string[] }) => c.args[1] === 'logs').length >= 2, 'waited for the startup line');

    const again = runScript('docker', 'start', f, env('start'), b);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(again.state.services.tooljet.id, started.state.services.tooljet.id);
    assert.ok(again.messages.some((m) => /already running/.test(m)));
  });

  it('fails clearly: wrong folder, a compose error, a container that does not stay up, no startup line in time', () => {
    assertFailed(runScript('docker', 'stop', stateFile(world()), env('stop', path.join(project, 'missing')), b), /^tooljet-docker: cannot enter targets\.docker\.directory /);
    const down = { services: { tooljet: { running: false, id: 'c1' } } };
    assertFailed(runScript('docker', 'start', stateFile(world({ ...down, failUp: true })), env('start'), b), /docker compose up -d in .* failed \(error above\); ToolJet is still stopped/);
    assertFailed(runScript('docker', 'start', stateFile(world({ services: { tooljet: { running: false, id: 'c1', crash: true } } })), env('start'), b), /service tooljet is not running after docker compose up -d/);
    assertFailed(
      runScript('docker', 'start', stateFile(world({ services: { tooljet: { running: false, id: 'c1', neverStarts: true } } })), env('start', project, 2), b),
      /timed out after 2s waiting for "TOOLJET APPLICATION STARTED SUCCESSFULLY" in the log of tooljet/,
    );
    assertFailed(runScript('docker', 'stop', stateFile(world({ stuck: true })), env('stop'), b), /service tooljet is still running after docker compose stop/);
  });
});

describe('components/cutover/ami-tooljet.sh against stand-in EC2, Auto Scaling and SSM (the SSM commands really run)', () => {
  const LT = 'lt-0123456789abcdef0';
  const IDS = ['i-0aaaaaaaaaaaaaaa1', 'i-0bbbbbbbbbbbbbbb2'];
  // What a rendered user-data does on the instance, in small: rewrite the .env, restart the units.
  const USER_DATA = '#!/bin/bash\nset -euo pipefail\nprintf "PG_HOST=%s\\n" "tooljet-prod-db-pg16.example" >"$INSTANCE_ROOT/.env"\nsystemctl restart nest\nsystemctl restart postgrest\n';
  let b: string;
  const world = (over: Record<string, unknown> = {}) => {
    const root = fs.mkdtempSync(path.join(dir, 'instances-'));
    for (const id of IDS) {
      fs.mkdirSync(path.join(root, id, 'units'), { recursive: true });
      for (const u of ['nest', 'postgrest']) fs.writeFileSync(path.join(root, id, 'units', u), 'active\n');
      fs.writeFileSync(path.join(root, id, '.env'), 'PG_HOST=tooljet-prod-db.example\n');
    }
    return {
      root,
      instanceBin: path.join(FIXTURES, 'instance-bin'),
      launchTemplateId: LT,
      instances: IDS.map((id) => ({ id, group: 'tooljet-asg' })),
      groups: { 'tooljet-asg': { suspended: ['AZRebalance'], tags: {} } },
      commands: [],
      calls: [],
      ...over,
    };
  };
  const env = (action: 'stop' | 'start', extra: { launchTemplateId?: string } = {}) =>
    amiToolJetEnvironment({ action, launchTemplateId: extra.launchTemplateId ?? LT, units: ['nest', 'postgrest'], ...(action === 'start' && { userData: USER_DATA }), timeoutSeconds: 60, pollSeconds: 0, cli: { region: 'eu-west-1' } });
  const unit = (root: string, id: string, u: string) => fs.readFileSync(path.join(root, id, 'units', u), 'utf8').trim();
  before(() => {
    b = binWith('aws-ec2-ssm', 'aws');
  });

  it('stop suspends the replacing Auto Scaling processes (recording which), then stops nest and postgrest on every instance', () => {
    const w = world();
    const f = stateFile(w);
    const stopped = runScript('ami', 'stop', f, env('stop'), b);
    assert.equal(stopped.status, 0, stopped.stderr);
    const g = stopped.state.groups['tooljet-asg'];
    assert.deepEqual(g.suspended.sort(), ['AZRebalance', 'HealthCheck', 'Launch', 'ReplaceUnhealthy']);
    assert.equal(g.tags[amiSuspendedTag(LT)], 'Launch HealthCheck ReplaceUnhealthy', 'AZRebalance was suspended before: not ours to resume');
    for (const id of IDS) for (const u of ['nest', 'postgrest']) assert.equal(unit(w.root, id, u), 'inactive', `${id} ${u}`);
    const suspendAt = stopped.state.calls.findIndex((c: { args: string[] }) => c.args[1] === 'suspend-processes');
    const sendAt = stopped.state.calls.findIndex((c: { args: string[] }) => c.args[1] === 'send-command');
    assert.ok(suspendAt >= 0 && suspendAt < sendAt, 'no instance can be replaced while ToolJet is being stopped');
    const rec = parseToolJetRecord(stopped.stdout)!;
    assert.equal(rec.instances, IDS.join(','));
    assert.equal(rec.autoScalingGroups, 'tooljet-asg');

    const again = runScript('ami', 'stop', f, env('stop'), b);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(again.state.groups['tooljet-asg'].tags[amiSuspendedTag(LT)], 'Launch HealthCheck ReplaceUnhealthy', 'the record is kept');

    // start: the user-data re-points the running instances and restarts the units; the recorded processes resume.
    const started = runScript('ami', 'start', f, env('start'), b);
    assert.equal(started.status, 0, started.stderr);
    for (const id of IDS) {
      assert.equal(unit(w.root, id, 'nest'), 'active');
      assert.equal(unit(w.root, id, 'postgrest'), 'active');
      assert.equal(fs.readFileSync(path.join(w.root, id, '.env'), 'utf8'), 'PG_HOST=tooljet-prod-db-pg16.example\n', 'the running instance now points at the clone');
    }
    const after = started.state.groups['tooljet-asg'];
    assert.deepEqual(after.suspended, ['AZRebalance'], 'exactly what the stop suspended is resumed');
    assert.deepEqual(after.tags, {});
    assert.equal(parseToolJetRecord(started.stdout)!.resumedAutoScalingGroups, 'tooljet-asg');

    const twice = runScript('ami', 'start', f, env('start'), b);
    assert.equal(twice.status, 0, twice.stderr);
    assert.deepEqual(twice.state.groups['tooljet-asg'].suspended, ['AZRebalance']);
    assert.equal(twice.state.calls.slice(started.state.calls.length).filter((c: { args: string[] }) => c.args[1] === 'resume-processes').length, 0);
  });

  it('fails clearly: no instance from the launch template, an instance SSM cannot reach, no permission to record', () => {
    assertFailed(runScript('ami', 'stop', stateFile(world()), env('stop', { launchTemplateId: 'lt-0fffffffffffffff0' }), b), /^tooljet-ami: no pending or running instance was launched from lt-0fffffffffffffff0 .*check targets\.ami\.launchTemplateId/);
    const unreachable = world();
    (unreachable.instances[1] as any).unmanaged = true;
    assertFailed(runScript('ami', 'stop', stateFile(unreachable), env('stop'), b), /^tooljet-ami: stop nest postgrest failed on i-0bbbbbbbbbbbbbbb2 \(Undeliverable\); read its output: aws ssm get-command-invocation --command-id cmd-1 --instance-id i-0bbbbbbbbbbbbbbb2$/);
    const denied = world({ denyTags: true });
    const r = runScript('ami', 'stop', stateFile(denied), env('stop'), b);
    assertFailed(r, /could not record the suspended processes on Auto Scaling group tooljet-asg .*nothing was stopped/);
    assert.equal(unit(denied.root, IDS[0], 'nest'), 'active');
  });
});

describe('the stop/start scripts pass shellcheck as POSIX sh', () => {
  // What the command runs: tooljet-common.sh followed by the kind's script.
  for (const kind of Object.keys(TOOLJET_SCRIPTS) as Kind[]) {
    it(`${kind}-tooljet.sh`, () => {
      const r = spawnSync('shellcheck', ['-s', 'sh', '-'], { input: toolJetScript(kind), encoding: 'utf8' });
      assert.equal(r.error, undefined, 'shellcheck must be installed');
      assert.equal(r.status, 0, r.stdout);
    });
  }
});
