// The ECS revision is the service's current task definition with only this target's parts replaced
// (targets/ecs/merge.ts). The current definition is a realistic ToolJet one, in the shape aws.ecs.getTaskDefinition
// returns it (tests/helpers/fixtures/ecs-task-definition.json): a pinned image from ECR, a health check, stopTimeout,
// ulimits, its own logging, an EFS volume, variables and secrets this target knows nothing about.
import { strict as assert } from 'assert';
import {
  checkEcsRoles,
  checkRegisteredBlanks,
  CurrentEcsTaskDefinition,
  currentEcsTaskDefinition,
  mergeEcsTaskDefinition,
} from '../../../targets/ecs/merge';
import {
  checkEcsTaskDefinitionSize,
  ContainerDefinition,
  ECS_DEFAULTS,
  EcsTargetInput,
  ecsTaskDefinitionSize,
  renderEcsContainerDefinitions,
} from '../../../targets/ecs/render';
import { UNSAFE_ENV_NAMES } from '../../../targets/shared/unsafe-env';
import { ecsLookupFixture } from '../../helpers/mocks';
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
    assert.equal(postgrest.image, 'postgrest/postgrest:v12.2.0');
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
    assert.equal(
      merge(cur, { postgrestImage: 'postgrest/postgrest:v12.2.3' }).containerDefinitions.find(
        (c) => c.name === 'postgrest',
      )?.image,
      'postgrest/postgrest:v12.2.3',
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
    const blanks = UNSAFE_ENV_NAMES.map((name) => ({ name, value: '' }));

    it('get DATABASE_URL, TOOLJET_DB_URL, CA_CERT and NODE_TLS_REJECT_UNAUTHORIZED as "" in environment (wins over the files), reported by name', () => {
      const r = merge(withFiles());
      const c = byName(r.containerDefinitions);
      assert.deepEqual(
        r.containerDefinitions.map((x) => x.name),
        ['tooljet', 'postgrest', 'tooljet-worker', 'rds-ca-bundle'],
      );
      for (const name of ['tooljet', 'postgrest', 'tooljet-worker']) {
        const env = c[name].environment ?? [];
        assert.deepEqual(env.slice(-blanks.length), blanks, `${name}: the four blanks, last`);
        const names = [...env, ...(c[name].secrets ?? [])].map((e) => e.name);
        assert.equal(new Set(names).size, names.length, `${name}: every name once (ECS refuses duplicates)`);
        assert.deepEqual(
          c[name].environmentFiles,
          byName(withFiles().containerDefinitions)[name].environmentFiles,
          `${name} keeps its files`,
        );
      }
      assert.equal(envOf(c['tooljet-worker']).WORKER, 'true', 'the rest of the worker is kept');
      assert.equal(envOf(c.tooljet).PG_HOST, CLONE.host, 'ours are set as in any ToolJet container');
      assert.equal(envOf(c.postgrest).PGRST_SERVER_PORT, '3002');
      assert.equal(
        c['rds-ca-bundle'].environment?.some((e) => e.value === ''),
        false,
        'a container without files gets none',
      );
      assert.deepEqual(
        r.blanked,
        ['tooljet', 'postgrest', 'tooljet-worker'].flatMap((n) => UNSAFE_ENV_NAMES.map((v) => `${n}: ${v}`)),
      );
      assert.deepEqual(
        r.removed,
        ['tooljet-worker: CA_CERT'],
        'the CA_CERT with a value is removed and reported; its blank replaces it',
      );
      assert.ok(
        !JSON.stringify(r.containerDefinitions).includes('BEGIN CERTIFICATE'),
        'the old value does not survive',
      );
      assert.equal(envOf(c['tooljet-worker']).CA_CERT, '');
      assert.deepEqual(merge().blanked, [], 'the definition without files gets no blanks');
    });

    it('stay idempotent: merging the result again (or ECS\'s "value-less" form of a blank) gives the same definition and reports no removal', () => {
      const first = merge(withFiles());
      const again = mergeEcsTaskDefinition(
        { ...withFiles(), containerDefinitions: first.containerDefinitions, volumes: first.volumes },
        renderEcsContainerDefinitions(input()),
        OPTS,
      );
      assert.deepEqual(again.containerDefinitions, first.containerDefinitions);
      assert.deepEqual(again.removed, []);
      assert.deepEqual(again.blanked, first.blanked, 'still reported: the files are still loaded');
      // ECS may answer a "" value without the value field.
      const valueless = JSON.parse(JSON.stringify(first.containerDefinitions)) as ContainerDefinition[];
      for (const c of valueless)
        for (const e of c.environment ?? []) if (e.value === '') delete (e as { value?: string }).value;
      const fromValueless = mergeEcsTaskDefinition(
        { ...withFiles(), containerDefinitions: valueless, volumes: first.volumes },
        renderEcsContainerDefinitions(input()),
        OPTS,
      );
      assert.deepEqual(fromValueless.containerDefinitions, first.containerDefinitions);
      assert.deepEqual(fromValueless.removed, []);
    });

    it('count in the 64 KB check: a definition that fits without the blanks can be refused with them', () => {
      const pad = (cur: CurrentEcsTaskDefinition, n: number) => {
        const c = JSON.parse(JSON.stringify(cur)) as CurrentEcsTaskDefinition;
        c.containerDefinitions[0].environment!.push({ name: 'FILLER', value: 'x'.repeat(n) });
        return c;
      };
      const doc = (cur: CurrentEcsTaskDefinition) => {
        const m = merge(cur);
        return { family: cur.family, containerDefinitions: m.containerDefinitions, volumes: m.volumes };
      };
      const noFiles = (cur: CurrentEcsTaskDefinition) => ({
        ...cur,
        containerDefinitions: cur.containerDefinitions.map(({ environmentFiles, ...c }) => c as ContainerDefinition),
      });
      const base = withFiles();
      const withoutBlanks = ecsTaskDefinitionSize(doc(noFiles(base)));
      const withBlanks = ecsTaskDefinitionSize(doc(base));
      assert.ok(
        withBlanks > withoutBlanks + 3 * JSON.stringify(blanks).length,
        'the blanks are in the checked document',
      );
      const filler = ECS_DEFAULTS.maxTaskDefinitionBytes - ecsTaskDefinitionSize(doc(noFiles(pad(base, 0))));
      assert.equal(checkEcsTaskDefinitionSize(doc(noFiles(pad(base, filler)))), ECS_DEFAULTS.maxTaskDefinitionBytes);
      assert.throws(
        () => checkEcsTaskDefinitionSize(doc(pad(base, filler))),
        /^RenderError: the ECS task definition is \d+ bytes, over ECS's 65536-byte limit/,
      );
    });

    it('are verified after registration: a registered definition without one of them is refused in one line', () => {
      const r = merge(withFiles());
      const arn = 'arn:aws:ecs:us-east-1:123456789012:task-definition/tooljet:12';
      checkRegisteredBlanks(JSON.stringify(r.containerDefinitions), r.blanked, arn);
      const valueless = r.containerDefinitions.map((c) => ({
        ...c,
        environment: (c.environment ?? []).map((e) => (e.value === '' ? { name: e.name } : e)),
      }));
      checkRegisteredBlanks(JSON.stringify(valueless), r.blanked, arn);
      const dropped = r.containerDefinitions.map((c) =>
        c.name === 'postgrest' ? { ...c, environment: (c.environment ?? []).filter((e) => e.value !== '') } : c,
      );
      assert.throws(
        () => checkRegisteredBlanks(JSON.stringify(dropped), r.blanked, arn),
        (e: Error) => {
          assert.doesNotMatch(e.message, /\n/);
          assert.match(
            e.message,
            /^ECS registered arn:aws:ecs:us-east-1:123456789012:task-definition\/tooljet:12 without the empty postgrest: DATABASE_URL, postgrest: TOOLJET_DB_URL, postgrest: CA_CERT, postgrest: NODE_TLS_REJECT_UNAUTHORIZED .*the revision was not deployed\. Move those containers' variables from their environmentFiles/,
          );
          return true;
        },
      );
      checkRegisteredBlanks('not json', [], arn);
      assert.throws(() => checkRegisteredBlanks('not json', r.blanked, arn), /has no readable container definitions/);
    });
  });
});
