// The maintenance window's stop/start script of the ECS target (targets/ecs/window.sh), run for real: the same script
// text and environment the local.Commands get, through the same interpreter (/bin/sh -c via the timing wrapper),
// against a stand-in `aws` that behaves like ECS and Application Auto Scaling (tests/targets/ecs/fixtures). Stop records and zeroes, start restores, a re-run changes nothing, a
// failure exits non-zero with one line saying what to do.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { parseMeasuredPhases, parseStoppedEpoch, parseToolJetRecord } from '../../../cutover';
import { ECS_DESIRED_COUNT_TAG, ECS_SCALING_SUSPENDED_TAG, ecsToolJetEnvironment } from '../../../targets/ecs/window';
import { assertFailed, count, Run, windowHarness } from '../../helpers/window';

const FIXTURES = path.join(__dirname, 'fixtures');
const h = windowHarness(FIXTURES);

describe('targets/ecs/window.sh against a stand-in ECS', () => {
  const bin = () => h.binWith('aws-ecs-service', 'aws');
  const ARN = 'arn:aws:ecs:eu-west-1:123456789012:service/tooljet/tooljet';
  const world = (over: Record<string, unknown> = {}) => ({
    service: { cluster: 'tooljet', name: 'tooljet', arn: ARN, status: 'ACTIVE', desired: 2 },
    tasks: [1, 2].map((n) => ({
      arn: `arn:aws:ecs:eu-west-1:123456789012:task/tooljet/${n}`,
      desired: 'RUNNING',
      lastStatus: 'RUNNING',
    })),
    nextTask: 3,
    tags: {},
    calls: [],
    ...over,
  });
  const env = (action: 'stop' | 'start', extra: { timeoutSeconds?: number; stoppedEpoch?: string } = {}) =>
    ecsToolJetEnvironment({
      action,
      cluster: 'tooljet',
      service: 'tooljet',
      timeoutSeconds: extra.timeoutSeconds ?? 60,
      pollSeconds: 0,
      ...(extra.stoppedEpoch && { stoppedEpoch: extra.stoppedEpoch }),
      cli: { region: 'eu-west-1', profile: 'tooljet-admin' },
    });

  let b: string;
  let f: string;
  let stopped: Run;
  before(() => {
    b = bin();
    f = h.stateFile(world());
    stopped = h.runScript('ecs', 'stop', f, env('stop'), b);
  });

  it('stop records the desired count in a tag on the service, sets it to 0 and waits until no task runs or is stopping', () => {
    assert.equal(stopped.status, 0, stopped.stderr);
    const s = stopped.state;
    assert.deepEqual(s.tags, { [ECS_DESIRED_COUNT_TAG]: '2' });
    assert.equal(s.service.desired, 0);
    assert.deepEqual(
      s.tasks.map((t: { lastStatus: string }) => t.lastStatus),
      ['STOPPED', 'STOPPED'],
      'every task STOPPED, not just told to stop',
    );
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
    const again = h.runScript('ecs', 'stop', f, env('stop'), b);
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual(again.state.tags, { [ECS_DESIRED_COUNT_TAG]: '2' });
    const newCalls = again.state.calls.slice(stopped.state.calls.length);
    assert.equal(count(newCalls, 'update-service') + count(newCalls, 'tag-resource'), 0);
    assert.equal(parseToolJetRecord(again.stdout)!.recordedDesiredCount, '2');
  });

  it('start restores the recorded count, waits until the service is stable, removes the tag, prints the downtime; again: nothing to do', () => {
    const epoch = String(Math.floor(Date.now() / 1000) - 90);
    const started = h.runScript('ecs', 'start', f, env('start', { stoppedEpoch: epoch }), b);
    assert.equal(started.status, 0, started.stderr);
    assert.equal(started.state.service.desired, 2);
    assert.equal(
      started.state.tasks.filter(
        (t: { desired: string; lastStatus: string }) => t.desired === 'RUNNING' && t.lastStatus === 'RUNNING',
      ).length,
      2,
    );
    assert.deepEqual(started.state.tags, {});
    const rec = parseToolJetRecord(started.stdout)!;
    assert.equal(rec.tooljet, 'started');
    assert.equal(rec.desiredCount, '2');
    assert.ok(Number(rec.downtimeSeconds) >= 90 && Number(rec.downtimeSeconds) < 150, rec.downtimeSeconds);
    assert.equal(parseMeasuredPhases(started.stderr)[0].label, 'start ToolJet (ecs)');

    const again = h.runScript('ecs', 'start', f, env('start'), b);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(count(again.state.calls.slice(started.state.calls.length), 'update-service'), 0);
    assert.equal(parseToolJetRecord(again.stdout)!.desiredCount, '2');
  });

  it('refuses to stop a service at 0 without a recorded count (start would not know what to restore)', () => {
    const r = h.runScript(
      'ecs',
      'stop',
      h.stateFile(
        world({ service: { cluster: 'tooljet', name: 'tooljet', arn: ARN, status: 'ACTIVE', desired: 0 }, tasks: [] }),
      ),
      env('stop'),
      b,
    );
    assertFailed(
      r,
      /^tooljet-ecs: service tooljet in cluster tooljet has desired count 0 and no recorded count \(tag tooljet-pg-upgrade:desired-count\).*aws ecs tag-resource/,
    );
  });

  it('stops nothing when the count cannot be recorded (no ecs:TagResource)', () => {
    const r = h.runScript('ecs', 'stop', h.stateFile(world({ denyTagging: true })), env('stop'), b);
    assertFailed(r, /could not record the desired count 2 .*nothing was stopped/);
    assert.equal(r.state.service.desired, 2);
  });

  it('fails clearly when the tasks do not stop in time: nothing after the stop may run', () => {
    const r = h.runScript('ecs', 'stop', h.stateFile(world({ stuck: true })), env('stop', { timeoutSeconds: 2 }), b);
    assertFailed(
      r,
      /timed out after 2s waiting for the tasks of service tooljet in cluster tooljet to stop \(2 still running or stopping\); ToolJet may still write to the database, so nothing after this step ran/,
    );
  });

  it('start fails with the recorded count kept when the service cannot start (deployment FAILED)', () => {
    const r = h.runScript(
      'ecs',
      'start',
      h.stateFile(
        world({
          service: { cluster: 'tooljet', name: 'tooljet', arn: ARN, status: 'ACTIVE', desired: 0 },
          tasks: [],
          tags: { [ECS_DESIRED_COUNT_TAG]: '2' },
          failStart: true,
        }),
      ),
      env('start'),
      b,
    );
    assertFailed(r, /the deployment of service tooljet in cluster tooljet FAILED while starting ToolJet/);
    assert.deepEqual(r.state.tags, { [ECS_DESIRED_COUNT_TAG]: '2' });
  });

  it('names the settings to check when the service does not exist', () => {
    const r = h.runScript(
      'ecs',
      'stop',
      h.stateFile(world({ service: { cluster: 'tooljet', name: 'other', arn: ARN, status: 'ACTIVE', desired: 2 } })),
      env('stop'),
      b,
    );
    assertFailed(
      r,
      /service tooljet in cluster tooljet is not an active service \(describe-services: None\); check targets\.ecs\.cluster and targets\.ecs\.service/,
    );
  });
});

