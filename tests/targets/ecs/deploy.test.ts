// The ECS target's deployment step (targets/ecs/deploy.sh), run for real: the same script text and environment the
// local.Command gets, through /bin/sh -c, against a stand-in AWS CLI that behaves like ECS (deployments rolling out).
// Plus shellcheck.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as path from 'path';
import { ECS_DEPLOY_SCRIPT, ecsDeployEnvironment } from '../../../targets/ecs/deploy';
import { awsScriptHarness } from '../../helpers/aws-script';

const OLD_TD = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/tooljet:11';
const NEW_TD = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/tooljet:12';
const runScript = awsScriptHarness(path.join(__dirname, 'fixtures'));

describe('targets/ecs/deploy.sh against a stand-in ECS', () => {
  const env = (timeout = 60) =>
    ecsDeployEnvironment({
      cluster: 'tooljet',
      service: 'tooljet',
      taskDefinitionArn: NEW_TD,
      timeoutSeconds: timeout,
      pollSeconds: 0,
      cli: { region: 'eu-west-1', profile: 'tooljet-admin' },
    });
  const world = (onUpdate: object[], overrides: Record<string, unknown> = {}) => ({
    service: { name: 'tooljet', cluster: 'tooljet', status: 'ACTIVE', taskDefinition: OLD_TD },
    deployments: [
      {
        taskDefinition: OLD_TD,
        status: 'PRIMARY',
        rolloutState: 'COMPLETED',
        runningCount: 2,
        desiredCount: 2,
        rolloutStateReason: 'done',
      },
    ],
    taskDefinitions: [OLD_TD, NEW_TD],
    onUpdate,
    progress: [],
    calls: [],
    ...overrides,
  });
  const run = (state: object, e = env()) => runScript(ECS_DEPLOY_SCRIPT, 'aws-ecs', state, e);

  it('deploys the new revision to the service and waits until ECS reports it COMPLETED', () => {
    const r = run(
      world([
        {},
        { runningCount: 1 },
        { rolloutState: 'COMPLETED', runningCount: 2, rolloutStateReason: 'ECS deployment completed.' },
      ]),
    );
    assert.equal(r.status, 0, r.stderr);
    assert.equal(
      r.stdout,
      `service=tooljet cluster=tooljet taskDefinition=${NEW_TD} rolloutState=COMPLETED running=2\n`,
    );
    const updates = r.after.calls.filter((c: { args: string[] }) => c.args[1] === 'update-service');
    assert.equal(updates.length, 1);
    assert.equal(updates[0].args[updates[0].args.indexOf('--task-definition') + 1], NEW_TD);
    assert.equal(r.after.service.taskDefinition, NEW_TD);
    for (const c of r.after.calls) {
      assert.equal(c.region, 'eu-west-1');
      assert.equal(c.profile, 'tooljet-admin');
      assert.equal(c.pager, '');
    }
  });

  it('is idempotent: a service already running the revision is only verified', () => {
    const state = world([]);
    state.service.taskDefinition = NEW_TD;
    state.deployments = [
      {
        taskDefinition: NEW_TD,
        status: 'PRIMARY',
        rolloutState: 'COMPLETED',
        runningCount: 2,
        desiredCount: 2,
        rolloutStateReason: 'done',
      },
    ];
    const r = run(state);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(!r.after.calls.some((c: { args: string[] }) => c.args[1] === 'update-service'));
  });

  it("fails `pulumi up` with ECS's reason when the deployment FAILED (circuit breaker)", () => {
    const r = run(
      world([
        {},
        { rolloutState: 'FAILED', rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.' },
      ]),
    );
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      new RegExp(
        `the deployment of ${NEW_TD.replace(/[.:/]/g, '\\$&')} to service tooljet in cluster tooljet FAILED: ECS deployment circuit breaker: tasks failed to start\\.`,
      ),
    );
  });

  it('fails with the rollout state when the deployment does not finish within deployTimeout', () => {
    const r = run(world([]), env(3));
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      /timed out after 3s waiting for the deployment .*: rollout IN_PROGRESS, 0 of 2 tasks running\..*raise targets\.ecs\.deployTimeout/,
    );
  });

  it('says which setting to check when the service does not exist', () => {
    const r = run(
      world([], { service: { name: 'other', cluster: 'tooljet', status: 'ACTIVE', taskDefinition: OLD_TD } }),
    );
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      /service tooljet in cluster tooljet is not an active service \(status: None\); check targets\.ecs\.cluster and targets\.ecs\.service/,
    );
  });

  it('passes shellcheck as POSIX sh', () => {
    const r = spawnSync('shellcheck', ['-s', 'sh', ECS_DEPLOY_SCRIPT], { encoding: 'utf8' });
    assert.equal(r.error, undefined, 'shellcheck must be installed');
    assert.equal(r.status, 0, r.stdout);
  });
});
