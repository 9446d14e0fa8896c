// The two AWS steps of the targets, run for real: the same script text and environment the local.Commands get,
// through /bin/sh -c, against stand-in AWS CLIs that behave like ECS (deployments rolling out) and EC2 (launch
// template versions). Plus shellcheck.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  ECS_DEPLOY_SCRIPT,
  ecsDeployEnvironment,
  LAUNCH_TEMPLATE_VERSION_SCRIPT,
  launchTemplateVersionEnvironment,
  parseLaunchTemplateVersion,
  scriptText,
} from '../../../components/targets';

const OLD_TD = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/tooljet:11';
const NEW_TD = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/tooljet:12';

let dir: string;
let bin: string;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tj-target-scripts-'));
  bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function runScript(script: string, fake: string, state: object, env: Record<string, string>, pathOverride?: string) {
  const stateFile = path.join(dir, `state-${Math.random().toString(16).slice(2)}.json`);
  fs.writeFileSync(stateFile, JSON.stringify(state));
  const fakeBin = path.join(bin, fake);
  fs.mkdirSync(fakeBin, { recursive: true });
  fs.copyFileSync(path.join(__dirname, 'fixtures', fake), path.join(fakeBin, 'aws'));
  fs.chmodSync(path.join(fakeBin, 'aws'), 0o755);
  const r = spawnSync('/bin/sh', ['-c', scriptText(script)], {
    env: { ...env, PATH: pathOverride ?? `${fakeBin}:${process.env.PATH}`, FAKE_AWS_STATE: stateFile },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, after: JSON.parse(fs.readFileSync(stateFile, 'utf8')) };
}

describe('components/targets/ecs-deploy.sh against a stand-in ECS', () => {
  const env = (timeout = 60) =>
    ecsDeployEnvironment({ cluster: 'tooljet', service: 'tooljet', taskDefinitionArn: NEW_TD, timeoutSeconds: timeout, pollSeconds: 0, cli: { region: 'eu-west-1', profile: 'tooljet-admin' } });
  const world = (onUpdate: object[], overrides: Record<string, unknown> = {}) => ({
    service: { name: 'tooljet', cluster: 'tooljet', status: 'ACTIVE', taskDefinition: OLD_TD },
    deployments: [{ taskDefinition: OLD_TD, status: 'PRIMARY', rolloutState: 'COMPLETED', runningCount: 2, desiredCount: 2, rolloutStateReason: 'done' }],
    taskDefinitions: [OLD_TD, NEW_TD],
    onUpdate,
    progress: [],
    calls: [],
    ...overrides,
  });
  const run = (state: object, e = env()) => runScript(ECS_DEPLOY_SCRIPT, 'aws-ecs', state, e);

  it('deploys the new revision to the service and waits until ECS reports it COMPLETED', () => {
    const r = run(world([{}, { runningCount: 1 }, { rolloutState: 'COMPLETED', runningCount: 2, rolloutStateReason: 'ECS deployment completed.' }]));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `service=tooljet cluster=tooljet taskDefinition=${NEW_TD} rolloutState=COMPLETED running=2\n`);
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
    state.deployments = [{ taskDefinition: NEW_TD, status: 'PRIMARY', rolloutState: 'COMPLETED', runningCount: 2, desiredCount: 2, rolloutStateReason: 'done' }];
    const r = run(state);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(!r.after.calls.some((c: { args: string[] }) => c.args[1] === 'update-service'));
  });

  it('fails `pulumi up` with ECS\'s reason when the deployment FAILED (circuit breaker)', () => {
    const r = run(world([{}, { rolloutState: 'FAILED', rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.' }]));
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`the deployment of ${NEW_TD.replace(/[.:/]/g, '\\$&')} to service tooljet in cluster tooljet FAILED: ECS deployment circuit breaker: tasks failed to start\\.`));
  });

  it('fails with the rollout state when the deployment does not finish within deployTimeout', () => {
    const r = run(world([]), env(3));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /timed out after 3s waiting for the deployment .*: rollout IN_PROGRESS, 0 of 2 tasks running\..*raise targets\.ecs\.deployTimeout/);
  });

  it('says which setting to check when the service does not exist', () => {
    const r = run(world([], { service: { name: 'other', cluster: 'tooljet', status: 'ACTIVE', taskDefinition: OLD_TD } }));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /service tooljet in cluster tooljet is not an active service \(status: None\); check targets\.ecs\.cluster and targets\.ecs\.service/);
  });

  it('passes shellcheck as POSIX sh', () => {
    const r = spawnSync('shellcheck', ['-s', 'sh', ECS_DEPLOY_SCRIPT], { encoding: 'utf8' });
    assert.equal(r.error, undefined, 'shellcheck must be installed');
    assert.equal(r.status, 0, r.stdout);
  });
});

