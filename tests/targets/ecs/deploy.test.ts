// The ECS target's deployment step (targets/ecs/deploy.sh), run for real: the same script text and environment the
// local.Command gets, through /bin/sh -c, against a stand-in AWS CLI that behaves like ECS (fixtures/aws-ecs: the
// deployment controller, rolloutState only for the ECS controller without a Classic Load Balancer, FAILED only with the
// circuit breaker, services-stable as the AWS CLI's waiter defines it). Plus shellcheck, and the preview-time refusal
// of a controller update-service cannot deploy (checkDeploymentController).
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as path from 'path';
import { checkDeploymentController, ECS_DEPLOY_SCRIPT, ecsDeployEnvironment } from '../../../targets/ecs/deploy';
import { awsScriptHarness } from '../../helpers/aws-script';

const OLD_TD = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/tooljet:11';
const NEW_TD = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/tooljet:12';
const OTHER_TD = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/tooljet:13';
const ALB = {
  targetGroupArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/tooljet/0123456789abcdef',
};
const CLB = { loadBalancerName: 'tooljet-classic' };
const runScript = awsScriptHarness(path.join(__dirname, 'fixtures'));

/** The normal course of a rolling deployment of 2 tasks: they start, then the old tasks drain. */
const ROLLS_OUT = [{}, { running: 1 }, { running: 2 }, { drain: true }];

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
  const world = (onUpdate: object[], service: Record<string, unknown> = {}) => ({
    service: {
      name: 'tooljet',
      cluster: 'tooljet',
      status: 'ACTIVE',
      taskDefinition: OLD_TD,
      desiredCount: 2,
      loadBalancers: [ALB],
      ...service,
    },
    deployments: [
      {
        taskDefinition: OLD_TD,
        status: 'PRIMARY',
        runningCount: 2,
        desiredCount: 2,
        ...(!(service.loadBalancers as object[] | undefined)?.includes(CLB) &&
          !service.deploymentController && { rolloutState: 'COMPLETED', rolloutStateReason: 'done' }),
      },
    ],
    taskDefinitions: [OLD_TD, NEW_TD, OTHER_TD],
    onUpdate,
    progress: [],
    events: [],
    calls: [],
  });
  const run = (state: object, e = env()) => runScript(ECS_DEPLOY_SCRIPT, 'aws-ecs', state, e);
  const updates = (r: { after: { calls: Array<{ args: string[] }> } }) =>
    r.after.calls.filter((c) => c.args[1] === 'update-service');

  it('reads the deployment controller, deploys the revision and waits until the service is stable on it', () => {
    const r = run(world(ROLLS_OUT));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `service=tooljet cluster=tooljet taskDefinition=${NEW_TD} controller=ECS running=2\n`);
    assert.deepEqual(r.after.calls[0].args.slice(0, 2), ['ecs', 'describe-services'], 'the controller first');
    assert.equal(updates(r).length, 1);
    assert.equal(updates(r)[0].args[updates(r)[0].args.indexOf('--task-definition') + 1], NEW_TD);
    assert.deepEqual(
      r.after.deployments.map((d: { taskDefinition: string; status: string }) => [d.taskDefinition, d.status]),
      [[NEW_TD, 'PRIMARY']],
      'stable: the old deployment drained before success',
    );
    for (const c of r.after.calls) {
      assert.equal(c.region, 'eu-west-1');
      assert.equal(c.profile, 'tooljet-admin');
      assert.equal(c.pager, '');
    }
  });

  it('succeeds behind a Classic Load Balancer, where ECS never reports a rolloutState (and without a controller field)', () => {
    const r = run(world(ROLLS_OUT, { loadBalancers: [CLB] }));
    assert.equal(r.status, 0, r.stderr);
    assert.ok(
      r.after.deployments.every((d: { rolloutState?: string }) => d.rolloutState === undefined),
      'the stand-in reported no rolloutState at any time',
    );
    assert.match(r.stdout, /controller=ECS running=2/);
  });

  it('does not call it done while the old deployment still runs tasks (services-stable needs one deployment)', () => {
    const r = run(world([{ running: 2 }, {}, {}, {}]), env(3));
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      /timed out after 3s waiting for service tooljet in cluster tooljet to be stable on .*tooljet:12: 2 of 2 of its tasks running, 2 deployment\(s\)/,
    );
  });

  for (const controller of ['CODE_DEPLOY', 'EXTERNAL']) {
    it(`refuses a ${controller} service in one line before touching it`, () => {
      const r = run(world(ROLLS_OUT, { deploymentController: { type: controller } }));
      assert.equal(r.status, 1);
      assert.equal(updates(r).length, 0, 'update-service is never called');
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(
        r.stderr,
        new RegExp(
          `^ecs-deploy: service tooljet in cluster tooljet uses the ${controller} deployment controller, .*set targets\\.ecs\\.updateService false and deploy the stack output ecsTaskDefinitionArn`,
        ),
      );
      assert.match(r.stderr, controller === 'CODE_DEPLOY' ? /CodeDeploy/ : /create-task-set/);
    });
  }

  it("fails with ECS's reason when the circuit breaker marks the deployment FAILED and rolls back", () => {
    const r = run(
      world([{}, { fail: 'tasks failed to start: ResourceInitializationError' }], { circuitBreaker: true }),
    );
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      /the deployment of .*tooljet:12 to service tooljet in cluster tooljet FAILED: .*tasks failed to start: ResourceInitializationError\./,
    );
  });

  it('detects the rollback without a rolloutState too (Classic Load Balancer + circuit breaker)', () => {
    const r = run(world([{}, { fail: 'tasks failed to start' }], { circuitBreaker: true, loadBalancers: [CLB] }));
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      /the deployment of .*tooljet:12 to service tooljet in cluster tooljet is ACTIVE, no longer the service's primary one: it was rolled back .*Last service event: \(service tooljet\) \(deployment .*tooljet:12\) tasks failed to start/,
    );
  });

  it('without the circuit breaker (FAILED never comes) stops at the time bound with the counts and the last event', () => {
    const r = run(world([{ fail: 'tasks failed to start: CannotPullContainerError' }]), env(3));
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      /timed out after 3s waiting for .* to be stable on .*tooljet:12: 0 of 2 of its tasks running, 2 deployment\(s\) \(rollout IN_PROGRESS\)\. Last service event: .*CannotPullContainerError\..*raise targets\.ecs\.deployTimeout/,
    );
  });

  it('fails when another deployment replaces the revision while waiting', () => {
    const r = run(world([{}, { replace: OTHER_TD }]));
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      /tooljet:12 to service tooljet in cluster tooljet is ACTIVE, no longer the service's primary one/,
    );
  });

  it('is idempotent: a service already stable on the revision is only verified', () => {
    const state = world([]);
    state.service.taskDefinition = NEW_TD;
    state.deployments = [{ taskDefinition: NEW_TD, status: 'PRIMARY', runningCount: 2, desiredCount: 2 }];
    const r = run(state);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(updates(r).length, 0);
  });

  it('says which setting to check when the service does not exist', () => {
    const r = run(world([], { name: 'other' }));
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      /service tooljet in cluster tooljet is not an active service \(describe-services: None\); check targets\.ecs\.cluster and targets\.ecs\.service/,
    );
  });

  describe('the role policies the new tasks need (IAM is eventually consistent)', () => {
    const SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:tooljet/rds-master-AbCdEf';
    const NEW_SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:tooljet/new-AbCdEf';
    const OBJECT = 'arn:aws:s3:::tooljet-config/rds-ca/global-bundle.pem';
    const policy = (...resources: string[][]) =>
      JSON.stringify({
        Version: '2012-10-17',
        Statement: resources.map((Resource, i) => ({ Sid: `S${i}`, Effect: 'Allow', Action: ['x:Y'], Resource })),
      });
    const withPolicies = (timeout = 60) => ({
      ...ecsDeployEnvironment({
        cluster: 'tooljet',
        service: 'tooljet',
        taskDefinitionArn: NEW_TD,
        timeoutSeconds: timeout,
        pollSeconds: 0,
        iamSettleSeconds: 0,
        rolePolicies: [
          {
            role: 'tooljet-exec',
            name: 'tooljet-pg-upgrade-staging-ecs-secrets',
            policy: policy([SECRET, NEW_SECRET]),
          },
          { role: 'tooljet-task', name: 'tooljet-pg-upgrade-staging-ecs-rds-ca-bundle', policy: policy([OBJECT]) },
        ],
        cli: { region: 'eu-west-1' },
      }),
    });
    const state = (exec: unknown[], task: unknown[]) => ({
      ...world(ROLLS_OUT),
      rolePolicies: {
        'tooljet-exec/tooljet-pg-upgrade-staging-ecs-secrets': { answers: exec },
        'tooljet-task/tooljet-pg-upgrade-staging-ecs-rds-ca-bundle': { answers: task },
      },
    });
    const order = (r: { after: { calls: Array<{ args: string[] }> } }) =>
      r.after.calls.map((c) => c.args[1]).filter((a) => a === 'get-role-policy' || a === 'update-service');

    it('deploys only once IAM returns each policy with every resource it grants', () => {
      // Not visible yet, then the previous version (without the new secret), then the one this stack wrote.
      const r = run(
        state(['missing', 'missing', [[SECRET]], [[SECRET, NEW_SECRET]]], ['missing', [OBJECT]]),
        withPolicies(),
      );
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(order(r), [
        'get-role-policy',
        'get-role-policy',
        'get-role-policy',
        'get-role-policy',
        'get-role-policy',
        'get-role-policy',
        'update-service',
      ]);
    });

    it('stops at the time bound, deploying nothing, when a policy never shows what it grants', () => {
      const r = run(state([[[SECRET]]], [[OBJECT]]), withPolicies(3));
      assert.equal(r.status, 1);
      assert.equal(updates(r).length, 0);
      assert.match(
        r.stderr,
        /timed out after 3s waiting for IAM to return the policy tooljet-pg-upgrade-staging-ecs-secrets of role tooljet-exec with every resource it grants .*nothing was deployed/,
      );
    });

    it('fails in one line when it may not read them', () => {
      const r = run(state(['denied'], [[OBJECT]]), withPolicies());
      assert.equal(r.status, 1);
      assert.equal(updates(r).length, 0);
      assert.match(r.stderr, /AccessDenied.*check iam:GetRolePolicy on the role/);
    });

    it('puts each policy and the resources it grants into the environment, one line each', () => {
      assert.equal(
        withPolicies().TJ_ROLE_POLICIES,
        `tooljet-exec tooljet-pg-upgrade-staging-ecs-secrets ${SECRET} ${NEW_SECRET}\n` +
          `tooljet-task tooljet-pg-upgrade-staging-ecs-rds-ca-bundle ${OBJECT}`,
      );
      const plain = { cluster: 'c', service: 's', taskDefinitionArn: NEW_TD, timeoutSeconds: 60, cli: {} };
      assert.equal(ecsDeployEnvironment(plain).TJ_IAM_SETTLE_SECONDS, '10', 'settles 10 s by default');
    });
  });

  it('passes shellcheck as POSIX sh', () => {
    const r = spawnSync('shellcheck', ['-s', 'sh', ECS_DEPLOY_SCRIPT], { encoding: 'utf8' });
    assert.equal(r.error, undefined, 'shellcheck must be installed');
    assert.equal(r.status, 0, r.stdout);
  });

  it('checkDeploymentController refuses CODE_DEPLOY/EXTERNAL at preview unless updateService is false', () => {
    const where = 'service tooljet in cluster tooljet';
    checkDeploymentController([], true, where);
    checkDeploymentController([{ type: 'ECS' }], true, where);
    checkDeploymentController([{ type: 'CODE_DEPLOY' }], false, where);
    assert.throws(
      () => checkDeploymentController([{ type: 'CODE_DEPLOY' }], true, where),
      /^RenderError: service tooljet in cluster tooljet uses the CODE_DEPLOY deployment controller, whose task definition only CodeDeploy deploys .*set targets\.ecs\.updateService false/,
    );
    assert.throws(() => checkDeploymentController([{ type: 'EXTERNAL' }], true, where), /create-task-set/);
  });
});
