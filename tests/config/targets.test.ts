// Per-target settings, app secrets and `validation` through parseStackConfig: defaults, every key typed, and one
// clear line per bad value (naming the full key, never echoing a secret).
import { strict as assert } from 'assert';
import * as path from 'path';
import { ConfigError, parseStackConfig, StackConfig, TARGET_DEFAULTS } from '../../config';
import { TEST_PASSWORD, testCaBundle, writeTempFile } from '../helpers/program';
import { REPO_ROOT } from '../helpers/stack-file';

const NS = 'tooljet-pg-upgrade';
const LOCKBOX = 'ab'.repeat(32);
const SKB = 'cd'.repeat(64);
const JWT = 'j'.repeat(40);
const ARN = (name: string) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}-AbCdEf`;

type Raw = Record<string, unknown>;

function parse(extra: Raw, secrets: string[] = ['dbPassword'], stack = 'staging'): StackConfig {
  return parseStackConfig(
    { source: { identifier: 'tooljet-db' }, caBundle: testCaBundle(), database: { username: 'tooljet' }, dbPassword: TEST_PASSWORD, ...extra },
    { stack, project: NS, baseDir: REPO_ROOT, isSecret: (k) => secrets.includes(k) },
  );
}

function problems(extra: Raw, secrets?: string[]): string[] {
  try {
    parse(extra, secrets);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    for (const p of err.problems) assert.ok(!p.includes('\n'), 'one problem is one line');
    return [...err.problems];
  }
  assert.fail('expected a ConfigError');
}

/** Exactly one problem, matching `pattern`. */
function oneProblem(extra: Raw, pattern: RegExp, secrets?: string[]): string {
  const p = problems(extra, secrets);
  assert.equal(p.length, 1, p.join('\n'));
  assert.match(p[0], pattern);
  return p[0];
}

const ECS_MIN = {
  cluster: 'tooljet',
  service: 'tooljet',
  executionRoleArn: 'arn:aws:iam::123456789012:role/tooljet-exec',
  taskRoleArn: 'arn:aws:iam::123456789012:role/path/tooljet-task',
  tooljetHost: 'https://tooljet.example.com',
  caBundleObject: { bucket: 'tooljet-config' },
  secrets: { lockboxMasterKey: ARN('lockbox'), secretKeyBase: ARN('skb'), pgrstJwtSecret: ARN('jwt') },
};

describe('config/targets: docker', () => {
  it('defaults everything but the folder; a relative folder is resolved against the project directory', () => {
    const c = parse({ targets: { docker: { directory: 'deploy/docker' } } });
    assert.deepEqual(c.targets.docker, {
      directory: path.join(REPO_ROOT, 'deploy/docker'),
      services: ['tooljet'],
      bundleFile: 'certs/global-bundle.pem',
      overrideFile: 'docker-compose.override.yml',
      restart: false,
    });
  });

  it('types every key', () => {
    const c = parse({ targets: { docker: { directory: '/srv/tj', tooljetHost: 'https://tj.example.com', services: ['tooljet', 'worker'], bundleFile: 'tls/rds.pem', overrideFile: 'rds.override.yaml', restart: true } } });
    assert.deepEqual(c.targets.docker, { directory: '/srv/tj', tooljetHost: 'https://tj.example.com', services: ['tooljet', 'worker'], bundleFile: 'tls/rds.pem', overrideFile: 'rds.override.yaml', restart: true });
  });

  it('needs the folder', () => {
    oneProblem({ targets: { docker: {} } }, /^tooljet-pg-upgrade:targets\.docker\.directory: not set; give the folder that holds ToolJet's docker-compose\.yaml/);
  });

  it('refuses a bundle outside the folder, ToolJet\'s own files as override, bad services, typos', () => {
    const p = problems({ targets: { docker: { directory: '/srv', bundleFile: '../etc/ca.pem', overrideFile: 'docker-compose.yaml', services: [], restat: true } } });
    assert.deepEqual(p.map((l) => l.split(': ')[0]).sort(), [
      'tooljet-pg-upgrade:targets.docker.bundleFile',
      'tooljet-pg-upgrade:targets.docker.overrideFile',
      'tooljet-pg-upgrade:targets.docker.restat',
      'tooljet-pg-upgrade:targets.docker.services',
    ]);
    assert.ok(p.some((l) => /restat: unknown key; did you mean "restart"\?/.test(l)));
  });
});

describe('config/targets: ecs', () => {
  it('defaults: updateService, the bundle key, secret prefix; family and size unset (the service\'s); pgPassword created from dbPassword', () => {
    const c = parse({ targets: { ecs: ECS_MIN } });
    const e = c.targets.ecs!;
    assert.equal(e.updateService, true);
    assert.equal(e.deployTimeout, '30m');
    assert.equal(e.family, undefined, 'the new revision keeps the family of the service\'s task definition');
    assert.equal(e.cpu, undefined);
    assert.equal(e.memory, undefined);
    assert.equal(e.tooljetImage, undefined, 'no floating image default');
    assert.deepEqual(e.caBundleObject, { bucket: 'tooljet-config', key: TARGET_DEFAULTS.ecs.caBundleKey });
    assert.equal(e.secretNamePrefix, 'tooljet-pg-upgrade/staging/');
    assert.deepEqual(e.secrets, {
      pgPassword: { kind: 'create', from: 'dbPassword' },
      lockboxMasterKey: { kind: 'reference', ref: { arn: ARN('lockbox') } },
      secretKeyBase: { kind: 'reference', ref: { arn: ARN('skb') } },
      pgrstJwtSecret: { kind: 'reference', ref: { arn: ARN('jwt') } },
    });
    assert.deepEqual(e.extraEnvironment, {});
    assert.deepEqual(e.kmsKeyArns, []);
  });

  it('creates the app secrets from Pulumi secrets when no ARN is given; accepts {arn, jsonKey} and SSM parameters', () => {
    const c = parse(
      { lockboxMasterKey: LOCKBOX, secretKeyBase: SKB, pgrstJwtSecret: JWT, targets: { ecs: { ...ECS_MIN, secrets: { tooljetDbPassword: { arn: ARN('rds-managed'), jsonKey: 'password' }, pgPassword: 'arn:aws:ssm:eu-west-1:123456789012:parameter/tooljet/pg' } } } },
      ['dbPassword', 'lockboxMasterKey', 'secretKeyBase', 'pgrstJwtSecret'],
    );
    assert.deepEqual(c.appSecrets, ['lockboxMasterKey', 'secretKeyBase', 'pgrstJwtSecret']);
    assert.deepEqual(c.targets.ecs!.secrets, {
      pgPassword: { kind: 'reference', ref: { arn: 'arn:aws:ssm:eu-west-1:123456789012:parameter/tooljet/pg' } },
      tooljetDbPassword: { kind: 'reference', ref: { arn: ARN('rds-managed'), jsonKey: 'password' } },
      lockboxMasterKey: { kind: 'create', from: 'lockboxMasterKey' },
      secretKeyBase: { kind: 'create', from: 'secretKeyBase' },
      pgrstJwtSecret: { kind: 'create', from: 'pgrstJwtSecret' },
    });
  });

  it('an app secret with neither ARN nor Pulumi secret says both ways to fix it', () => {
    oneProblem(
      { targets: { ecs: { ...ECS_MIN, secrets: { secretKeyBase: ARN('skb'), pgrstJwtSecret: ARN('jwt') } } } },
      /^tooljet-pg-upgrade:targets\.ecs\.secrets\.lockboxMasterKey: not set; give the ARN of the secret your ToolJet uses for LOCKBOX_MASTER_KEY now, or store that same value as a Pulumi secret .*: pulumi config set --secret lockboxMasterKey <current value>$/,
    );
  });

  it('never echoes what was pasted instead of an ARN, and refuses jsonKey on SSM', () => {
    const pasted = 'p4ssw0rd-pasted-by-mistake';
    const p = problems({ targets: { ecs: { ...ECS_MIN, secrets: { ...ECS_MIN.secrets, pgPassword: pasted, tooljetDbPassword: { arn: 'arn:aws:ssm:eu-west-1:123456789012:parameter/x', jsonKey: 'password' } } } } });
    assert.equal(p.length, 2);
    assert.match(p[0], /targets\.ecs\.secrets\.pgPassword: is not a secret ARN \(value not shown/);
    assert.match(p[1], /targets\.ecs\.secrets\.tooljetDbPassword\.jsonKey: applies to Secrets Manager secrets only/);
    assert.ok(!p.join('\n').includes(pasted));
  });

  it('keeps secrets out of extraEnvironment (same rule as the policy pack) without echoing values', () => {
    const p = problems({ targets: { ecs: { ...ECS_MIN, extraEnvironment: { REDIS_PASSWORD: 'r3dis-secret', REDIS_URL: 'redis://u:r3dis-secret@h:6379', PG_HOST: 'x', REDIS_PORT: 6379 } } } });
    assert.deepEqual(p.map((l) => l.split(': ')[0]).sort(), ['PG_HOST', 'REDIS_PASSWORD', 'REDIS_PORT', 'REDIS_URL'].map((k) => `tooljet-pg-upgrade:targets.ecs.extraEnvironment.${k}`).sort());
    assert.ok(!p.join('\n').includes('r3dis-secret'));
    assert.ok(p.some((l) => /REDIS_PASSWORD: looks like a secret .* targets\.ecs\.extraSecrets/.test(l)));
    assert.ok(p.some((l) => /REDIS_PORT: must be a string, got a number \(quote it in YAML\)/.test(l)));
  });

  it('refuses DATABASE_URL, TOOLJET_DB_URL, CA_CERT and NODE_TLS_REJECT_UNAUTHORIZED in extraEnvironment, extraSecrets and extra containers', () => {
    const p = problems({
      targets: {
        ecs: {
          ...ECS_MIN,
          extraEnvironment: { NODE_TLS_REJECT_UNAUTHORIZED: '0', DATABASE_URL: 'postgres://tooljet@old-db.internal/tooljet', CA_CERT: '-----BEGIN CERTIFICATE-----' },
          extraSecrets: { TOOLJET_DB_URL: ARN('tjdb-url'), DATABASE_URL: ARN('db-url') },
          extraContainers: [{ name: 'worker', image: 'worker:1', environment: [{ name: 'NODE_TLS_REJECT_UNAUTHORIZED', value: '0' }] }],
        },
      },
    });
    const keys = p.map((l) => l.split(': ')[0].replace('tooljet-pg-upgrade:targets.ecs.', ''));
    assert.deepEqual(keys.sort(), [
      'extraContainers[0].environment',
      'extraEnvironment.CA_CERT',
      'extraEnvironment.DATABASE_URL',
      'extraEnvironment.NODE_TLS_REJECT_UNAUTHORIZED',
      'extraSecrets.DATABASE_URL',
      'extraSecrets.TOOLJET_DB_URL',
    ]);
    assert.ok(p.some((l) => /extraEnvironment\.NODE_TLS_REJECT_UNAUTHORIZED: NODE_TLS_REJECT_UNAUTHORIZED must not be set: Node then skips certificate verification .*; remove it/.test(l)), p.join('\n'));
    assert.ok(p.some((l) => /extraEnvironment\.DATABASE_URL: DATABASE_URL must not be set: ToolJet then connects with rejectUnauthorized: false/.test(l)));
    assert.ok(!p.join('\n').includes('old-db.internal'), 'values are not echoed');
  });

  it('names every missing required key and bad value at once', () => {
    const p = problems({ targets: { ecs: { cpu: '3000', memory: 100, postgrestPort: 3000, containerName: 'postgrest', kmsKeyArns: ['alias/x'] } } });
    for (const key of ['cluster', 'service', 'executionRoleArn', 'taskRoleArn', 'tooljetHost', 'caBundleObject', 'cpu', 'memory', 'postgrestPort', 'containerName', 'kmsKeyArns[0]', 'secrets.lockboxMasterKey', 'secrets.secretKeyBase', 'secrets.pgrstJwtSecret']) {
      assert.ok(p.some((l) => l.startsWith(`tooljet-pg-upgrade:targets.ecs.${key}: `)), `${key}:\n${p.join('\n')}`);
    }
  });

  it('checks extra containers: name, image, no clash, no secrets in their environment', () => {
    const p = problems({ targets: { ecs: { ...ECS_MIN, extraContainers: [{ name: 'redis', image: 'redis:7' }, { name: 'tooljet', image: 'x' }, { image: 'y', environment: [{ name: 'API_TOKEN', value: 't0ken' }] }] } } });
    assert.equal(p.length, 3, p.join('\n'));
    assert.match(p[0], /extraContainers\[1\]\.name: "tooljet" is already used/);
    assert.match(p[1], /extraContainers\[2\]\.name: not set/);
    assert.match(p[2], /extraContainers\[2\]\.environment: API_TOKEN looks like a secret/);
    assert.ok(!p.join('\n').includes('t0ken'));
  });
});

describe('config/targets: eks', () => {
  it('{} means the Helm chart\'s names in namespace tooljet, patch mode, the ambient kubeconfig', () => {
    const c = parse({ targets: { eks: {} } });
    assert.deepEqual(c.targets.eks, {
      namespace: 'tooljet',
      secretName: 'tooljet-server',
      secretMode: 'patch',
      configMapName: 'rds-ssl-cert',
      workloads: [{ deployment: 'tooljet', container: 'tooljet' }],
      postgrest: { deployment: 'tooljet-postgrest', container: 'postgrest' },
    });
  });

  it('types every key; kubeconfig is resolved and must exist', () => {
    const kubeconfig = writeTempFile('config', 'apiVersion: v1\n');
    const c = parse({ targets: { eks: { namespace: 'apps', secretName: 'tj', configMapName: 'ca', workloads: [{ deployment: 'tj', container: 'server' }, { deployment: 'tj-worker', container: 'worker' }], postgrest: false, kubeconfig, context: 'arn:aws:eks:eu-west-1:123456789012:cluster/x' } } });
    assert.deepEqual(c.targets.eks, { namespace: 'apps', secretName: 'tj', secretMode: 'patch', configMapName: 'ca', workloads: [{ deployment: 'tj', container: 'server' }, { deployment: 'tj-worker', container: 'worker' }], postgrest: false, kubeconfig, context: 'arn:aws:eks:eu-west-1:123456789012:cluster/x' });
    oneProblem({ targets: { eks: { kubeconfig: 'certs/missing-kubeconfig' } } }, /targets\.eks\.kubeconfig: certs\/missing-kubeconfig does not exist; write it with: aws eks update-kubeconfig --name <cluster> --kubeconfig certs\/missing-kubeconfig$/);
  });

  it('secretMode create needs the three app secrets as Pulumi secrets', () => {
    oneProblem({ targets: { eks: { secretMode: 'create' } } }, /targets\.eks\.secretMode: "create" makes the component own the whole Secret, so it needs lockboxMasterKey, secretKeyBase, pgrstJwtSecret as Pulumi secrets/);
    const c = parse({ lockboxMasterKey: LOCKBOX, secretKeyBase: SKB, pgrstJwtSecret: JWT, targets: { eks: { secretMode: 'create' } } }, ['dbPassword', 'lockboxMasterKey', 'secretKeyBase', 'pgrstJwtSecret']);
    assert.equal(c.targets.eks!.secretMode, 'create');
  });

  it('refuses names Kubernetes refuses and a PostgREST Deployment also listed as a workload', () => {
    const p = problems({ targets: { eks: { namespace: 'Tool_Jet', workloads: [{ deployment: 'tooljet-postgrest', container: 'postgrest' }] } } });
    assert.equal(p.length, 2, p.join('\n'));
    assert.match(p[0], /targets\.eks\.namespace: "Tool_Jet" is not valid; use a Kubernetes name/);
    assert.match(p[1], /targets\.eks\.postgrest: Deployment "tooljet-postgrest" is also listed in workloads/);
  });
});

describe('config/targets: ami', () => {
  it('defaults: $Default source version made default, bundle key, nest + postgrest, password created from dbPassword', () => {
    const c = parse({ targets: { ami: { launchTemplateId: 'lt-0abc12345def67890', caBundleObject: { bucket: 'tooljet-config' } } } });
    assert.deepEqual(c.targets.ami, {
      launchTemplateId: 'lt-0abc12345def67890',
      sourceVersion: '$Default',
      setDefaultVersion: true,
      caBundle: { s3: { bucket: 'tooljet-config', key: TARGET_DEFAULTS.ami.caBundleKey } },
      pgPassword: { kind: 'create', from: 'dbPassword' },
      secretNamePrefix: 'tooljet-pg-upgrade/staging/',
      restartUnits: ['nest', 'postgrest'],
    });
  });

  it('types every key', () => {
    const c = parse({ targets: { ami: { launchTemplateId: 'lt-0abc12345def67890', sourceVersion: 3, setDefaultVersion: false, caBundleUrl: 'https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem', pgPassword: { arn: ARN('db'), jsonKey: 'password' }, tooljetDbPassword: ARN('tjdb'), secretNamePrefix: 'tj/', secretsKmsKeyId: 'alias/tooljet', instanceRoleName: 'tooljet-ec2', restartUnits: ['nest'], envFile: '/srv/app/.env', caFile: '/srv/certs/rds.pem' } } });
    assert.deepEqual(c.targets.ami, {
      launchTemplateId: 'lt-0abc12345def67890',
      sourceVersion: '3',
      setDefaultVersion: false,
      caBundle: { url: 'https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem' },
      pgPassword: { kind: 'reference', ref: { arn: ARN('db'), jsonKey: 'password' } },
      tooljetDbPassword: { arn: ARN('tjdb') },
      secretNamePrefix: 'tj/',
      secretsKmsKeyId: 'alias/tooljet',
      instanceRoleName: 'tooljet-ec2',
      restartUnits: ['nest'],
      envFile: '/srv/app/.env',
      caFile: '/srv/certs/rds.pem',
    });
  });

  it('needs the template and one bundle source; refuses both sources, a role ARN for a name, http, relative paths', () => {
    const p = problems({ targets: { ami: { instanceRoleName: 'arn:aws:iam::123456789012:role/tooljet-ec2', envFile: 'app/.env' } } });
    assert.deepEqual(p.map((l) => l.split(': ')[0]), ['launchTemplateId', 'caBundleObject', 'instanceRoleName', 'envFile'].map((k) => `tooljet-pg-upgrade:targets.ami.${k}`));
    oneProblem({ targets: { ami: { launchTemplateId: 'lt-0abc12345def67890', caBundleObject: { bucket: 'b-1' }, caBundleUrl: 'https://x.example/b.pem' } } }, /targets\.ami\.caBundleUrl: and targets\.ami\.caBundleObject are both set; keep one/);
    oneProblem({ targets: { ami: { launchTemplateId: 'lt-0abc12345def67890', caBundleUrl: 'http://x.example/b.pem' } } }, /targets\.ami\.caBundleUrl: "http:\/\/x\.example\/b\.pem" is not valid; use an https URL/);
  });
});

describe('config: app secrets and validation', () => {
  it('app secrets must be Pulumi secrets of the right shape; values never echoed', () => {
    const p = problems({ lockboxMasterKey: LOCKBOX, secretKeyBase: 'not-hex', pgrstJwtSecret: 'tiny-jwt' }, ['dbPassword', 'secretKeyBase', 'pgrstJwtSecret']);
    assert.equal(p.length, 3);
    assert.match(p[0], /^tooljet-pg-upgrade:lockboxMasterKey: is stored in plain text; make it a secret/);
    assert.match(p[1], /^tooljet-pg-upgrade:secretKeyBase: is not a valid SECRET_KEY_BASE \(value not shown\): it must be a hex string of at least 32 characters/);
    assert.match(p[2], /^tooljet-pg-upgrade:pgrstJwtSecret: is not a valid PGRST_JWT_SECRET .* at least 32 characters/);
    for (const v of [LOCKBOX, 'not-hex', 'tiny-jwt']) assert.ok(!p.join('\n').includes(v));
  });

  it('validation defaults: enabled, ToolJet Database too, 4 jobs, read-only (no ANALYZE, no setval), 2h', () => {
    assert.deepEqual(parse({}).validation, { enabled: true, tooljetDb: true, jobs: 4, analyze: false, fixSequences: false, timeout: '2h' });
    assert.deepEqual(parse({ validation: JSON.stringify({ enabled: false, tooljetDb: false, jobs: 2, analyze: true, fixSequences: true, timeout: '90m' }) }).validation, {
      enabled: false,
      tooljetDb: false,
      jobs: 2,
      analyze: true,
      fixSequences: true,
      timeout: '90m',
    });
  });
});
