// The ToolJet targets in the real program (index.ts) with Pulumi.staging.yaml (all four kinds) under Pulumi mocks:
// what each target creates, that the rendered configuration carries verify-full and the CA bundle at the mounted path,
// that secret values appear only in secret stores (marked secret), that the bundle is caBundle byte for byte (or its
// SHA-256 where it travels via S3), that flipping activeDatabase re-points every target and nothing else, and that
// every resource passes the guard-rail policy pack. The inputs checked are what the mocks recorded.
import { strict as assert } from 'assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as pulumi from '@pulumi/pulumi';
import { DOCKER_WRITE_COMMAND, dockerWriteInput } from '../../targets/docker/write';
import { ECS_DEPLOY_SCRIPT } from '../../targets/ecs/deploy';
import { scriptText } from '../../targets/shared/component';
import { planDockerTarget } from '../../targets/docker/render';
import { parseEnv } from '../../targets/shared/dotenv';
import { CONTAINER_CA_PATH } from '../../targets/shared/render';
import { policies } from '../../policy/policies';
import {
  ecsLookupFixture,
  fakeAws,
  fakeEcs,
  FAKE_LAUNCH_TEMPLATE_VERSION,
  FAKE_TASK_DEFINITION_REVISION,
  plain,
  RecordedResource,
} from '../helpers/mocks';
import {
  programError,
  ProgramRun,
  runProgram,
  stackValue,
  TEST_PASSWORD,
  testCaBundle,
  writeTempFile,
} from '../helpers/program';
import { runPolicy } from '../policy/harness';

const T = {
  command: 'command:local:Command',
  secret: 'aws:secretsmanager/secret:Secret',
  secretVersion: 'aws:secretsmanager/secretVersion:SecretVersion',
  object: 'aws:s3/bucketObjectv2:BucketObjectv2',
  taskDefinition: 'aws:ecs/taskDefinition:TaskDefinition',
  rolePolicy: 'aws:iam/rolePolicy:RolePolicy',
  secretPatch: 'kubernetes:core/v1:SecretPatch',
  configMap: 'kubernetes:core/v1:ConfigMap',
  deploymentPatch: 'kubernetes:apps/v1:DeploymentPatch',
  k8sProvider: 'pulumi:providers:kubernetes',
};

/** App secrets as Pulumi secrets (distinctive values to search for). */
const APP_SECRETS = {
  lockboxMasterKey: crypto.randomBytes(32).toString('hex'),
  secretKeyBase: crypto.randomBytes(64).toString('hex'),
  pgrstJwtSecret: `jwt-${crypto.randomBytes(20).toString('hex')}`,
};
const SECRET_VALUES: Record<string, string> = { dbPassword: TEST_PASSWORD, ...APP_SECRETS };

const sha256 = (s: string) => crypto.createHash('sha256').update(s, 'utf8').digest('hex');
const b64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');

function childrenOf(run: ProgramRun, componentType: string): RecordedResource[] {
  return run.resources.filter((r) => r.options.parent?.includes(`::${componentType}::`));
}
function named(run: ProgramRun, type: string, name: string): RecordedResource {
  const r = run.resources.find((x) => x.type === type && x.name === name);
  assert.ok(r, `no ${type} named ${name}: ${run.resources.map((x) => `${x.type}::${x.name}`).join(', ')}`);
  return r;
}
function containers(td: RecordedResource): Array<Record<string, any>> {
  return JSON.parse(String(td.inputs.containerDefinitions));
}
const envOf = (c: Record<string, any>) =>
  Object.fromEntries((c.environment ?? []).map((e: { name: string; value: string }) => [e.name, e.value]));

/** Every string a secret value could hide in: raw, URI-encoded, base64 (also of the whole text), JSON-escaped. */
function assertNoSecretIn(label: string, value: unknown): void {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const decoded = [...text.matchAll(/[A-Za-z0-9+/]{40,}={0,2}/g)].map((m) => b64(m[0])).join('\n');
  for (const [k, v] of Object.entries(SECRET_VALUES)) {
    for (const form of [v, encodeURIComponent(v), Buffer.from(v).toString('base64')]) {
      assert.ok(!text.includes(form) && !decoded.includes(v), `${label} contains the value of ${k}`);
    }
  }
}

/** The inputs that are allowed to carry secret values: they must be marked secret. */
const SECRET_CARRIERS: Array<{ type: string; name: RegExp; input: string }> = [
  { type: T.secretVersion, name: /-value$/, input: 'secretString' },
  { type: T.secretPatch, name: /^eks-server-secret$/, input: 'data' },
  { type: T.command, name: /^docker-write-files$/, input: 'environment' },
  { type: T.command, name: /^post-deploy-validate$/, input: 'environment' },
];

