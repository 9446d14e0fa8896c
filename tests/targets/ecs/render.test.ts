import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  CA_INIT_SCRIPT,
  CA_INIT_IMAGE,
  checkEcsTaskDefinitionSize,
  ContainerDefinition,
  EcsTargetInput,
  POSTGREST_IMAGE,
  renderEcsContainerDefinitions,
  renderEcsExecutionRolePolicy,
  renderEcsTaskDefinition,
  renderEcsTaskRolePolicy,
  renderEcsVolumes,
} from '../../../targets/ecs/render';
import { CaFixture, CLONE, makeCaBundle, onlyHostMoves } from '../../helpers/targets';
import { caBundleSha256 } from '../../../lib/tls/ca-bundle';

const ACCOUNT = '123456789012';
const sm = (name: string) => `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:${name}-AbCdEf`;
const ROLES = {
  executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/tooljet-exec`,
  taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/tooljet-task`,
};

describe('targets/ecs/render: Fargate task definition with the CA bundle from S3 and secrets by reference', () => {
  let ca: CaFixture;
  let work: string;
  before(() => {
    ca = makeCaBundle();
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'tj-ecs-'));
  });
  after(() => {
    ca.cleanup();
    fs.rmSync(work, { recursive: true, force: true });
  });

  const input = (over: Partial<EcsTargetInput> = {}): EcsTargetInput => ({
    database: CLONE,
    secrets: {
      pgPassword: { arn: sm('tooljet/rds-master'), jsonKey: 'password' },
      tooljetDbPassword: { arn: sm('tooljet/tooljet-db'), versionId: 'v-2024-1' },
      lockboxMasterKey: { arn: sm('tooljet/lockbox') },
      secretKeyBase: { arn: `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/tooljet/secret-key-base` },
      pgrstJwtSecret: { arn: sm('tooljet/pgrst-jwt') },
    },
    caBundle: ca.bundle,
    caBundleObject: { bucket: 'tooljet-rds-ca', key: `bundles/${caBundleSha256(ca.pem)}/global-bundle.pem` },
    region: 'eu-west-1',
    tooljetHost: 'https://tooljet.example.com',
    ...over,
  });

  const byName = (defs: ContainerDefinition[]) => Object.fromEntries(defs.map((d) => [d.name, d]));
  const envOf = (c: ContainerDefinition) => Object.fromEntries((c.environment ?? []).map((e) => [e.name, e.value]));
  const secretsOf = (c: ContainerDefinition) => Object.fromEntries((c.secrets ?? []).map((e) => [e.name, e.valueFrom]));

  it('gives ToolJet PGSSLMODE=verify-full and NODE_EXTRA_CA_CERTS/PGSSLROOTCERT at the mounted bundle', () => {
    const { tooljet } = byName(renderEcsContainerDefinitions(input()));
    const env = envOf(tooljet);
    assert.equal(env.PGSSLMODE, 'verify-full');
    assert.equal(env.NODE_EXTRA_CA_CERTS, '/certs/global-bundle.pem');
    assert.equal(env.PGSSLROOTCERT, '/certs/global-bundle.pem');
    assert.equal(env.PG_HOST, CLONE.host);
    assert.equal(env.TOOLJET_DB_HOST, CLONE.host);
    assert.equal(env.PGRST_HOST, '127.0.0.1:3002', 'not localhost:*, or the image would start its own PostgREST');
    assert.deepEqual(tooljet.command, ['npm', 'run', 'start:prod']);
    assert.deepEqual(
      tooljet.portMappings?.map((p) => p.containerPort),
      [3000],
    );
    assert.equal(
      tooljet.image,
      undefined,
      'no image unless tooljetImage is set: the service keeps its own (no floating default)',
    );
    assert.equal(
      byName(renderEcsContainerDefinitions(input({ tooljetImage: 'tooljet/tooljet:ee-lts-3.16.25' }))).tooljet.image,
      'tooljet/tooljet:ee-lts-3.16.25',
    );
    assert.deepEqual(tooljet.logConfiguration, {
      logDriver: 'awslogs',
      options: { 'awslogs-group': '/ecs/ToolJet', 'awslogs-region': 'eu-west-1', 'awslogs-stream-prefix': 'tooljet' },
    });
  });

  it('mounts the task volume read-only at /certs in ToolJet and PostgREST, after the init container succeeded', () => {
    const defs = byName(renderEcsContainerDefinitions(input()));
    assert.deepEqual(renderEcsVolumes(), [{ name: 'rds-ca' }], 'no host path and no EFS: Fargate task storage');
    for (const name of ['tooljet', 'postgrest']) {
      assert.deepEqual(
        defs[name].mountPoints,
        [{ sourceVolume: 'rds-ca', containerPath: '/certs', readOnly: true }],
        name,
      );
      assert.deepEqual(defs[name].dependsOn, [{ containerName: 'rds-ca-bundle', condition: 'SUCCESS' }], name);
    }
    const init = defs['rds-ca-bundle'];
    assert.equal(init.essential, false, 'a container others wait on for SUCCESS must be non-essential');
    assert.deepEqual(init.mountPoints, [{ sourceVolume: 'rds-ca', containerPath: '/certs', readOnly: false }]);
    assert.equal(envOf(init).TJ_CA_SHA256, caBundleSha256(ca.pem));
    assert.equal(envOf(init).TJ_CA_FILE, '/certs/global-bundle.pem');
  });

  it('keeps every secret in `secrets` (valueFrom ARNs) and none in `environment`', () => {
    const { tooljet, postgrest } = byName(renderEcsContainerDefinitions(input()));
    assert.deepEqual(secretsOf(tooljet), {
      PG_PASS: `${sm('tooljet/rds-master')}:password::`,
      TOOLJET_DB_PASS: `${sm('tooljet/tooljet-db')}:::v-2024-1`,
      LOCKBOX_MASTER_KEY: sm('tooljet/lockbox'),
      SECRET_KEY_BASE: `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/tooljet/secret-key-base`,
      PGRST_JWT_SECRET: sm('tooljet/pgrst-jwt'),
    });
    assert.deepEqual(secretsOf(postgrest), {
      PGPASSWORD: `${sm('tooljet/tooljet-db')}:::v-2024-1`,
      PGRST_JWT_SECRET: sm('tooljet/pgrst-jwt'),
    });
    for (const c of [tooljet, postgrest]) {
      const names = Object.keys(envOf(c));
      for (const secret of [
        'PG_PASS',
        'TOOLJET_DB_PASS',
        'LOCKBOX_MASTER_KEY',
        'SECRET_KEY_BASE',
        'PGRST_JWT_SECRET',
        'PGPASSWORD',
      ]) {
        assert.ok(!names.includes(secret), `${c.name} environment has ${secret}`);
      }
    }
  });

  it('gives PostgREST a URI without password that verifies against the mounted bundle', () => {
    const { postgrest } = byName(renderEcsContainerDefinitions(input()));
    const env = envOf(postgrest);
    assert.equal(
      env.PGRST_DB_URI,
      `postgres://tooljet_app@${CLONE.host}:5432/tooljet_db?sslmode=verify-full&sslrootcert=/certs/global-bundle.pem`,
    );
    assert.equal(new URL(env.PGRST_DB_URI).password, '');
    assert.equal(
      postgrest.image,
      undefined,
      'the current sidecar keeps its image; a new one gets the pinned default at merge',
    );
    assert.equal(env.PGRST_SERVER_PORT, '3002');
  });

  it('renders execution-role and task-role policies that allow exactly what the task reads', () => {
    const defs = renderEcsContainerDefinitions(input());
    const exec = renderEcsExecutionRolePolicy(defs);
    assert.deepEqual(exec.Statement, [
      {
        Sid: 'ReadToolJetSecrets',
        Effect: 'Allow',
        Action: ['secretsmanager:GetSecretValue'],
        Resource: [sm('tooljet/lockbox'), sm('tooljet/pgrst-jwt'), sm('tooljet/rds-master'), sm('tooljet/tooljet-db')],
      },
      {
        Sid: 'ReadToolJetParameters',
        Effect: 'Allow',
        Action: ['ssm:GetParameters'],
        Resource: [`arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/tooljet/secret-key-base`],
      },
    ]);
    // Every valueFrom is covered by exactly one resource, and no resource is unused.
    const resources = exec.Statement.flatMap((s) => s.Resource);
    const referenced = new Set(
      defs.flatMap((d) => (d.secrets ?? []).map((s) => resources.find((r) => s.valueFrom.startsWith(r)))),
    );
    assert.equal(referenced.size, resources.length);
    assert.ok(!referenced.has(undefined));
    const kms = renderEcsExecutionRolePolicy(defs, {
      kmsKeyArns: [`arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`],
    });
    // kms:Decrypt only through the services that decrypt the referenced secrets for the role (issue 14: no direct
    // use of the key; AWS KMS Developer Guide, kms:ViaService).
    assert.deepEqual(kms.Statement[2], {
      Sid: 'DecryptToolJetSecrets',
      Effect: 'Allow',
      Action: ['kms:Decrypt'],
      Resource: [`arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`],
      Condition: {
        StringEquals: { 'kms:ViaService': ['secretsmanager.eu-west-1.amazonaws.com', 'ssm.eu-west-1.amazonaws.com'] },
      },
    });

    const obj = input().caBundleObject;
    const read = {
      Sid: 'ReadRdsCaBundle',
      Effect: 'Allow',
      Action: ['s3:GetObject'],
      Resource: [`arn:aws:s3:::tooljet-rds-ca/${obj.key}`],
    };
    assert.deepEqual(renderEcsTaskRolePolicy(obj).Statement, [read]);
    // An SSE-KMS bucket: downloading needs kms:Decrypt on its key (Amazon S3 User Guide, SSE-KMS), through S3 only.
    const key = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/5678abcd-12ab-34cd-56ef-1234567890ab`;
    assert.deepEqual(renderEcsTaskRolePolicy(obj, { kmsKeyArn: key, region: 'eu-west-1' }).Statement, [
      read,
      {
        Sid: 'DecryptRdsCaBundle',
        Effect: 'Allow',
        Action: ['kms:Decrypt'],
        Resource: [key],
        Condition: { StringEquals: { 'kms:ViaService': ['s3.eu-west-1.amazonaws.com'] } },
      },
    ]);
    assert.throws(
      () => renderEcsTaskRolePolicy(obj, { kmsKeyArn: 'alias/x', region: 'eu-west-1' }),
      /not a KMS key ARN/,
    );
  });

  it('refuses an S3 key with a wildcard: it would be the Resource of the role policies', () => {
    for (const key of ['tooljet/*', 'a*b.pem', 'x?.pem'])
      assert.throws(
        () => renderEcsTaskRolePolicy({ bucket: 'tooljet-rds-ca', key }),
        /caBundleObject\.key .*\(no \*: it would be a wildcard in the IAM policy\)$/,
        key,
      );
  });

  it('stays under the 64 KB task definition limit, and the size check refuses a bundle put into the environment', () => {
    assert.throws(
      () => renderEcsTaskDefinition(input(), ROLES),
      /tooljetImage is required to render a task definition from scratch/,
    );
    const td = renderEcsTaskDefinition(input({ tooljetImage: 'tooljet/tooljet:ee-lts-3.16.25' }), ROLES);
    assert.equal(td.containerDefinitions.find((c) => c.name === 'postgrest')?.image, POSTGREST_IMAGE);
    const size = checkEcsTaskDefinitionSize(td);
    assert.ok(size < 16 * 1024, `task definition is ${size} bytes`);
    assert.deepEqual(td.requiresCompatibilities, ['FARGATE']);
    assert.equal(td.networkMode, 'awsvpc');
    // The real RDS global bundle is ~170 KB: what happens if someone puts it in an environment variable.
    const fakeBundle = ca.pem.repeat(Math.ceil((170 * 1024) / ca.pem.length));
    assert.throws(
      () =>
        renderEcsTaskDefinition(input({ tooljetImage: 'x:1', extraEnvironment: { RDS_CA_PEM: fakeBundle } }), ROLES),
      /over ECS's 65536-byte limit/,
    );
  });

  it('runs the init container and the PostgREST sidecar by digest (issue 14 item 7), and refuses a tag for them', () => {
    // A tag can be moved to other bytes by whoever controls the repository; a digest names the bytes.
    const byDigest = /^[a-z0-9][a-z0-9./-]*@sha256:[0-9a-f]{64}$/;
    assert.match(CA_INIT_IMAGE, byDigest);
    assert.match(POSTGREST_IMAGE, byDigest);
    const td = renderEcsTaskDefinition(input({ tooljetImage: 'tooljet/tooljet:ee-lts-3.16.25' }), ROLES);
    const images = Object.fromEntries(td.containerDefinitions.map((c) => [c.name, c.image]));
    assert.deepEqual(images, {
      'rds-ca-bundle': CA_INIT_IMAGE,
      tooljet: 'tooljet/tooljet:ee-lts-3.16.25',
      postgrest: POSTGREST_IMAGE,
    });
    const own = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/aws-cli@sha256:${'0f'.repeat(32)}`;
    assert.equal(
      renderEcsContainerDefinitions(input({ caInitImage: own })).find((c) => c.name === 'rds-ca-bundle')?.image,
      own,
    );
    for (const [field, image] of [
      ['caInitImage', 'public.ecr.aws/aws-cli/aws-cli:2.27.26'],
      ['postgrestImage', 'postgrest/postgrest:latest'],
      ['postgrestImage', 'postgrest/postgrest@sha256:abc'],
    ])
      assert.throws(
        () => renderEcsContainerDefinitions(input({ [field]: image })),
        (e: Error) =>
          e.message.startsWith(`${field} "${image}" is not pinned by digest: use <image>@sha256:<64 hex digits>`),
      );
  });

  it('init container script: installs a bundle whose SHA-256 matches with mode 644, refuses another one', () => {
    const lint = spawnSync('shellcheck', ['--shell=sh', '--severity=style', '-'], {
      input: CA_INIT_SCRIPT + '\n',
      encoding: 'utf8',
    });
    assert.equal(lint.status, 0, lint.stdout + lint.stderr);

    const init = byName(renderEcsContainerDefinitions(input()))['rds-ca-bundle'];
    assert.deepEqual(init.entryPoint, ['/bin/sh', '-c']);
    assert.deepEqual(init.command, [CA_INIT_SCRIPT]);
    const bin = fs.mkdtempSync(path.join(work, 'bin-'));
    fs.writeFileSync(
      path.join(bin, 'aws'),
      '#!/bin/sh\necho "aws $*" >> "$STUB_LOG"\n[ "$1 $2" = "s3api get-object" ] || exit 2\nfor last; do :; done\ncp "$STUB_OBJECT" "$last"\n',
      { mode: 0o755 },
    );
    const runInit = (served: string) => {
      const certs = fs.mkdtempSync(path.join(work, 'certs-'));
      const object = path.join(bin, 'object.pem');
      fs.writeFileSync(object, served);
      // The container's own environment, with the in-container /certs path swapped for a scratch directory.
      const env = {
        ...envOf(init),
        TJ_CA_FILE: path.join(certs, 'global-bundle.pem'),
        PATH: `${bin}:/usr/bin:/bin`,
        STUB_LOG: path.join(bin, 'log'),
        STUB_OBJECT: object,
      };
      const r = spawnSync('/bin/sh', ['-c', init.command![0]], { env, encoding: 'utf8' });
      return { r, certs, file: env.TJ_CA_FILE };
    };
    const ok = runInit(ca.pem);
    assert.equal(ok.r.status, 0, ok.r.stderr);
    assert.equal(fs.readFileSync(ok.file, 'utf8'), ca.pem);
    assert.equal(fs.statSync(ok.file).mode & 0o777, 0o644);
    assert.match(
      fs.readFileSync(path.join(bin, 'log'), 'utf8'),
      /^aws s3api get-object --bucket tooljet-rds-ca --key bundles\/[0-9a-f]{64}\/global-bundle\.pem \S+\.download$/m,
    );

    const bad = runInit(ca.otherPem);
    assert.equal(bad.r.status, 1);
    assert.match(bad.r.stderr, /has SHA-256 [0-9a-f]{64}, expected [0-9a-f]{64}: refusing to install it/);
    assert.deepEqual(fs.readdirSync(bad.certs), [], 'nothing installed, download removed');
  });

  it('re-points only the host when the active database flips from clone to source', () => {
    assert.ok(
      onlyHostMoves((database) => renderEcsContainerDefinitions(input({ database }))) >= 3,
      'PG_HOST, TOOLJET_DB_HOST, PGRST_DB_URI',
    );
  });

  it('rejects bad input with a one-line message', () => {
    assert.throws(
      () =>
        renderEcsContainerDefinitions(
          input({ secrets: { ...input().secrets, pgPassword: { arn: 'tooljet/rds-master' } } }),
        ),
      /is not a full Secrets Manager secret ARN or SSM parameter ARN/,
    );
    assert.throws(() => renderEcsContainerDefinitions(input({ region: 'EU' })), /not an AWS region/);
    assert.throws(
      () => renderEcsContainerDefinitions(input({ extraEnvironment: { PG_HOST: 'x' } })),
      /extraEnvironment\.PG_HOST collides/,
    );
    assert.throws(
      () => renderEcsContainerDefinitions(input({ extraEnvironment: { CA_CERT: 'x' } })),
      /extraEnvironment\.CA_CERT must not be set: ToolJet then connects with rejectUnauthorized: false/,
    );
    assert.throws(
      () => renderEcsContainerDefinitions(input({ extraSecrets: { DATABASE_URL: { arn: sm('db-url') } } })),
      /extraSecrets\.DATABASE_URL must not be set/,
    );
    assert.throws(
      () => renderEcsContainerDefinitions(input({ caBundleObject: { bucket: 'Bad_Bucket', key: 'k' } })),
      /not an S3 bucket name/,
    );
    assert.throws(
      () => renderEcsContainerDefinitions(input({ database: { ...CLONE, tooljetDatabase: CLONE.database } })),
      /TOOLJET_DB\) must differ/,
    );
  });
});
