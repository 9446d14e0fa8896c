// The ECS revision is the service's current task definition with only this target's parts replaced
// (targets/ecs/merge.ts). The current definition is a realistic ToolJet one, in the shape aws.ecs.getTaskDefinition
// returns it (tests/helpers/fixtures/ecs-task-definition.json): a pinned image from ECR, a health check, stopTimeout,
// ulimits, its own logging, an EFS volume, variables and secrets this target knows nothing about.
import { strict as assert } from 'assert';
import {
  checkEcsRoles,
  CurrentEcsTaskDefinition,
  currentEcsTaskDefinition,
  mergeEcsTaskDefinition,
} from '../../../targets/ecs/merge';
import {
  ContainerDefinition,
  EcsTargetInput,
  POSTGREST_IMAGE,
  renderEcsContainerDefinitions,
} from '../../../targets/ecs/render';
import { RenderError } from '../../../targets/shared/render';
import { ecsLookupFixture, registeredContainerDefinitions } from '../../helpers/mocks';
import { CaFixture, CLONE, makeCaBundle, SOURCE } from '../../helpers/targets';
import { caBundleSha256 } from '../../../lib/tls/ca-bundle';

const ACCOUNT = '123456789012';
const sm = (name: string) => `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:${name}-AbCdEf`;
const OPTS = { containerName: 'tooljet' };