describe('program (Pulumi.staging.yaml): the four ToolJet targets', () => {
  let run: ProgramRun;
  let pem: string;
  let cloneHost: string;
  before(async () => {
    run = await runProgram({ stack: 'staging', secrets: APP_SECRETS });
    pem = fs.readFileSync(testCaBundle(), 'utf8');
    cloneHost = String(run.one('aws:rds/instance:Instance').state.address);
  });

  it('creates one component per target kind, each with exactly its resources', () => {
    const list = (component: string) =>
      childrenOf(run, component)
        .map((r) => `${r.type}::${r.name}`)
        .sort();
    assert.deepEqual(list('tooljet-pg-upgrade:targets:DockerTarget'), [`${T.command}::docker-write-files`]);
    assert.deepEqual(
      list('tooljet-pg-upgrade:targets:EcsTarget'),
      [
        `${T.command}::ecs-deploy`,
        `${T.taskDefinition}::ecs-task`,
        `${T.rolePolicy}::ecs-execution-secrets`,
        `${T.rolePolicy}::ecs-task-rds-ca-bundle`,
        `${T.object}::ecs-rds-ca-bundle`,
        `${T.secret}::ecs-pg-password`,
        `${T.secretVersion}::ecs-pg-password-value`,
      ].sort(),
    );
    assert.deepEqual(
      list('tooljet-pg-upgrade:targets:EksTarget'),
      [
        `${T.deploymentPatch}::eks-patch-tooljet`,
        `${T.deploymentPatch}::eks-patch-tooljet-postgrest`,
        `${T.configMap}::eks-rds-ca-bundle`,
        `${T.secretPatch}::eks-server-secret`,
      ].sort(),
    );
    assert.deepEqual(
      list('tooljet-pg-upgrade:targets:AmiTarget'),
      [
        `${T.command}::ami-launch-template-version`,
        `${T.rolePolicy}::ami-instance-role`,
        `${T.object}::ami-rds-ca-bundle`,
        `${T.secret}::ami-pg-password`,
        `${T.secretVersion}::ami-pg-password-value`,
      ].sort(),
    );
    assert.deepEqual(list('tooljet-pg-upgrade:validation:PostDeployValidation'), [
      `${T.command}::post-deploy-validate`,
    ]);
  });

  describe('ECS', () => {
    let td: RecordedResource;
    let tooljet: Record<string, any>;
    let init: Record<string, any>;
    let postgrest: Record<string, any>;
    const current = ecsLookupFixture();
    const currentTooljet = (JSON.parse(current.containerDefinitions) as Array<Record<string, any>>)[0];
    before(() => {
      td = named(run, T.taskDefinition, 'ecs-task');
      const byName = Object.fromEntries(containers(td).map((c) => [c.name, c]));
      ({ tooljet, postgrest } = byName);
      init = byName['rds-ca-bundle'];
    });

    it("looks up the service's current task definition read-only: getCluster -> getService -> getTaskDefinition", () => {
      const ecsInvokes = run.invokes.filter((i) => i.token.startsWith('aws:ecs/'));
      assert.deepEqual(
        ecsInvokes.map((i) => i.token),
        [
          'aws:ecs/getCluster:getCluster',
          'aws:ecs/getService:getService',
          'aws:ecs/getTaskDefinition:getTaskDefinition',
        ],
      );
      assert.deepEqual(ecsInvokes[1].inputs, {
        clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/tooljet',
        serviceName: 'tooljet',
      });
      assert.equal(ecsInvokes[2].inputs.taskDefinition, current.arn);
    });

    it('registers a revision of the current definition: its family, size, runtime, storage and volumes; our roles; kept on destroy', () => {
      const ecs = stackValue('staging', 'targets').ecs as Record<string, string>;
      assert.equal(td.inputs.family, 'tooljet', "the family of the service's definition");
      assert.equal(td.inputs.cpu, '2048', 'not a default: the current size');
      assert.equal(td.inputs.memory, '4096');
      assert.deepEqual(td.inputs.requiresCompatibilities, ['FARGATE']);
      assert.equal(td.inputs.networkMode, 'awsvpc');
      assert.deepEqual(td.inputs.runtimePlatform, { cpuArchitecture: 'X86_64', operatingSystemFamily: 'LINUX' });
      assert.deepEqual(td.inputs.ephemeralStorage, { sizeInGib: 30 });
      assert.equal(td.inputs.executionRoleArn, ecs.executionRoleArn);
      assert.equal(td.inputs.taskRoleArn, ecs.taskRoleArn);
      assert.deepEqual(
        (td.inputs.volumes as Array<{ name: string }>).map((v) => v.name),
        ['uploads', 'rds-ca'],
      );
      assert.equal(td.inputs.skipDestroy, true);
      assert.deepEqual(
        containers(td).map((c) => c.name),
        ['tooljet', 'rds-ca-bundle', 'postgrest'],
      );
    });

    it('keeps what the current ToolJet container has: image, health check, stopTimeout, ulimits, logging, other env and secrets', () => {
      for (const k of ['image', 'command', 'portMappings', 'healthCheck', 'stopTimeout', 'ulimits', 'logConfiguration'])
        assert.deepEqual(tooljet[k], currentTooljet[k], k);
      assert.equal(envOf(tooljet).SMTP_DOMAIN, 'smtp.example.com');
      assert.ok((tooljet.secrets as Array<{ name: string }>).some((x) => x.name === 'SMTP_PASSWORD'));
      assert.equal(envOf(tooljet).PGRST_DB_URI, undefined, 'the stale in-container PostgREST URI is dropped');
    });

    it('points ToolJet at the clone with PGSSLMODE=verify-full and NODE_EXTRA_CA_CERTS at the read-only mount', () => {
      const env = envOf(tooljet);
      assert.equal(env.PG_HOST, cloneHost);
      assert.equal(env.PGSSLMODE, 'verify-full');
      assert.equal(env.NODE_EXTRA_CA_CERTS, CONTAINER_CA_PATH);
      assert.equal(env.PGSSLROOTCERT, CONTAINER_CA_PATH);
      assert.equal(
        env.REDIS_HOST,
        'tooljet-redis.abc123.0001.use1.cache.amazonaws.com',
        'extraEnvironment replaces the current value',
      );
      assert.deepEqual(tooljet.mountPoints, [
        ...currentTooljet.mountPoints,
        { sourceVolume: 'rds-ca', containerPath: '/certs', readOnly: true },
      ]);
      assert.match(
        envOf(postgrest).PGRST_DB_URI,
        new RegExp(
          `@${cloneHost.replace(/\./g, '\\.')}:5432/tooljet_db\\?sslmode=verify-full&sslrootcert=/certs/global-bundle\\.pem$`,
        ),
      );
    });

    it('ships the bundle via S3: the object holds caBundle, the init container pins its SHA-256 and version', () => {
      const object = named(run, T.object, 'ecs-rds-ca-bundle');
      assert.equal(object.inputs.content, pem);
      assert.equal(object.inputs.bucket, 'tooljet-staging-config');
      const env = envOf(init);
      assert.equal(env.TJ_CA_SHA256, sha256(pem));
      assert.equal(env.TJ_CA_BUCKET, 'tooljet-staging-config');
      assert.equal(env.TJ_CA_OBJECT, 'tooljet-pg-upgrade/rds-ca/global-bundle.pem');
      assert.equal(env.TJ_CA_VERSION_ID, object.state.versionId);
      assert.equal(env.TJ_CA_FILE, CONTAINER_CA_PATH);
    });

    it('references every secret by ARN: the created PG_PASS secret and the configured ones; the execution role reads exactly those', () => {
      const created = named(run, T.secret, 'ecs-pg-password');
      assert.equal(created.inputs.name, 'tooljet-pg-upgrade/staging/ecs/pg-password');
      assert.equal(
        created.inputs.recoveryWindowInDays,
        0,
        'staging secrets are deleted at once (the name can be reused)',
      );
      const ecs = stackValue('staging', 'targets').ecs as { secrets: Record<string, string> };
      const valueFrom = Object.fromEntries(
        (tooljet.secrets as Array<{ name: string; valueFrom: string }>).map((s) => [s.name, s.valueFrom]),
      );
      assert.deepEqual(valueFrom, {
        SMTP_PASSWORD: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:tooljet/smtp-AbCdEf',
        PG_PASS: created.state.arn,
        TOOLJET_DB_PASS: created.state.arn,
        LOCKBOX_MASTER_KEY: ecs.secrets.lockboxMasterKey,
        SECRET_KEY_BASE: ecs.secrets.secretKeyBase,
        PGRST_JWT_SECRET: ecs.secrets.pgrstJwtSecret,
      });
      const policy = JSON.parse(String(named(run, T.rolePolicy, 'ecs-execution-secrets').inputs.policy));
      assert.deepEqual(policy.Statement, [
        {
          Sid: 'ReadToolJetSecrets',
          Effect: 'Allow',
          Action: ['secretsmanager:GetSecretValue'],
          // The kept SMTP_PASSWORD is referenced too: the execution role must still read it.
          Resource: [
            created.state.arn,
            ...Object.values(ecs.secrets),
            'arn:aws:secretsmanager:us-east-1:123456789012:secret:tooljet/smtp-AbCdEf',
          ].sort(),
        },
      ]);
      assert.equal(named(run, T.rolePolicy, 'ecs-execution-secrets').inputs.role, 'tooljet-ecs-execution');
      const taskPolicy = JSON.parse(String(named(run, T.rolePolicy, 'ecs-task-rds-ca-bundle').inputs.policy));
      assert.deepEqual(taskPolicy.Statement[0].Resource, [
        'arn:aws:s3:::tooljet-staging-config/tooljet-pg-upgrade/rds-ca/global-bundle.pem',
      ]);
    });

    it('deploys the revision to the existing service after the secrets, policies and bundle exist', () => {
      const deploy = named(run, T.command, 'ecs-deploy');
      assert.equal(deploy.inputs.create, scriptText(ECS_DEPLOY_SCRIPT));
      const env = deploy.inputs.environment as Record<string, string>;
      assert.equal(env.TJ_ECS_CLUSTER, 'tooljet');
      assert.equal(env.TJ_ECS_SERVICE, 'tooljet');
      assert.equal(env.TJ_TASK_DEFINITION, td.state.arn);
      assert.equal(env.TJ_TIMEOUT_SECONDS, '1800');
      assert.deepEqual(deploy.inputs.triggers, [td.state.arn]);
      // It first waits for IAM to return both inline policies as written (eventual consistency; deploy.test.ts).
      const policyLine = (name: string) => {
        const p = named(run, T.rolePolicy, name);
        const doc = JSON.parse(String(p.inputs.policy)) as { Statement: Array<{ Resource: string[] }> };
        return [p.inputs.role, p.inputs.name, ...new Set(doc.Statement.flatMap((st) => st.Resource))].join(' ');
      };
      assert.equal(
        env.TJ_ROLE_POLICIES,
        `${policyLine('ecs-execution-secrets')}\n${policyLine('ecs-task-rds-ca-bundle')}`,
      );
      assert.match(
        env.TJ_ROLE_POLICIES,
        /^tooljet-ecs-execution tooljet-pg-upgrade-staging-ecs-secrets arn:aws:secretsmanager:/,
      );
      for (const dep of [
        td,
        named(run, T.rolePolicy, 'ecs-execution-secrets'),
        named(run, T.rolePolicy, 'ecs-task-rds-ca-bundle'),
        named(run, T.object, 'ecs-rds-ca-bundle'),
        named(run, T.secretVersion, 'ecs-pg-password-value'),
      ]) {
        assert.ok(deploy.options.dependencies.includes(dep.urn), `deploy waits for ${dep.name}`);
      }
      assert.ok(
        td.options.dependencies.includes(named(run, T.secretVersion, 'ecs-pg-password-value').urn),
        'no revision before its secret has a value',
      );
    });
  });

  describe('EKS', () => {
    it('creates the rds-ssl-cert ConfigMap holding caBundle exactly', () => {
      const cm = named(run, T.configMap, 'eks-rds-ca-bundle');
      assert.deepEqual(cm.inputs.metadata, { name: 'rds-ssl-cert', namespace: 'tooljet' });
      assert.deepEqual(cm.inputs.data, { 'global-bundle.pem': pem });
    });

    it("patches the chart's tooljet-server Secret (server-side apply, forced) with the database and TLS keys, as a secret", () => {
      const patch = named(run, T.secretPatch, 'eks-server-secret');
      assert.deepEqual(patch.inputs.metadata, {
        name: 'tooljet-server',
        namespace: 'tooljet',
        annotations: { 'pulumi.com/patchForce': 'true' },
      });
      const data = Object.fromEntries(
        Object.entries(plain<Record<string, string>>(patch.inputs.data)).map(([k, v]) => [k, b64(v)]),
      );
      assert.equal(data.PG_HOST, cloneHost);
      assert.equal(data.PGSSLMODE, 'verify-full');
      assert.equal(data.NODE_EXTRA_CA_CERTS, CONTAINER_CA_PATH);
      assert.equal(data.PG_PASS, TEST_PASSWORD);
      assert.equal(data.LOCKBOX_MASTER_KEY, APP_SECRETS.lockboxMasterKey);
      assert.ok(patch.options.secretInputs.includes('data'));
    });

    it('patches Deployment tooljet: plain database/TLS env, the read-only /certs mount, after the ConfigMap and Secret', () => {
      const p = named(run, T.deploymentPatch, 'eks-patch-tooljet');
      assert.deepEqual(p.inputs.metadata, {
        name: 'tooljet',
        namespace: 'tooljet',
        annotations: { 'pulumi.com/patchForce': 'true' },
      });
      const spec = p.inputs.spec as any;
      const c = spec.template.spec.containers[0];
      const env = Object.fromEntries(c.env.map((e: { name: string; value: string }) => [e.name, e.value]));
      assert.equal(env.PG_HOST, cloneHost);
      assert.equal(env.PGSSLMODE, 'verify-full');
      assert.equal(env.NODE_EXTRA_CA_CERTS, CONTAINER_CA_PATH);
      assert.deepEqual(c.volumeMounts, [{ name: 'rds-ssl-cert', mountPath: '/certs', readOnly: true }]);
      assert.equal(spec.template.spec.volumes[0].configMap.name, 'rds-ssl-cert');
      assert.equal(spec.template.metadata.annotations['tj-pg-upgrade/rds-ca-sha256'], sha256(pem));
      for (const dep of [named(run, T.configMap, 'eks-rds-ca-bundle'), named(run, T.secretPatch, 'eks-server-secret')])
        assert.ok(p.options.dependencies.includes(dep.urn));
      assert.equal(p.options.provider, '', 'no kubeconfig/context configured: the default provider');
    });

    it('patches PostgREST with a password-free verify-full URI and PGPASSWORD from the Secret', () => {
      const c = (named(run, T.deploymentPatch, 'eks-patch-tooljet-postgrest').inputs.spec as any).template.spec
        .containers[0];
      assert.equal(c.name, 'postgrest');
      assert.match(
        c.env[0].value,
        /^postgres:\/\/tooljet@[^:]+:5432\/tooljet_db\?sslmode=verify-full&sslrootcert=\/certs\/global-bundle\.pem$/,
      );
      assert.deepEqual(c.env[1], {
        name: 'PGPASSWORD',
        valueFrom: { secretKeyRef: { name: 'tooljet-server', key: 'TOOLJET_DB_PASS' } },
      });
    });
  });

  describe('AMI', () => {
    let env: Record<string, string>;
    let userData: string;
    before(() => {
      env = named(run, T.command, 'ami-launch-template-version').inputs.environment as Record<string, string>;
      userData = b64(env.TJ_USER_DATA_B64);
    });

    it('adds a launch template version with the rendered user-data (base64) to the configured template', () => {
      assert.equal(env.TJ_LAUNCH_TEMPLATE_ID, 'lt-0123456789abcdef0');
      assert.equal(env.TJ_SOURCE_VERSION, '$Default');
      assert.equal(env.TJ_SET_DEFAULT_VERSION, 'true');
      assert.match(userData, /^#!\/bin\/bash\n/);
      assert.ok(Buffer.byteLength(userData) <= 16 * 1024);
    });

    it('user-data points ToolJet at the clone with verify-full and the bundle at /home/ubuntu/certs (NODE_EXTRA_CA_CERTS)', () => {
      assert.match(userData, new RegExp(`^TJ_PG_HOST='${cloneHost.replace(/\./g, '\\.')}'$`, 'm'));
      assert.match(userData, /^TJ_PGSSLMODE='verify-full'$/m);
      assert.match(userData, /^TJ_CA_FILE='\/home\/ubuntu\/certs\/global-bundle\.pem'$/m);
      assert.match(userData, /^set_line NODE_EXTRA_CA_CERTS "\$TJ_CA_FILE"$/m);
    });

    it("user-data downloads the uploaded bundle and checks caBundle's SHA-256; the password is a reference", () => {
      const object = named(run, T.object, 'ami-rds-ca-bundle');
      assert.equal(object.inputs.content, pem);
      assert.match(userData, new RegExp(`^TJ_CA_SHA256='${sha256(pem)}'$`, 'm'));
      assert.match(userData, /^TJ_CA_S3_BUCKET='tooljet-staging-config'$/m);
      assert.match(userData, new RegExp(`^TJ_CA_S3_VERSION_ID='${String(object.state.versionId)}'$`, 'm'));
      const created = named(run, T.secret, 'ami-pg-password');
      assert.match(userData, /^TJ_PG_PASS_SOURCE='secretsmanager'$/m);
      assert.ok(userData.includes(`TJ_PG_PASS_ID='${String(created.state.arn)}'`));
    });

    it('lets the instance role read exactly the bundle object and the password secret', () => {
      const p = named(run, T.rolePolicy, 'ami-instance-role');
      assert.equal(p.inputs.role, 'tooljet-ec2');
      const doc = JSON.parse(String(p.inputs.policy));
      assert.deepEqual(
        doc.Statement.map((s: { Resource: string[] }) => s.Resource),
        [
          ['arn:aws:s3:::tooljet-staging-config/tooljet-pg-upgrade/rds-ca/ami-global-bundle.pem'],
          [String(named(run, T.secret, 'ami-pg-password').state.arn)],
        ],
      );
      const cmd = named(run, T.command, 'ami-launch-template-version');
      for (const dep of [
        p,
        named(run, T.object, 'ami-rds-ca-bundle'),
        named(run, T.secretVersion, 'ami-pg-password-value'),
      ])
        assert.ok(cmd.options.dependencies.includes(dep.urn));
    });
  });

  describe('Docker', () => {
    let cmd: RecordedResource;
    before(() => (cmd = named(run, T.command, 'docker-write-files')));

    it('runs the writer in the project directory with the bundle on stdin and the settings in a secret environment', () => {
      assert.equal(cmd.inputs.create, DOCKER_WRITE_COMMAND);
      assert.equal(cmd.inputs.dir, undefined, 'no machine-specific path in the state');
      assert.equal(cmd.inputs.stdin, pem);
      assert.ok(cmd.options.secretInputs.includes('environment'));
      assert.equal(cmd.inputs.logging, 'stdoutAndStderr');
    });

    it('what it would write: a .env with verify-full and NODE_EXTRA_CA_CERTS at the mounted path, pointing at the clone', () => {
      const { directory, input } = dockerWriteInput(
        plain<Record<string, string>>(cmd.inputs.environment),
        String(cmd.inputs.stdin),
      );
      assert.equal(directory, '/opt/tooljet');
      const plan = planDockerTarget(directory, input, undefined);
      const env = parseEnv(plan.files.env.text);
      assert.equal(env.get('PG_HOST'), cloneHost);
      assert.equal(env.get('PGSSLMODE'), 'verify-full');
      assert.equal(env.get('NODE_EXTRA_CA_CERTS'), CONTAINER_CA_PATH);
      assert.equal(env.get('LOCKBOX_MASTER_KEY'), APP_SECRETS.lockboxMasterKey);
      assert.equal(plan.files.bundle.text, pem);
      assert.equal(plan.files.env.mode, 0o600);
    });
  });

  it('puts secret values only into secret stores, each marked secret; nowhere else (environment, user-data, ConfigMaps, policies)', () => {
    for (const r of run.resources) {
      const carriers = SECRET_CARRIERS.filter((c) => c.type === r.type && c.name.test(r.name));
      for (const c of carriers)
        assert.ok(r.options.secretInputs.includes(c.input), `${r.type} ${r.name}.${c.input} must be a Pulumi secret`);
      const rest = Object.fromEntries(Object.entries(r.inputs).filter(([k]) => !carriers.some((c) => c.input === k)));
      assertNoSecretIn(`${r.type} ${r.name}`, rest);
    }
    // ...and the check sees them where they belong:
    assert.equal(plain(named(run, T.secretVersion, 'ecs-pg-password-value').inputs.secretString), TEST_PASSWORD);
  });

  it('exports useful, secret-free outputs for the targets', () => {
    const v = (k: string) => run.outputs[k]?.value;
    assert.equal(v('dockerEnvFile'), '/opt/tooljet/.env');
    assert.equal(v('dockerComposeOverrideFile'), '/opt/tooljet/docker-compose.override.yml');
    assert.equal(v('dockerCaBundleFile'), '/opt/tooljet/certs/global-bundle.pem');
    assert.equal(v('ecsTaskDefinitionArn'), named(run, T.taskDefinition, 'ecs-task').state.arn);
    assert.equal(v('ecsTaskDefinitionRevision'), FAKE_TASK_DEFINITION_REVISION);
    assert.equal(v('ecsService'), 'tooljet/tooljet');
    assert.equal(v('ecsCaBundleObject'), 's3://tooljet-staging-config/tooljet-pg-upgrade/rds-ca/global-bundle.pem');
    assert.equal(v('ecsDeployCommand'), undefined, 'updateService is on: pulumi up deploys');
    assert.equal(v('eksNamespace'), 'tooljet');
    assert.deepEqual(v('eksPatchedDeployments'), ['tooljet', 'tooljet-postgrest']);
    assert.equal(v('amiLaunchTemplateId'), 'lt-0123456789abcdef0');
    assert.equal(v('amiLaunchTemplateVersion'), FAKE_LAUNCH_TEMPLATE_VERSION);
    assert.equal(v('postDeployValidation'), 'enabled');
    for (const [k, o] of Object.entries(run.outputs)) {
      assert.equal(o.secret, false, `${k} is secret`);
      assertNoSecretIn(`output ${k}`, o.value);
    }
  });

  it('every resource passes the guard-rail policy pack (policy/policies.ts) as the engine would run it', async () => {
    for (const r of run.resources.filter((x) => x.custom)) {
      for (const policy of policies) {
        const result = await runPolicy(policy, { type: r.type, name: r.name, props: r.inputs, stack: 'staging' });
        assert.deepEqual(result.violations, [], `${policy.name} on ${r.type} ${r.name}`);
      }
    }
  });
});

describe('program (Pulumi.staging.yaml) under `pulumi preview`: every target is there', () => {
  it('registers all four target components and the validation, makes only the read-only lookups, runs nothing', async () => {
    const run = await runProgram({ stack: 'staging', preview: true });
    const components = run.resources.filter((r) => !r.custom).map((r) => r.type);
    for (const t of ['DockerTarget', 'EcsTarget', 'EksTarget', 'AmiTarget'])
      assert.ok(components.includes(`tooljet-pg-upgrade:targets:${t}`), t);
    assert.ok(components.includes('tooljet-pg-upgrade:validation:PostDeployValidation'));
    assert.deepEqual(run.invokes.map((i) => i.token).sort(), [
      'aws:ecs/getCluster:getCluster',
      'aws:ecs/getService:getService',
      'aws:ecs/getTaskDefinition:getTaskDefinition',
      'aws:rds/getInstance:getInstance',
    ]);
    assert.equal(run.outputs.dockerEnvFile.value, '/opt/tooljet/.env');
  });
});

describe('program: activeDatabase clone -> source re-points every target and nothing else', () => {
  let onClone: ProgramRun;
  let onSource: ProgramRun;
  let cloneHost: string;
  let sourceHost: string;
  before(async () => {
    onClone = await runProgram({ stack: 'staging', secrets: APP_SECRETS, set: { activeDatabase: 'clone' } });
    onSource = await runProgram({ stack: 'staging', secrets: APP_SECRETS, set: { activeDatabase: 'source' } });
    cloneHost = String(onClone.one('aws:rds/instance:Instance').state.address);
    sourceHost = String(onSource.outputs.sourceEndpoint.value).split(':')[0];
  });

  /** Inputs as text with base64 payloads (Secret data, user-data) decoded, so a host inside them is visible. */
  function text(r: RecordedResource): string {
    const inputs = plain<Record<string, any>>(r.inputs);
    if (r.type === T.secretPatch)
      inputs.data = Object.fromEntries(Object.entries(inputs.data).map(([k, v]) => [k, b64(String(v))]));
    if (inputs.environment?.TJ_USER_DATA_B64)
      inputs.environment.TJ_USER_DATA_B64 = b64(inputs.environment.TJ_USER_DATA_B64);
    return JSON.stringify(inputs);
  }
  const key = (r: RecordedResource) => `${r.type}::${r.name}`;
  /** The alarms and dashboard follow the active database on purpose: tests/programs/rollback.test.ts. */
  const alarms = (r: RecordedResource) =>
    r.type.startsWith('tooljet-pg-upgrade:monitoring:DatabaseMonitoring') ||
    r.options.parent.includes('::tooljet-pg-upgrade:monitoring:DatabaseMonitoring::');

  it('the same resources exist either way (the alarms aside)', () => {
    assert.deepEqual(
      onSource.resources
        .filter((r) => !alarms(r))
        .map(key)
        .sort(),
      onClone.resources
        .filter((r) => !alarms(r))
        .map(key)
        .sort(),
    );
  });

  it('each target resource that names the database names the source instead of the clone, and differs in nothing else', () => {
    const moved: string[] = [];
    for (const a of onClone.resources.filter(
      (r) => r.custom && r.options.parent.includes('::tooljet-pg-upgrade:targets:'),
    )) {
      const b = onSource.resources.find((r) => key(r) === key(a))!;
      const ta = text(a);
      const tb = text(b);
      assert.ok(!tb.includes(cloneHost), `${key(a)} still names the clone`);
      assert.equal(ta.split(cloneHost).join(sourceHost), tb, `${key(a)}: only the host may change`);
      if (ta !== tb) moved.push(key(a));
    }
    assert.deepEqual(
      moved.sort(),
      [
        `${T.command}::ami-launch-template-version`,
        `${T.command}::docker-write-files`,
        `${T.deploymentPatch}::eks-patch-tooljet`,
        `${T.deploymentPatch}::eks-patch-tooljet-postgrest`,
        `${T.secretPatch}::eks-server-secret`,
        `${T.taskDefinition}::ecs-task`,
      ].sort(),
    );
  });

  it('leaves the clone, snapshot, parameter group and the validation (always source vs clone) identical', () => {
    for (const a of onClone.resources.filter(
      (r) => r.custom && !alarms(r) && !r.options.parent.includes('::tooljet-pg-upgrade:targets:'),
    )) {
      const b = onSource.resources.find((r) => key(r) === key(a))!;
      assert.deepEqual(b.inputs, a.inputs, key(a));
    }
  });
});

describe('program: target configuration variants', () => {
  it('an EKS kubeconfig/context gets its own provider, used by every Kubernetes resource', async () => {
    const kubeconfig = writeTempFile('kubeconfig', 'apiVersion: v1\nkind: Config\n');
    const targets = { ...stackValue('staging', 'targets'), eks: { kubeconfig, context: 'tooljet-staging' } };
    const run = await runProgram({ stack: 'staging', set: { targets } });
    const provider = named(run, T.k8sProvider, 'eks-cluster');
    assert.equal(provider.inputs.kubeconfig, kubeconfig, 'a path, never the contents');
    assert.equal(provider.inputs.context, 'tooljet-staging');
    for (const r of run.resources.filter((x) => x.type.startsWith('kubernetes:')))
      assert.match(r.options.provider, /pulumi:providers:kubernetes::eks-cluster::/, r.name);
  });

  it('EKS secretMode create owns a whole Secret (stringData, secret) holding the app secrets', async () => {
    const targets = { ...stackValue('staging', 'targets'), eks: { secretMode: 'create' } };
    const run = await runProgram({ stack: 'staging', secrets: APP_SECRETS, set: { targets } });
    const s = named(run, 'kubernetes:core/v1:Secret', 'eks-server-secret');
    assert.ok(s.options.secretInputs.includes('stringData'));
    assert.equal(plain<Record<string, string>>(s.inputs.stringData).SECRET_KEY_BASE, APP_SECRETS.secretKeyBase);
    assert.equal(run.ofType(T.secretPatch).length, 0);
  });

  it('ECS updateService false registers the revision only and exports the command that deploys it', async () => {
    const targets = { ecs: { ...(stackValue('staging', 'targets').ecs as object), updateService: false } };
    const run = await runProgram({ stack: 'staging', set: { targets } });
    assert.equal(run.ofType(T.command).filter((c) => c.name === 'ecs-deploy').length, 0);
    assert.equal(
      run.outputs.ecsDeployCommand.value,
      `aws ecs update-service --cluster tooljet --service tooljet --task-definition ${String(run.one(T.taskDefinition).state.arn)}`,
    );
  });

  it('ECS drops NODE_TLS_REJECT_UNAUTHORIZED/DATABASE_URL found in the current definition; the revision passes the policy pack', async () => {
    const lookup = ecsLookupFixture();
    const defs = JSON.parse(lookup.containerDefinitions) as Array<{
      environment: Array<{ name: string; value: string }>;
    }>;
    defs[0].environment.push(
      { name: 'NODE_TLS_REJECT_UNAUTHORIZED', value: '0' },
      { name: 'DATABASE_URL', value: 'postgres://tooljet@old-db.internal/tooljet' },
    );
    const aws = fakeAws({ ecs: fakeEcs({ ...lookup, containerDefinitions: JSON.stringify(defs) }) });
    const run = await runProgram({
      stack: 'staging',
      aws,
      set: { targets: { ecs: stackValue('staging', 'targets').ecs } },
    });
    const td = run.one(T.taskDefinition);
    const names = containers(td).flatMap((c) => (c.environment ?? []).map((e: { name: string }) => e.name));
    assert.ok(!names.includes('NODE_TLS_REJECT_UNAUTHORIZED') && !names.includes('DATABASE_URL'));
    for (const policy of policies)
      assert.deepEqual(
        (await runPolicy(policy, { type: td.type, name: td.name, props: td.inputs, stack: 'staging' })).violations,
        [],
        policy.name,
      );
  });

  it('ECS with environment files: refused (in one RunError line) until each file is listed as reviewed; then registered as sent, carrying fault injection and the S3 Files volume; the policy pack passes with the same list in its config', async () => {
    const aws = () => fakeAws({ ecs: fakeEcs(ecsLookupFixture('ecs-task-definition-env-files.json')) });
    const ecs = stackValue('staging', 'targets').ecs as Record<string, unknown>;
    // ECS drops an environment entry whose value is "" (terraform-provider-aws#39533, pulumi-aws#4576; modelled by
    // the mock's RegisterTaskDefinition), so such a file cannot be neutralised: known after the lookup, the refusal
    // fails inside an Output, caught here where the Pulumi CLI's handler would.
    const seen: Error[] = [];
    const listener = (e: unknown) => seen.push(e as Error);
    process.on('unhandledRejection', listener);
    try {
      const pending = runProgram({ stack: 'staging', aws: aws(), set: { targets: { ecs } } });
      pending.catch(() => undefined); // never settles: the task definition's inputs cannot be known
      for (let i = 0; i < 200 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
      assert.ok(seen.length > 0, 'the program fails');
      assert.ok(pulumi.RunError.isInstance(seen[0]), String(seen[0]));
      assert.doesNotMatch(seen[0].message, /\n/);
      assert.match(
        seen[0].message,
        /tooljet-pg-upgrade:targets\.ecs: container "tooljet" loads environmentFiles .*targets\.ecs\.reviewedEnvironmentFiles: \[/,
      );
    } finally {
      process.off('unhandledRejection', listener);
    }

    const files = ['tooljet', 'smtp', 'postgrest'].map((f) => `arn:aws:s3:::tooljet-staging-config/env/${f}.env`);
    const run = await runProgram({
      stack: 'staging',
      aws: aws(),
      set: { targets: { ecs: { ...ecs, reviewedEnvironmentFiles: files } } },
    });
    const td = run.one(T.taskDefinition);
    const byName = Object.fromEntries(containers(td).map((c) => [c.name, c]));
    for (const name of ['tooljet', 'postgrest', 'tooljet-worker']) {
      assert.ok(byName[name].environmentFiles.length > 0, `${name} keeps its files`);
      for (const v of ['DATABASE_URL', 'TOOLJET_DB_URL', 'CA_CERT', 'NODE_TLS_REJECT_UNAUTHORIZED'])
        assert.equal(envOf(byName[name])[v], undefined, `${name}: ${v}`);
    }
    assert.equal(td.state.containerDefinitions, td.inputs.containerDefinitions, 'ECS registered what was sent');
    assert.equal(
      envOf(byName['tooljet-worker']).PG_HOST,
      envOf(byName.tooljet).PG_HOST,
      'the worker is re-pointed too',
    );
    assert.equal(envOf(byName['tooljet-worker']).PGSSLMODE, 'verify-full');
    assert.ok(
      run.logs.some((l) => /gives tooljet-worker the database/.test(l)),
      run.logs.join('\n'),
    );
    assert.equal(td.inputs.enableFaultInjection, true);
    assert.deepEqual(
      (td.inputs.volumes as Array<Record<string, unknown>>).map((v) => Object.keys(v).sort()),
      [['configureAtLaunch', 'name', 's3filesVolumeConfiguration'], ['name']],
    );
    assert.equal(
      (named(run, T.command, 'ecs-deploy').inputs.environment as Record<string, string>).TJ_TASK_DEFINITION,
      td.state.arn,
    );
    // The policy pack cannot read the files either: it refuses them unless its own reviewedEnvironmentFiles (policy
    // config, docs/guard-rails-and-ci.md) lists the same ARNs, and then passes.
    for (const policy of policies) {
      const r = { type: td.type, name: td.name, props: td.inputs, stack: 'staging' };
      const { violations } = await runPolicy(policy, r);
      if (policy.name !== 'no-unreadable-tls-config') assert.deepEqual(violations, [], policy.name);
      else {
        assert.match(violations.join('\n'), /environment file \(S3, read at task start\) at containerDefinitions/);
        const reviewed = await runPolicy(policy, { ...r, config: { reviewedEnvironmentFiles: files } });
        assert.deepEqual(reviewed.violations, [], 'the reviewed files, listed in the policy config too');
        const partly = await runPolicy(policy, { ...r, config: { reviewedEnvironmentFiles: files.slice(1) } });
        assert.equal(partly.violations.length, 1, 'a file missing from the list is still refused');
      }
    }
  });

  it('ECS refuses at preview a CODE_DEPLOY service it is to deploy (update-service cannot), in one RunError line', async () => {
    const seen: Error[] = [];
    const listener = (e: unknown) => seen.push(e as Error);
    process.on('unhandledRejection', listener);
    try {
      const ecs = fakeEcs();
      ecs.deploymentControllers = { 'arn:aws:ecs:us-east-1:123456789012:cluster/tooljet/tooljet': 'CODE_DEPLOY' };
      const pending = runProgram({
        stack: 'staging',
        preview: true,
        aws: fakeAws({ ecs }),
        set: { targets: { ecs: stackValue('staging', 'targets').ecs } },
      });
      pending.catch(() => undefined);
      for (let i = 0; i < 200 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
      assert.ok(seen.length > 0, 'the program fails');
      assert.ok(pulumi.RunError.isInstance(seen[0]), String(seen[0]));
      assert.doesNotMatch(seen[0].message, /\n/);
      assert.match(
        seen[0].message,
        /tooljet-pg-upgrade:targets\.ecs: service tooljet in cluster tooljet uses the CODE_DEPLOY deployment controller, .*set targets\.ecs\.updateService false/,
      );
    } finally {
      process.off('unhandledRejection', listener);
    }
  });

  it("ECS refuses configured roles that the service's tasks do not run with, in one RunError line", async () => {
    // Known only after the lookup, so it fails inside an Output: the Pulumi CLI's handler prints a RunError's message
    // alone (cmd/run/run.js), once. Here we catch it where that handler would, and stop waiting after 20 s.
    const seen: Error[] = [];
    const listener = (e: unknown) => seen.push(e as Error);
    process.on('unhandledRejection', listener);
    try {
      const ecs = {
        ...(stackValue('staging', 'targets').ecs as object),
        taskRoleArn: 'arn:aws:iam::123456789012:role/someone-else',
      };
      const pending = runProgram({ stack: 'staging', set: { targets: { ecs } } });
      pending.catch(() => undefined); // never settles: the task definition's inputs cannot be known
      for (let i = 0; i < 200 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
      assert.ok(seen.length > 0, 'the program fails');
      const err = seen[0];
      assert.ok(pulumi.RunError.isInstance(err), String(err));
      assert.doesNotMatch(err.message, /\n/);
      assert.match(
        err.message,
        /tooljet-pg-upgrade:targets\.ecs: targets\.ecs\.taskRoleArn is arn:aws:iam::123456789012:role\/someone-else but the service's task definition arn:aws:ecs:us-east-1:123456789012:task-definition\/tooljet:11 uses arn:aws:iam::123456789012:role\/tooljet-ecs-task: set targets\.ecs\.taskRoleArn to/,
      );
    } finally {
      process.off('unhandledRejection', listener);
    }
  });

  it('an SSE-KMS bucket: the task role and the instance role get kms:Decrypt on its key, through S3 only', async () => {
    // Downloading an SSE-KMS object needs kms:Decrypt on its key (Amazon S3 User Guide, SSE-KMS); the mock encrypts
    // objects with the bucket's default key and the provider reads the key back (kmsKeyId).
    const key = 'arn:aws:kms:us-east-1:123456789012:key/0f0e0d0c-1111-2222-3333-444455556666';
    const run = await runProgram({
      stack: 'staging',
      aws: fakeAws({ bucketKmsKeys: { 'tooljet-staging-config': key } }),
    });
    const decrypt = {
      Sid: 'DecryptRdsCaBundle',
      Effect: 'Allow',
      Action: ['kms:Decrypt'],
      Resource: [key],
      Condition: { StringEquals: { 'kms:ViaService': ['s3.us-east-1.amazonaws.com'] } },
    };
    for (const name of ['ecs-task-rds-ca-bundle', 'ami-instance-role']) {
      const doc = JSON.parse(String(named(run, T.rolePolicy, name).inputs.policy));
      assert.deepEqual(
        doc.Statement.find((x: { Sid: string }) => x.Sid === 'DecryptRdsCaBundle'),
        decrypt,
        name,
      );
    }
    for (const p of run.ofType(T.rolePolicy)) {
      const doc = JSON.parse(String(p.inputs.policy)) as { Statement: Array<Record<string, any>> };
      for (const st of doc.Statement.filter((x) => (x.Action as string[]).includes('kms:Decrypt')))
        assert.ok(
          st.Condition?.StringEquals?.['kms:ViaService']?.length > 0,
          `${p.name}: ${st.Sid} via a service only`,
        );
    }
    const plainRun = await runProgram({ stack: 'staging' });
    for (const name of ['ecs-task-rds-ca-bundle', 'ami-instance-role']) {
      const doc = JSON.parse(String(named(plainRun, T.rolePolicy, name).inputs.policy));
      assert.ok(!JSON.stringify(doc).includes('kms:'), `${name}: no KMS grant for an SSE-S3 bucket`);
    }
  });

  it('ECS app secrets given as Pulumi secrets become Secrets Manager secrets the task references', async () => {
    const ecs = { ...(stackValue('staging', 'targets').ecs as Record<string, unknown>), secrets: undefined };
    const run = await runProgram({ stack: 'staging', secrets: APP_SECRETS, set: { targets: { ecs } } });
    const names = run
      .ofType(T.secret)
      .map((s) => s.inputs.name)
      .sort();
    assert.deepEqual(names, [
      'tooljet-pg-upgrade/staging/ecs/lockbox-master-key',
      'tooljet-pg-upgrade/staging/ecs/pg-password',
      'tooljet-pg-upgrade/staging/ecs/pgrst-jwt-secret',
      'tooljet-pg-upgrade/staging/ecs/secret-key-base',
    ]);
    const values = run
      .ofType(T.secretVersion)
      .map((v) => plain<string>(v.inputs.secretString))
      .sort();
    assert.deepEqual(values, [TEST_PASSWORD, ...Object.values(APP_SECRETS)].sort());
    for (const v of run.ofType(T.secretVersion)) assert.ok(v.options.secretInputs.includes('secretString'));
  });

  it('AMI with an existing SSM parameter and the truststore URL creates no secret and no S3 object', async () => {
    const ami = {
      launchTemplateId: 'lt-0123456789abcdef0',
      caBundleUrl: 'https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem',
      pgPassword: 'arn:aws:ssm:us-east-1:123456789012:parameter/tooljet/pg-pass',
      instanceRoleName: 'tooljet-ec2',
    };
    // A bundle file as someone might keep it (CRLF, a comment): the instance hashes the download, i.e. these bytes.
    const published = `# RDS CA bundle\r\n${fs.readFileSync(testCaBundle(), 'utf8').replace(/\n/g, '\r\n')}`;
    const caBundle = writeTempFile('crlf-bundle.pem', published);
    const run = await runProgram({ stack: 'staging', set: { targets: { ami }, caBundle } });
    assert.equal(run.ofType(T.secret).length, 0);
    assert.equal(run.ofType(T.object).length, 0);
    const userData = b64(
      (named(run, T.command, 'ami-launch-template-version').inputs.environment as Record<string, string>)
        .TJ_USER_DATA_B64,
    );
    assert.match(userData, /^TJ_PG_PASS_SOURCE='ssm'$/m);
    assert.match(userData, /^TJ_CA_URL='https:\/\/truststore\.pki\.rds\.amazonaws\.com\/global\/global-bundle\.pem'$/m);
    assert.match(
      userData,
      new RegExp(`^TJ_CA_SHA256='${sha256(published)}'$`, 'm'),
      'the SHA-256 of the file as published, not of the normalised PEM',
    );
    const doc = JSON.parse(String(named(run, T.rolePolicy, 'ami-instance-role').inputs.policy));
    assert.deepEqual(doc.Statement, [
      {
        Sid: 'ReadToolJetDatabasePasswordParameter',
        Effect: 'Allow',
        Action: ['ssm:GetParameter'],
        Resource: [ami.pgPassword],
      },
    ]);
  });
});

describe('program: bad target configuration fails at start, one line per problem, nothing registered', () => {
  async function problems(targets: unknown, secrets?: Record<string, string>): Promise<string[]> {
    const { error, mocks } = await programError({ stack: 'staging', set: { targets }, ...(secrets && { secrets }) });
    assert.ok(pulumi.RunError.isInstance(error), error.message);
    assert.equal(mocks.resources.length, 0);
    return error.message.split('\n');
  }

  it('reports every problem of every target together, naming each key', async () => {
    const lines = await problems({
      docker: { directory: '/opt/tooljet', restart: 'yes' },
      ecs: {
        service: 'tooljet',
        executionRoleArn: 'tooljet-ecs-execution',
        cpu: 3000,
        caBundleObject: { bucket: 'Bad_Bucket' },
      },
      eks: { namespace: 'ToolJet', workloads: [] },
      ami: { launchTemplateId: 'lt-123', caBundleUrl: 'http://example.com/b.pem', extra: 1 },
    });
    for (const key of [
      'targets.docker.restart',
      'targets.ecs.cluster',
      'targets.ecs.executionRoleArn',
      'targets.ecs.taskRoleArn',
      'targets.ecs.tooljetHost',
      'targets.ecs.cpu',
      'targets.ecs.caBundleObject.bucket',
      'targets.ecs.secrets.lockboxMasterKey',
      'targets.eks.namespace',
      'targets.eks.workloads',
      'targets.ami.launchTemplateId',
      'targets.ami.caBundleUrl',
      'targets.ami.extra',
    ]) {
      assert.ok(
        lines.some((l) => l.startsWith(`tooljet-pg-upgrade:${key}: `)),
        `no line for ${key}:\n${lines.join('\n')}`,
      );
    }
  });

  it('never echoes a value pasted where a secret ARN belongs', async () => {
    const pasted = 'hunter2-the-actual-lockbox-key';
    const ecs = {
      ...(stackValue('staging', 'targets').ecs as Record<string, unknown>),
      secrets: { lockboxMasterKey: pasted, secretKeyBase: pasted, pgrstJwtSecret: pasted },
    };
    const lines = await problems({ ecs });
    assert.equal(lines.length, 3);
    assert.match(
      lines[0],
      /^tooljet-pg-upgrade:targets\.ecs\.secrets\.lockboxMasterKey: is not a secret ARN \(value not shown: never put a secret itself in config\)/,
    );
    assert.ok(!lines.join('\n').includes(pasted));
  });

  it('an app secret stored in plain text is refused without echoing it', async () => {
    const { error } = await programError({ stack: 'staging', set: { lockboxMasterKey: APP_SECRETS.lockboxMasterKey } });
    assert.match(
      error.message,
      /^tooljet-pg-upgrade:lockboxMasterKey: is stored in plain text; make it a secret: pulumi config rm lockboxMasterKey && pulumi config set --secret lockboxMasterKey/,
    );
    assert.ok(!error.message.includes(APP_SECRETS.lockboxMasterKey));
  });
});