describe('targets/ecs/window.sh with Application Auto Scaling on the service', () => {
  const ARN = 'arn:aws:ecs:eu-west-1:123456789012:service/tooljet/tooljet';
  // Scheduled scaling was already suspended by the operator: start must put back exactly that.
  const earlier = { in: false, out: false, scheduled: true };
  const world = (over: Record<string, unknown> = {}) => ({
    service: { cluster: 'tooljet', name: 'tooljet', arn: ARN, status: 'ACTIVE', desired: 2 },
    tasks: [1, 2].map((n) => ({
      arn: `arn:aws:ecs:eu-west-1:123456789012:task/tooljet/${n}`,
      desired: 'RUNNING',
      lastStatus: 'RUNNING',
    })),
    nextTask: 3,
    tags: {},
    scalable: { min: 1, max: 4, suspended: { ...earlier } },
    calls: [],
    ...over,
  });
  // The cluster given as an ARN: the scalable target's resource id needs its name (service/tooljet/tooljet).
  const env = (action: 'stop' | 'start', timeoutSeconds = 60) =>
    ecsToolJetEnvironment({
      action,
      cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/tooljet',
      service: 'tooljet',
      timeoutSeconds,
      pollSeconds: 0,
      cli: { region: 'eu-west-1' },
    });
  const worldWithArnCluster = (over: Record<string, unknown> = {}) => {
    const w = world(over);
    return {
      ...w,
      service: { ...(w.service as object), cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/tooljet' },
    };
  };
  const at = (calls: Array<{ args: string[] }>, op: string) => calls.findIndex((c) => c.args[1] === op);
  const lastAt = (calls: Array<{ args: string[] }>, op: string) => calls.map((c) => c.args[1]).lastIndexOf(op);
  let b: string;
  let f: string;
  let stopped: Run;
  before(() => {
    b = h.binWith('aws-ecs-service', 'aws');
    f = h.stateFile(worldWithArnCluster());
    stopped = h.runScript('ecs', 'stop', f, env('stop'), b);
  });

  it('stop records the suspended state with the count (one tag call), suspends all scaling, then scales to 0 and waits', () => {
    assert.equal(stopped.status, 0, stopped.stderr);
    const s = stopped.state;
    assert.deepEqual(s.tags, {
      [ECS_DESIRED_COUNT_TAG]: '2',
      [ECS_SCALING_SUSPENDED_TAG]: 'in=false/out=false/scheduled=true',
    });
    assert.equal(count(s.calls, 'tag-resource'), 1, 'both in one call: a crash cannot leave one without the other');
    assert.deepEqual(s.scalable.suspended, { in: true, out: true, scheduled: true });
    const register = s.calls.find((c: { args: string[] }) => c.args[1] === 'register-scalable-target');
    assert.equal(register.args[register.args.indexOf('--resource-id') + 1], 'service/tooljet/tooljet');
    assert.ok(at(s.calls, 'tag-resource') < at(s.calls, 'register-scalable-target'), 'recorded before it is changed');
    assert.ok(
      at(s.calls, 'register-scalable-target') < at(s.calls, 'update-service'),
      'suspended before the count goes to 0',
    );
    assert.equal(
      s.service.desired,
      0,
      'scaling did not raise it again (the stand-in raises it to min while scale-out runs)',
    );
    assert.deepEqual(
      s.tasks.map((t: { lastStatus: string }) => t.lastStatus),
      ['STOPPED', 'STOPPED'],
    );
    assert.equal(parseToolJetRecord(stopped.stdout)!.recordedScaling, 'in=false/out=false/scheduled=true');
  });

  it('stop again changes nothing: the recorded state stays (never "all suspended"), no scaling, tag or count call', () => {
    const again = h.runScript('ecs', 'stop', f, env('stop'), b);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(again.state.tags[ECS_SCALING_SUSPENDED_TAG], 'in=false/out=false/scheduled=true');
    const newCalls = again.state.calls.slice(stopped.state.calls.length);
    assert.equal(
      count(newCalls, 'register-scalable-target') + count(newCalls, 'tag-resource') + count(newCalls, 'update-service'),
      0,
    );
    assert.equal(parseToolJetRecord(again.stdout)!.recordedScaling, 'in=false/out=false/scheduled=true');
  });

  it('start restores the count, then exactly the recorded scaling state once the service is stable, and removes both tags; again: nothing', () => {
    const startedAt = JSON.parse(fs.readFileSync(f, 'utf8')).calls.length;
    const started = h.runScript('ecs', 'start', f, env('start'), b);
    assert.equal(started.status, 0, started.stderr);
    const s = started.state;
    assert.equal(s.service.desired, 2);
    assert.deepEqual(s.scalable.suspended, earlier, 'exactly what it was: scheduled scaling stays suspended');
    assert.deepEqual(s.tags, {});
    const calls = s.calls.slice(startedAt);
    assert.ok(
      lastAt(calls, 'update-service') < at(calls, 'register-scalable-target'),
      'scaling resumes only after the count is back',
    );
    assert.ok(at(calls, 'register-scalable-target') < at(calls, 'untag-resource'), 'the record goes last');
    assert.equal(parseToolJetRecord(started.stdout)!.restoredScaling, 'in=false/out=false/scheduled=true');

    const again = h.runScript('ecs', 'start', f, env('start'), b);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(count(again.state.calls.slice(s.calls.length), 'register-scalable-target'), 0);
    assert.deepEqual(again.state.scalable.suspended, earlier);
  });

  it("still ends at 0 when suspending moves the count back into the target's range", () => {
    const r = h.runScript(
      'ecs',
      'stop',
      h.stateFile(
        worldWithArnCluster({
          clampOnRegister: true,
          service: {
            cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/tooljet',
            name: 'tooljet',
            arn: ARN,
            status: 'ACTIVE',
            desired: 2,
          },
        }),
      ),
      env('stop'),
      b,
    );
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.state.service.desired, 0);
  });

  it('fails in one line, non-zero, with ToolJet still running: no permission to suspend, or to read the scalable target', () => {
    const noRegister = h.runScript(
      'ecs',
      'stop',
      h.stateFile(worldWithArnCluster({ denyScaling: 'register' })),
      env('stop'),
      b,
    );
    assertFailed(
      noRegister,
      /^tooljet-ecs: could not suspend Application Auto Scaling of service\/tooljet\/tooljet .*ToolJet still runs, nothing was stopped\. Check application-autoscaling:RegisterScalableTarget/,
    );
    assert.equal(noRegister.state.service.desired, 2);
    assert.deepEqual(noRegister.state.scalable.suspended, earlier);
    assert.equal(
      noRegister.state.tags[ECS_SCALING_SUSPENDED_TAG],
      'in=false/out=false/scheduled=true',
      'the record is kept for the re-run',
    );
    const noDescribe = h.runScript(
      'ecs',
      'stop',
      h.stateFile(worldWithArnCluster({ denyScaling: 'describe' })),
      env('stop'),
      b,
    );
    assertFailed(
      noDescribe,
      /^tooljet-ecs: aws application-autoscaling describe-scalable-targets for service tooljet in cluster .* failed \(AWS CLI error above\); check application-autoscaling:DescribeScalableTargets$/,
    );
    assert.deepEqual(noDescribe.state.tags, {}, 'nothing recorded, nothing changed');
    assert.equal(noDescribe.state.service.desired, 2);
  });

  it('start fails in one line when the state cannot be restored, keeping the record', () => {
    const stoppedWorld = worldWithArnCluster({
      service: {
        cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/tooljet',
        name: 'tooljet',
        arn: ARN,
        status: 'ACTIVE',
        desired: 0,
      },
      tasks: [],
      tags: { [ECS_DESIRED_COUNT_TAG]: '2', [ECS_SCALING_SUSPENDED_TAG]: 'in=false/out=false/scheduled=true' },
      scalable: { min: 1, max: 4, suspended: { in: true, out: true, scheduled: true } },
      denyScaling: 'register',
    });
    const r = h.runScript('ecs', 'start', h.stateFile(stoppedWorld), env('start'), b);
    assertFailed(
      r,
      /^tooljet-ecs: ToolJet runs again on service tooljet in cluster .*, but the scaling state in=false\/out=false\/scheduled=true of service\/tooljet\/tooljet could not be restored .*the state stays recorded in the tag tooljet-pg-upgrade:scaling-suspended\)$/,
    );
    assert.equal(r.state.service.desired, 2);
    assert.equal(r.state.tags[ECS_SCALING_SUSPENDED_TAG], 'in=false/out=false/scheduled=true');
    const bad = h.runScript(
      'ecs',
      'start',
      h.stateFile({
        ...stoppedWorld,
        denyScaling: undefined,
        tags: { [ECS_DESIRED_COUNT_TAG]: '2', [ECS_SCALING_SUSPENDED_TAG]: 'in=maybe' },
      }),
      env('start'),
      b,
    );
    assertFailed(
      bad,
      /^tooljet-ecs: the tag tooljet-pg-upgrade:scaling-suspended on .* holds "in=maybe", not in=<true\|false>\/out=<true\|false>\/scheduled=<true\|false>/,
    );
  });
});