describe('targets/ecs/merge: the new revision keeps the current task definition and replaces only our parts', () => {
  let ca: CaFixture;
  before(() => (ca = makeCaBundle()));
  after(() => ca.cleanup());

  const input = (over: Partial<EcsTargetInput> = {}): EcsTargetInput => ({
    database: CLONE,
    secrets: {
      pgPassword: { arn: sm('tooljet/rds-master') },
      lockboxMasterKey: { arn: sm('tooljet/lockbox-master-key') },
      secretKeyBase: { arn: sm('tooljet/skb') },
      pgrstJwtSecret: { arn: sm('tooljet/jwt') },
    },
    caBundle: ca.bundle,
    caBundleObject: { bucket: 'tooljet-rds-ca', key: 'global-bundle.pem', versionId: 'v1' },
    region: 'us-east-1',
    tooljetHost: 'https://tooljet-staging.example.com',
    ...over,
  });
  const current = (): CurrentEcsTaskDefinition => currentEcsTaskDefinition(ecsLookupFixture());
  const byName = (defs: ContainerDefinition[]) => Object.fromEntries(defs.map((d) => [d.name, d]));
  const envOf = (c: ContainerDefinition) => Object.fromEntries((c.environment ?? []).map((e) => [e.name, e.value]));
  const secretsOf = (c: ContainerDefinition) => Object.fromEntries((c.secrets ?? []).map((e) => [e.name, e.valueFrom]));
  const merge = (cur = current(), over: Partial<EcsTargetInput> = {}) =>
    mergeEcsTaskDefinition(cur, renderEcsContainerDefinitions(input(over)), OPTS);

  it('keeps the image, command, ports, health check, stopTimeout, ulimits, logging and other mounts of the ToolJet container', () => {
    const before = current().containerDefinitions[0];
    const { tooljet } = byName(merge().containerDefinitions);
    for (const k of [
      'image',
      'command',
      'portMappings',
      'healthCheck',
      'stopTimeout',
      'ulimits',
      'logConfiguration',
      'cpu',
      'essential',
      'volumesFrom',
      'systemControls',
    ]) {
      assert.deepEqual(tooljet[k], before[k], k);
    }
    assert.equal(
      tooljet.image,
      '123456789012.dkr.ecr.us-east-1.amazonaws.com/tooljet:ee-lts-3.16.25',
      'no floating default replaces the running image',
    );
    assert.deepEqual(tooljet.mountPoints, [
      { sourceVolume: 'uploads', containerPath: '/app/uploads', readOnly: false },
      { sourceVolume: 'rds-ca', containerPath: '/certs', readOnly: true },
    ]);
    assert.deepEqual(tooljet.dependsOn, [{ containerName: 'rds-ca-bundle', condition: 'SUCCESS' }]);
  });

  it('keeps unknown variables and secrets, replaces ours (database, TLS, passwords), and drops the stale PGRST_DB_URI', () => {
    const r = merge();
    const { tooljet } = byName(r.containerDefinitions);
    const env = envOf(tooljet);
    assert.equal(env.REDIS_HOST, 'redis.internal');
    assert.equal(env.SMTP_DOMAIN, 'smtp.example.com');
    assert.equal(env.PG_HOST, CLONE.host);
    assert.equal(env.PG_DB, CLONE.database);
    assert.equal(env.PGSSLMODE, 'verify-full', 'the current "require" is replaced');
    assert.equal(env.NODE_EXTRA_CA_CERTS, '/certs/global-bundle.pem');
    assert.equal(env.PGRST_HOST, '127.0.0.1:3002', 'points at the sidecar this merge adds');
    assert.equal(env.PGRST_DB_URI, undefined, 'PostgREST runs in the sidecar; the old URI pointed at the old host');
    const secrets = secretsOf(tooljet);
    assert.equal(secrets.SMTP_PASSWORD, sm('tooljet/smtp'), 'an unknown secret is kept');
    assert.equal(secrets.PG_PASS, sm('tooljet/rds-master'), 'ours replaces the old PG_PASS');
    const names = [...(tooljet.environment ?? []), ...(tooljet.secrets ?? [])].map((e) => e.name);
    assert.equal(
      new Set(names).size,
      names.length,
      'every name once across environment and secrets (ECS refuses duplicates)',
    );
    assert.deepEqual(r.removed, ['tooljet: PGRST_DB_URI']);
  });

  it('adds the init container, the PostgREST sidecar (pinned image) and the rds-ca volume, keeping the other volumes', () => {
    const r = merge();
    assert.deepEqual(
      r.containerDefinitions.map((c) => c.name),
      ['tooljet', 'rds-ca-bundle', 'postgrest'],
    );
    assert.equal(r.addedPostgrest, true);
    const { postgrest } = byName(r.containerDefinitions);
    assert.equal(postgrest.image, POSTGREST_IMAGE);
    for (const c of r.containerDefinitions.filter((c) => c.name !== 'tooljet'))
      assert.match(String(c.image), /^[a-z0-9./-]+@sha256:[0-9a-f]{64}$/, `${c.name} runs by digest`);
    assert.equal(envOf(byName(r.containerDefinitions)['rds-ca-bundle']).TJ_CA_SHA256, caBundleSha256(ca.pem));
    assert.deepEqual(r.volumes, [
      {
        name: 'uploads',
        configureAtLaunch: false,
        efsVolumeConfiguration: {
          fileSystemId: 'fs-0123456789abcdef0',
          rootDirectory: '/',
          transitEncryption: 'ENABLED',
          transitEncryptionPort: 0,
          authorizationConfig: { accessPointId: 'fsap-0123456789abcdef0', iam: 'ENABLED' },
        },
      },
      { name: 'rds-ca' },
    ]);
  });

  it('merges into an existing PostgREST sidecar: keeps its image and health check, replaces URI, password, port', () => {
    const cur = current();
    cur.containerDefinitions.push({
      name: 'postgrest',
      image: 'postgrest/postgrest:v12.0.2',
      essential: true,
      portMappings: [{ containerPort: 3001, hostPort: 3001, protocol: 'tcp' }],
      environment: [
        { name: 'PGRST_DB_URI', value: 'postgres://tooljet@old-host/tooljet_db' },
        { name: 'PGRST_SERVER_PORT', value: '3001' },
        { name: 'PGRST_LOG_LEVEL', value: 'warn' },
        { name: 'PGRST_DB_SCHEMAS', value: 'public' },
      ],
      secrets: [{ name: 'PGPASSWORD', valueFrom: sm('tooljet/old-pg') }],
      healthCheck: { command: ['CMD-SHELL', 'exit 0'] },
    });
    const r = merge(cur);
    assert.equal(r.addedPostgrest, false);
    assert.deepEqual(
      r.containerDefinitions.map((c) => c.name),
      ['tooljet', 'postgrest', 'rds-ca-bundle'],
    );
    const { postgrest } = byName(r.containerDefinitions);
    assert.equal(postgrest.image, 'postgrest/postgrest:v12.0.2');
    assert.deepEqual(postgrest.healthCheck, { command: ['CMD-SHELL', 'exit 0'] });
    const env = envOf(postgrest);
    assert.equal(env.PGRST_DB_SCHEMAS, 'public');
    assert.match(
      env.PGRST_DB_URI!,
      /^postgres:\/\/tooljet_app@tooljet-pg16-clone\..*\?sslmode=verify-full&sslrootcert=\/certs\/global-bundle\.pem$/,
    );
    assert.equal(env.PGRST_SERVER_PORT, '3002');
    assert.deepEqual(
      postgrest.portMappings?.map((p) => p.containerPort),
      [3002],
      'the port agrees with PGRST_HOST of ToolJet',
    );
    assert.equal(secretsOf(postgrest).PGPASSWORD, sm('tooljet/rds-master'));
    const pinned = `postgrest/postgrest@sha256:${'ab'.repeat(32)}`;
    assert.equal(
      merge(cur, { postgrestImage: pinned }).containerDefinitions.find((c) => c.name === 'postgrest')?.image,
      pinned,
    );
    assert.throws(
      () => merge(cur, { postgrestImage: 'postgrest/postgrest:v12.2.3' }),
      /postgrestImage "postgrest\/postgrest:v12\.2\.3" is not pinned by digest: use <image>@sha256:<64 hex digits>/,
    );
  });

  it('removes DATABASE_URL, TOOLJET_DB_URL, CA_CERT and NODE_TLS_REJECT_UNAUTHORIZED from every container and reports them', () => {
    const cur = current();
    const tj = cur.containerDefinitions[0];
    tj.environment = [
      ...tj.environment!,
      { name: 'NODE_TLS_REJECT_UNAUTHORIZED', value: '0' },
      { name: 'CA_CERT', value: '-----BEGIN CERTIFICATE-----' },
    ];
    tj.secrets = [...tj.secrets!, { name: 'DATABASE_URL', valueFrom: sm('tooljet/database-url') }];
    cur.containerDefinitions.push({
      name: 'worker',
      image: 'worker:1',
      environment: [
        { name: 'TOOLJET_DB_URL', value: 'postgres://x@old/y' },
        { name: 'QUEUE', value: 'q' },
      ],
    });
    const r = merge(cur);
    for (const c of r.containerDefinitions) {
      for (const e of [...(c.environment ?? []), ...(c.secrets ?? [])]) {
        assert.ok(
          !['DATABASE_URL', 'TOOLJET_DB_URL', 'CA_CERT', 'NODE_TLS_REJECT_UNAUTHORIZED'].includes(e.name),
          `${c.name} keeps ${e.name}`,
        );
      }
    }
    assert.equal(envOf(byName(r.containerDefinitions).worker).QUEUE, 'q', 'the rest of another container is untouched');
    assert.deepEqual(r.removed.sort(), [
      'tooljet: CA_CERT',
      'tooljet: DATABASE_URL',
      'tooljet: NODE_TLS_REJECT_UNAUTHORIZED',
      'tooljet: PGRST_DB_URI',
      'worker: TOOLJET_DB_URL',
    ]);
  });

  describe('other containers that talk to the database (issue 14: side containers kept their old settings)', () => {
    // A ToolJet worker beside the server: node-postgres takes PGSSLMODE from the environment, and "no-verify" there means
    // encrypted without any certificate check (node-postgres, pg-connection-string sslmode handling); PG_HOST is the
    // old host. Each must get what the ToolJet container gets, or the revision must be refused.
    const withSides = () => {
      const cur = current();
      cur.containerDefinitions.push(
        {
          name: 'worker',
          image: 'worker:1',
          command: ['npm', 'run', 'worker:prod'],
          environment: [
            { name: 'PG_HOST', value: SOURCE.host },
            { name: 'PGSSLMODE', value: 'no-verify' },
            { name: 'QUEUE', value: 'q' },
          ],
          secrets: [{ name: 'PG_PASS', valueFrom: sm('tooljet/old-pg') }],
        },
        {
          name: 'cron',
          image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/tooljet:ee-lts-3.16.20',
          command: ['npm', 'run', 'cron'],
        },
        { name: 'redis', image: 'redis:7', environment: [{ name: 'REDIS_ARGS', value: '--save ""' }] },
      );
      return cur;
    };

    it('get the database/TLS variables, passwords, the read-only /certs mount and the init dependency; the rest is kept', () => {
      const r = merge(withSides());
      const c = byName(r.containerDefinitions);
      const tj = envOf(c.tooljet);
      for (const name of ['worker', 'cron']) {
        const env = envOf(c[name]);
        for (const k of [
          'PG_HOST',
          'PG_PORT',
          'PG_USER',
          'PG_DB',
          'TOOLJET_DB',
          'TOOLJET_DB_HOST',
          'PGSSLMODE',
          'PGSSLROOTCERT',
          'NODE_EXTRA_CA_CERTS',
        ])
          assert.equal(env[k], tj[k], `${name}: ${k} as in the ToolJet container`);
        assert.equal(env.PGSSLMODE, 'verify-full', `${name}: no-verify is replaced`);
        assert.equal(env.PG_HOST, CLONE.host);
        assert.equal(env.TOOLJET_HOST, undefined, 'only the database part');
        assert.deepEqual(secretsOf(c[name]).PG_PASS, sm('tooljet/rds-master'));
        assert.deepEqual(secretsOf(c[name]).TOOLJET_DB_PASS, sm('tooljet/rds-master'));
        assert.deepEqual(
          c[name].mountPoints?.filter((m) => m.sourceVolume === 'rds-ca'),
          [{ sourceVolume: 'rds-ca', containerPath: '/certs', readOnly: true }],
        );
        assert.deepEqual(c[name].dependsOn, [{ containerName: 'rds-ca-bundle', condition: 'SUCCESS' }]);
        const names = [...(c[name].environment ?? []), ...(c[name].secrets ?? [])].map((e) => e.name);
        assert.equal(new Set(names).size, names.length, `${name}: every name once`);
      }
      assert.equal(envOf(c.worker).QUEUE, 'q');
      assert.deepEqual(c.worker.command, ['npm', 'run', 'worker:prod']);
      assert.deepEqual(
        c.redis,
        withSides().containerDefinitions.find((x) => x.name === 'redis'),
        'redis is untouched',
      );
      assert.deepEqual(r.repointed, ['worker', 'cron'], 'the worker by its variables, cron by the ToolJet image');
      assert.ok(!JSON.stringify(c.worker).includes('no-verify') && !JSON.stringify(c.worker).includes(SOURCE.host));
      const again = mergeEcsTaskDefinition(
        { ...withSides(), containerDefinitions: r.containerDefinitions, volumes: r.volumes },
        renderEcsContainerDefinitions(input()),
        OPTS,
      );
      assert.deepEqual(again.containerDefinitions, r.containerDefinitions, 'idempotent');
    });

    it('refuse, naming container and variable, a libpq connection setting or PGRST_DB_URI this target does not re-point', () => {
      const cur = withSides();
      cur.containerDefinitions.push({
        name: 'reports',
        image: 'reports:2',
        environment: [
          { name: 'PGHOST', value: SOURCE.host },
          { name: 'PGRST_DB_URI', value: 'postgres://x@old/y' },
        ],
        secrets: [{ name: 'PGPASSWORD', valueFrom: sm('tooljet/reports') }],
      });
      assert.throws(
        () => merge(cur),
        (e: Error) => {
          assert.ok(e instanceof RenderError);
          assert.doesNotMatch(e.message, /\n/);
          assert.match(
            e.message,
            /^reports: PGHOST, reports: PGRST_DB_URI, reports: PGPASSWORD: these containers talk to the database with connection settings this target does not re-point/,
          );
          assert.ok(!e.message.includes(SOURCE.host), 'no value');
          return true;
        },
      );
    });

    it('extraContainers that talk to the database get it too', () => {
      const extra = { name: 'tooljet-worker', image: 'x:1', environment: [{ name: 'PG_HOST', value: 'old' }] };
      const r = merge(current(), { extraContainers: [extra] });
      const w = byName(r.containerDefinitions)['tooljet-worker'];
      assert.equal(envOf(w).PG_HOST, CLONE.host);
      assert.deepEqual(r.repointed, ['tooljet-worker']);
    });
  });

  it('is idempotent: merging its own result again changes nothing (the second pulumi up sees our revision)', () => {
    const first = merge();
    const again = mergeEcsTaskDefinition(
      { ...current(), containerDefinitions: first.containerDefinitions, volumes: first.volumes },
      renderEcsContainerDefinitions(input()),
      OPTS,
    );
    assert.deepEqual(again.containerDefinitions, first.containerDefinitions);
    assert.deepEqual(again.volumes, first.volumes);
    assert.deepEqual(again.removed, []);
  });

  it('flipping to the source changes only the host, on top of the same current definition', () => {
    const a = JSON.stringify(merge(current(), { database: CLONE }).containerDefinitions);
    const b = JSON.stringify(merge(current(), { database: SOURCE }).containerDefinitions);
    assert.equal(a.split(CLONE.host).join(SOURCE.host), b);
  });

  it('refuses a definition without the ToolJet container, and configured roles the tasks do not use, in one line', () => {
    assert.throws(
      () =>
        mergeEcsTaskDefinition(current(), renderEcsContainerDefinitions(input({ containerName: 'app' })), {
          containerName: 'app',
        }),
      /^RenderError: the service's task definition arn:aws:ecs:us-east-1:123456789012:task-definition\/tooljet:11 has no container "app" \(it has "tooljet"\): set targets\.ecs\.containerName to the ToolJet container$/,
    );
    const roles = {
      executionRoleArn: 'arn:aws:iam::123456789012:role/tooljet-ecs-execution',
      taskRoleArn: 'arn:aws:iam::123456789012:role/tooljet-ecs-task',
    };
    checkEcsRoles(current(), roles);
    assert.throws(
      () => checkEcsRoles(current(), { ...roles, taskRoleArn: 'arn:aws:iam::123456789012:role/other' }),
      /targets\.ecs\.taskRoleArn is arn:aws:iam::123456789012:role\/other but the service's task definition .* uses arn:aws:iam::123456789012:role\/tooljet-ecs-task: set targets\.ecs\.taskRoleArn to/,
    );
  });

  it('reads the lookup result: JSON container definitions, one-element blocks, "" as unset', () => {
    const c = current();
    assert.equal(c.family, 'tooljet');
    assert.equal(c.cpu, '2048');
    assert.deepEqual(c.runtimePlatform, { cpuArchitecture: 'X86_64', operatingSystemFamily: 'LINUX' });
    assert.deepEqual(c.ephemeralStorage, { sizeInGib: 30 });
    assert.equal(c.pidMode, undefined);
    assert.equal(c.proxyConfiguration, undefined);
    assert.throws(
      () => currentEcsTaskDefinition({ ...ecsLookupFixture(), containerDefinitions: '' }),
      /returned no container definitions/,
    );
  });

  it('carries enableFaultInjection and an S3 Files volume over from the lookup (the fixture with environment files)', () => {
    const c = currentEcsTaskDefinition(ecsLookupFixture('ecs-task-definition-env-files.json'));
    assert.equal(c.enableFaultInjection, true);
    assert.equal(
      current().enableFaultInjection,
      undefined,
      'false (the lookup\'s "not set") is left to ECS\'s default',
    );
    assert.deepEqual(c.runtimePlatform, { cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' });
    assert.equal(c.ephemeralStorage, undefined);
    assert.deepEqual(c.volumes, [
      {
        name: 'exports',
        configureAtLaunch: false,
        s3filesVolumeConfiguration: {
          fileSystemArn: 'arn:aws:s3files:us-east-1:123456789012:file-system/fs-0123456789abcdef0',
          accessPointArn:
            'arn:aws:s3files:us-east-1:123456789012:file-system/fs-0123456789abcdef0/access-point/fsap-0123456789abcdef0',
          rootDirectory: '/exports',
          transitEncryptionPort: 0,
        },
      },
    ]);
  });

  describe('containers that load environment files (S3 .env objects the program cannot read)', () => {
    const withFiles = () => currentEcsTaskDefinition(ecsLookupFixture('ecs-task-definition-env-files.json'));
    const FILES = [
      'arn:aws:s3:::tooljet-staging-config/env/tooljet.env',
      'arn:aws:s3:::tooljet-staging-config/env/smtp.env',
      'arn:aws:s3:::tooljet-staging-config/env/postgrest.env',
    ];
    const mergeReviewed = (reviewed: string[], cur = withFiles()) =>
      mergeEcsTaskDefinition(cur, renderEcsContainerDefinitions(input()), {
        ...OPTS,
        reviewedEnvironmentFiles: reviewed,
      });

    it('are refused in one line naming every container and file, with both fixes, unless each file is reviewed', () => {
      assert.throws(
        () => merge(withFiles()),
        (e: Error) => {
          assert.ok(e instanceof RenderError);
          assert.doesNotMatch(e.message, /\n/);
          assert.match(
            e.message,
            /^container "tooljet" loads environmentFiles arn:aws:s3:::tooljet-staging-config\/env\/tooljet\.env, arn:aws:s3:::tooljet-staging-config\/env\/smtp\.env; container "postgrest" loads environmentFiles .*postgrest\.env; container "tooljet-worker" loads environmentFiles .*tooljet\.env: /,
          );
          assert.match(e.message, /ECS drops an environment variable whose value is empty/);
          assert.match(e.message, /move the containers' variables from the files into environment\/secrets/);
          assert.match(
            e.message,
            /targets\.ecs\.reviewedEnvironmentFiles: \[arn:aws:s3:::tooljet-staging-config\/env\/tooljet\.env, arn:aws:s3:::tooljet-staging-config\/env\/smtp\.env, arn:aws:s3:::tooljet-staging-config\/env\/postgrest\.env\]$/,
          );
          return true;
        },
      );
      assert.throws(
        () => mergeReviewed(FILES.slice(0, 2)),
        /^RenderError: container "postgrest" loads environmentFiles arn:aws:s3:::tooljet-staging-config\/env\/postgrest\.env: .*reviewedEnvironmentFiles: \[arn:aws:s3:::tooljet-staging-config\/env\/postgrest\.env\]$/,
        'a file not listed is still refused, alone',
      );
      const r = mergeReviewed(FILES);
      const c = byName(r.containerDefinitions);
      for (const name of ['tooljet', 'postgrest', 'tooljet-worker'])
        assert.deepEqual(
          c[name].environmentFiles,
          byName(withFiles().containerDefinitions)[name].environmentFiles,
          `${name} keeps its files`,
        );
      assert.equal(envOf(c.tooljet).PG_HOST, CLONE.host, 'environment entries win over the files for our variables');
      assert.equal(envOf(c['tooljet-worker']).PG_HOST, CLONE.host, 'so does the worker: its files may set PG_*');
      assert.equal(envOf(c['tooljet-worker']).PGSSLMODE, 'verify-full');
      assert.deepEqual(r.repointed, ['tooljet-worker']);
      assert.deepEqual(r.removed, ['tooljet-worker: CA_CERT'], 'a CA_CERT with a value is removed and reported');
      assert.ok(!JSON.stringify(r.containerDefinitions).includes('BEGIN CERTIFICATE'), 'its value does not survive');
    });

    it('hold no empty value: what ECS registers is exactly what was sent, so merging the registered revision again changes nothing', () => {
      // ECS drops an environment entry whose value is "" (terraform-provider-aws#39533, pulumi-aws#4576; the mock's
      // registeredContainerDefinitions models it). A revision relying on one would differ from what ECS keeps, and
      // every pulumi up would register another revision.
      for (const cur of [current(), withFiles()]) {
        const first = mergeReviewed(FILES, cur);
        const sent = JSON.stringify(first.containerDefinitions);
        const registered = registeredContainerDefinitions(sent);
        assert.equal(registered, sent, 'ECS keeps every entry of the revision');
        const again = mergeReviewed(FILES, {
          ...cur,
          containerDefinitions: JSON.parse(registered) as ContainerDefinition[],
          volumes: first.volumes,
        });
        assert.deepEqual(again.containerDefinitions, first.containerDefinitions);
        assert.deepEqual(again.removed, []);
      }
    });
  });
});