describe('components/targets/launch-template-version.sh against a stand-in EC2', () => {
  const USER_DATA = '#!/bin/bash\necho ToolJet user-data\n';
  const env = (overrides: Partial<Parameters<typeof launchTemplateVersionEnvironment>[0]> = {}) =>
    launchTemplateVersionEnvironment({
      launchTemplateId: 'lt-0123456789abcdef0',
      sourceVersion: '$Default',
      setDefaultVersion: true,
      userDataBase64: Buffer.from(USER_DATA).toString('base64'),
      description: 'tooljet-pg-upgrade staging: ToolJet on clone.example, RDS CA 0123456789ab',
      cli: { region: 'eu-west-1' },
      ...overrides,
    });
  const world = () => ({
    template: {
      id: 'lt-0123456789abcdef0',
      defaultVersion: 2,
      versions: [
        { ImageId: 'ami-old', InstanceType: 't3.large', UserData: 'b2xk' },
        { ImageId: 'ami-0tooljet', InstanceType: 'm6i.large', UserData: 'b2xkZXI=', IamInstanceProfile: { Name: 'tooljet-ec2' } },
        { ImageId: 'ami-latest-unreleased', InstanceType: 'm6i.large', UserData: 'bGF0ZXN0' },
      ],
    },
    calls: [],
  });
  const run = (e = env()) => runScript(LAUNCH_TEMPLATE_VERSION_SCRIPT, 'aws-ec2', world(), e);

  it('adds a version copied from $Default with only the user-data replaced, makes it the default and prints its number', () => {
    const r = run();
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'launchTemplateId=lt-0123456789abcdef0 launchTemplateVersion=4 default=true\n');
    assert.equal(parseLaunchTemplateVersion(r.stdout), 4);
    const v = r.after.template.versions[3];
    assert.equal(Buffer.from(v.UserData, 'base64').toString('utf8'), USER_DATA);
    assert.equal(v.ImageId, 'ami-0tooljet', 'everything else comes from the default version');
    assert.deepEqual(v.IamInstanceProfile, { Name: 'tooljet-ec2' });
    assert.match(v.description, /^tooljet-pg-upgrade staging: /);
    assert.equal(r.after.template.defaultVersion, 4);
  });

  it('leaves the default version alone when setDefaultVersion is false', () => {
    const r = run(env({ setDefaultVersion: false, sourceVersion: '1' }));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /launchTemplateVersion=4 default=false/);
    assert.equal(r.after.template.defaultVersion, 2);
    assert.equal(r.after.template.versions[3].ImageId, 'ami-old');
  });

  it('fails with the AWS error and the setting to check when the template does not exist', () => {
    const r = run(env({ launchTemplateId: 'lt-0000000000000000f' }));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /InvalidLaunchTemplateId\.NotFound/);
    assert.match(r.stderr, /check targets\.ami\.launchTemplateId/);
  });

  it('refuses user-data that is not base64 (it goes into a JSON document)', () => {
    const r = run({ ...env(), TJ_USER_DATA_B64: 'not"base64' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /TJ_USER_DATA_B64 is not base64/);
  });

  it('says how to fix a missing AWS CLI', () => {
    const empty = fs.mkdtempSync(path.join(dir, 'empty-'));
    const r = runScript(LAUNCH_TEMPLATE_VERSION_SCRIPT, 'aws-ec2', world(), env(), empty);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /the AWS CLI \(aws\) is not on PATH; install AWS CLI v2/);
  });

  it('passes shellcheck as POSIX sh', () => {
    const r = spawnSync('shellcheck', ['-s', 'sh', LAUNCH_TEMPLATE_VERSION_SCRIPT], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout);
  });
});
