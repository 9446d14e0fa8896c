// The maintenance window's stop/start script of the EKS target (targets/eks/window.sh), run for real: the same script
// text and environment the local.Commands get, through the same interpreter (/bin/sh -c via the timing wrapper),
// against a stand-in `kubectl` that behaves like Kubernetes (tests/targets/eks/fixtures). Stop records and zeroes, start restores, a re-run changes nothing, a
// failure exits non-zero with one line saying what to do.
import { strict as assert } from 'assert';
import * as path from 'path';
import { parseToolJetRecord } from '../../../cutover';
import { EKS_REPLICAS_ANNOTATION, eksToolJetEnvironment } from '../../../targets/eks/window';
import { assertFailed, Run, windowHarness } from '../../helpers/window';

const FIXTURES = path.join(__dirname, 'fixtures');
const h = windowHarness(FIXTURES);

describe('targets/eks/window.sh against a stand-in kubectl', () => {
  const world = (over: Record<string, unknown> = {}) => ({
    namespace: 'tooljet',
    expectKubeconfig: '/etc/tooljet/kubeconfig',
    expectContext: 'tooljet-prod',
    deployments: {
      tooljet: {
        replicas: 2,
        pods: 2,
        annotations: { 'meta.helm.sh/release-name': 'tooljet' },
        selector: { app: 'tooljet', release: 'tooljet' },
      },
      'tooljet-postgrest': { replicas: 1, pods: 1, annotations: {}, selector: { app: 'postgrest' } },
    },
    calls: [],
    ...over,
  });
  const env = (action: 'stop' | 'start', timeoutSeconds = 60) =>
    eksToolJetEnvironment({
      action,
      namespace: 'tooljet',
      deployments: ['tooljet', 'tooljet-postgrest'],
      kubeconfig: '/etc/tooljet/kubeconfig',
      context: 'tooljet-prod',
      timeoutSeconds,
      pollSeconds: 0,
    });
  let b: string;
  let f: string;
  let stopped: Run;
  before(() => {
    b = h.binWith('kubectl', 'kubectl');
    f = h.stateFile(world());
    stopped = h.runScript('eks', 'stop', f, env('stop'), b);
  });

  it("stop records each Deployment's replicas in an annotation, scales it to 0 and waits until its pods are gone", () => {
    assert.equal(stopped.status, 0, stopped.stderr);
    const d = stopped.state.deployments;
    assert.deepEqual(
      [d.tooljet.replicas, d.tooljet.pods, d['tooljet-postgrest'].replicas, d['tooljet-postgrest'].pods],
      [0, 0, 0, 0],
    );
    assert.equal(d.tooljet.annotations[EKS_REPLICAS_ANNOTATION], '2');
    assert.equal(d['tooljet-postgrest'].annotations[EKS_REPLICAS_ANNOTATION], '1');
    assert.equal(d.tooljet.annotations['meta.helm.sh/release-name'], 'tooljet', 'other annotations stay');
    assert.equal(parseToolJetRecord(stopped.stdout)!.recordedReplicas, 'tooljet:2,tooljet-postgrest:1');
    // Every call went to the configured kubeconfig, context and namespace (the stand-in refuses anything else).
    assert.ok(
      stopped.state.calls.every(
        (c: string[]) => c.includes('--kubeconfig') && c.includes('--context') && c.includes('--namespace'),
      ),
    );
  });

  it('stop again keeps the recorded replicas; start scales back, waits for the rollout, removes the annotation; start again changes nothing', () => {
    const again = h.runScript('eks', 'stop', f, env('stop'), b);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(again.state.deployments.tooljet.annotations[EKS_REPLICAS_ANNOTATION], '2');
    assert.ok(
      !again.state.calls
        .slice(stopped.state.calls.length)
        .some((c: string[]) => c.includes('scale') || c.includes('annotate')),
    );

    const started = h.runScript('eks', 'start', f, env('start'), b);
    assert.equal(started.status, 0, started.stderr);
    const d = started.state.deployments;
    assert.deepEqual([d.tooljet.replicas, d.tooljet.pods, d['tooljet-postgrest'].replicas], [2, 2, 1]);
    assert.equal(d.tooljet.annotations[EKS_REPLICAS_ANNOTATION], undefined);
    assert.ok(started.state.calls.some((c: string[]) => c.includes('rollout') && c.includes('tooljet')));
    assert.equal(parseToolJetRecord(started.stdout)!.replicas, 'tooljet:2,tooljet-postgrest:1');

    const twice = h.runScript('eks', 'start', f, env('start'), b);
    assert.equal(twice.status, 0, twice.stderr);
    assert.ok(
      !twice.state.calls
        .slice(started.state.calls.length)
        .some((c: string[]) => c.includes('scale') || c.includes('annotate')),
    );
  });

  it('refuses a Deployment at 0 replicas without a recorded count; fails clearly without access', () => {
    const zero = world();
    (zero.deployments as any).tooljet.replicas = 0;
    assertFailed(
      h.runScript('eks', 'stop', h.stateFile(zero), env('stop'), b),
      /^tooljet-eks: Deployment tooljet has 0 replicas and no recorded count \(annotation tooljet-pg-upgrade\/replicas-before-stop\)/,
    );
    const r = h.runScript('eks', 'stop', h.stateFile(world({ expectContext: 'another' })), env('stop'), b);
    assertFailed(
      r,
      /^tooljet-eks: kubectl get deployment tooljet in namespace tooljet failed \(error above\); check targets\.eks\.namespace/,
    );
    const denied = h.runScript('eks', 'stop', h.stateFile(world({ denyAnnotate: true })), env('stop'), b);
    assertFailed(denied, /could not record the replica count 2 on Deployment tooljet/);
    assert.equal(denied.state.deployments.tooljet.replicas, 2, 'not scaled down without a record');
  });

  it('fails when pods do not go in time, and when ToolJet does not become ready (the record stays)', () => {
    assertFailed(
      h.runScript('eks', 'stop', h.stateFile(world({ stuck: true })), env('stop', 2), b),
      /timed out after 2s waiting for the pods of tooljet tooljet-postgrest to go .*nothing after this step ran/,
    );
    const down = world({ failRollout: true });
    (down.deployments as any).tooljet = {
      replicas: 0,
      pods: 0,
      annotations: { [EKS_REPLICAS_ANNOTATION]: '2' },
      selector: { app: 'tooljet' },
    };
    const r = h.runScript('eks', 'start', h.stateFile(down), env('start'), b);
    assertFailed(r, /Deployment tooljet did not become ready within 60s .*the recorded count stays in the annotation/);
    assert.equal(r.state.deployments.tooljet.annotations[EKS_REPLICAS_ANNOTATION], '2');
  });
});
