// targets.ecs through parseStackConfig (targets/ecs/settings.ts): defaults, every key typed, and one clear line per
// bad value (naming the full key, never echoing a secret).
import { strict as assert } from 'assert';
import { ECS_SETTINGS_DEFAULTS } from '../../../targets/ecs/settings';
import { ARN, ECS_MIN, JWT, LOCKBOX, oneProblem, parse, problems, SKB } from '../../helpers/settings';

describe('targets/ecs/settings: targets.ecs through parseStackConfig', () => {
  it("defaults: updateService, the bundle key, secret prefix; family and size unset (the service's); pgPassword created from dbPassword", () => {
    const c = parse({ targets: { ecs: ECS_MIN } });
    const e = c.targets.ecs!;
    assert.equal(e.updateService, true);
    assert.equal(e.deployTimeoutSeconds, 30 * 60);
    assert.equal(e.family, undefined, "the new revision keeps the family of the service's task definition");
    assert.equal(e.cpu, undefined);
    assert.equal(e.memory, undefined);
    assert.equal(e.tooljetImage, undefined, 'no floating image default');
    assert.deepEqual(e.caBundleObject, { bucket: 'tooljet-config', key: ECS_SETTINGS_DEFAULTS.caBundleKey });
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

  it('the init container and PostgREST images must be pinned by digest (issue 14 item 7)', () => {
    const pinned = `postgrest/postgrest@sha256:${'ab'.repeat(32)}`;
    assert.equal(
      parse({ targets: { ecs: { ...ECS_MIN, postgrestImage: pinned } } }).targets.ecs!.postgrestImage,
      pinned,
    );
    oneProblem(
      { targets: { ecs: { ...ECS_MIN, caInitImage: 'public.ecr.aws/aws-cli/aws-cli:2.27.26' } } },
      /^tooljet-pg-upgrade:targets\.ecs\.caInitImage: "public\.ecr\.aws\/aws-cli\/aws-cli:2\.27\.26" is not valid; pin it by digest: use <image>@sha256:<64 hex digits> .*\(unset: public\.ecr\.aws\/aws-cli\/aws-cli@sha256:[0-9a-f]{64}\)$/,
    );
    oneProblem(
      { targets: { ecs: { ...ECS_MIN, postgrestImage: 'postgrest/postgrest:v12.2.0' } } },
      /^tooljet-pg-upgrade:targets\.ecs\.postgrestImage: .* is not valid; pin it by digest: /,
    );
  });

  it('creates the app secrets from Pulumi secrets when no ARN is given; accepts {arn, jsonKey} and SSM parameters', () => {
    const c = parse(
      {
        lockboxMasterKey: LOCKBOX,
        secretKeyBase: SKB,
        pgrstJwtSecret: JWT,
        targets: {
          ecs: {
            ...ECS_MIN,
            secrets: {
              tooljetDbPassword: { arn: ARN('rds-managed'), jsonKey: 'password' },
              pgPassword: 'arn:aws:ssm:eu-west-1:123456789012:parameter/tooljet/pg',
            },
          },
        },
      },
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
    const p = problems({
      targets: {
        ecs: {
          ...ECS_MIN,
          secrets: {
            ...ECS_MIN.secrets,
            pgPassword: pasted,
            tooljetDbPassword: { arn: 'arn:aws:ssm:eu-west-1:123456789012:parameter/x', jsonKey: 'password' },
          },
        },
      },
    });
    assert.equal(p.length, 2);
    assert.match(p[0], /targets\.ecs\.secrets\.pgPassword: is not a secret ARN \(value not shown/);
    assert.match(p[1], /targets\.ecs\.secrets\.tooljetDbPassword\.jsonKey: applies to Secrets Manager secrets only/);
    assert.ok(!p.join('\n').includes(pasted));
  });

  it('keeps secrets out of extraEnvironment (same rule as the policy pack) without echoing values', () => {
    const p = problems({
      targets: {
        ecs: {
          ...ECS_MIN,
          extraEnvironment: {
            REDIS_PASSWORD: 'r3dis-secret',
            REDIS_URL: 'redis://u:r3dis-secret@h:6379',
            PG_HOST: 'x',
            REDIS_PORT: 6379,
          },
        },
      },
    });
    assert.deepEqual(
      p.map((l) => l.split(': ')[0]).sort(),
      ['PG_HOST', 'REDIS_PASSWORD', 'REDIS_PORT', 'REDIS_URL']
        .map((k) => `tooljet-pg-upgrade:targets.ecs.extraEnvironment.${k}`)
        .sort(),
    );
    assert.ok(!p.join('\n').includes('r3dis-secret'));
    assert.ok(p.some((l) => /REDIS_PASSWORD: looks like a secret .* targets\.ecs\.extraSecrets/.test(l)));
    assert.ok(p.some((l) => /REDIS_PORT: must be a string, got a number \(quote it in YAML\)/.test(l)));
  });

  it('refuses DATABASE_URL, TOOLJET_DB_URL, CA_CERT and NODE_TLS_REJECT_UNAUTHORIZED in extraEnvironment, extraSecrets and extra containers', () => {
    const p = problems({
      targets: {
        ecs: {
          ...ECS_MIN,
          extraEnvironment: {
            NODE_TLS_REJECT_UNAUTHORIZED: '0',
            DATABASE_URL: 'postgres://tooljet@old-db.internal/tooljet',
            CA_CERT: '-----BEGIN CERTIFICATE-----',
          },
          extraSecrets: { TOOLJET_DB_URL: ARN('tjdb-url'), DATABASE_URL: ARN('db-url') },
          extraContainers: [
            { name: 'worker', image: 'worker:1', environment: [{ name: 'NODE_TLS_REJECT_UNAUTHORIZED', value: '0' }] },
          ],
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
    assert.ok(
      p.some((l) =>
        /extraEnvironment\.NODE_TLS_REJECT_UNAUTHORIZED: NODE_TLS_REJECT_UNAUTHORIZED must not be set: Node then skips certificate verification .*; remove it/.test(
          l,
        ),
      ),
      p.join('\n'),
    );
    assert.ok(
      p.some((l) =>
        /extraEnvironment\.DATABASE_URL: DATABASE_URL must not be set: ToolJet then connects with rejectUnauthorized: false/.test(
          l,
        ),
      ),
    );
    assert.ok(!p.join('\n').includes('old-db.internal'), 'values are not echoed');
  });

  it('names every missing required key and bad value at once', () => {
    const p = problems({
      targets: {
        ecs: { cpu: '3000', memory: 100, postgrestPort: 3000, containerName: 'postgrest', kmsKeyArns: ['alias/x'] },
      },
    });
    for (const key of [
      'cluster',
      'service',
      'executionRoleArn',
      'taskRoleArn',
      'tooljetHost',
      'caBundleObject',
      'cpu',
      'memory',
      'postgrestPort',
      'containerName',
      'kmsKeyArns[0]',
      'secrets.lockboxMasterKey',
      'secrets.secretKeyBase',
      'secrets.pgrstJwtSecret',
    ]) {
      assert.ok(
        p.some((l) => l.startsWith(`tooljet-pg-upgrade:targets.ecs.${key}: `)),
        `${key}:\n${p.join('\n')}`,
      );
    }
  });

  it('checks extra containers: name, image, no clash, no secrets in their environment', () => {
    const p = problems({
      targets: {
        ecs: {
          ...ECS_MIN,
          extraContainers: [
            { name: 'redis', image: 'redis:7' },
            { name: 'tooljet', image: 'x' },
            { image: 'y', environment: [{ name: 'API_TOKEN', value: 't0ken' }] },
          ],
        },
      },
    });
    assert.equal(p.length, 3, p.join('\n'));
    assert.match(p[0], /extraContainers\[1\]\.name: "tooljet" is already used/);
    assert.match(p[1], /extraContainers\[2\]\.name: not set/);
    assert.match(p[2], /extraContainers\[2\]\.environment: API_TOKEN looks like a secret/);
    assert.ok(!p.join('\n').includes('t0ken'));
  });

  it('reviewedEnvironmentFiles: a list of S3 object ARNs, default none', () => {
    assert.deepEqual(parse({ targets: { ecs: ECS_MIN } }).targets.ecs!.reviewedEnvironmentFiles, []);
    const files = ['arn:aws:s3:::tooljet-config/env/tooljet.env', 'arn:aws-us-gov:s3:::cfg.example/a/b.env'];
    assert.deepEqual(
      parse({ targets: { ecs: { ...ECS_MIN, reviewedEnvironmentFiles: files } } }).targets.ecs!
        .reviewedEnvironmentFiles,
      files,
    );
    oneProblem(
      { targets: { ecs: { ...ECS_MIN, reviewedEnvironmentFiles: ['s3://tooljet-config/env/tooljet.env'] } } },
      /^tooljet-pg-upgrade:targets\.ecs\.reviewedEnvironmentFiles\[0\]: .*list the S3 object ARNs of environment files/,
    );
  });

  it('refuses empty values, which ECS drops at registration (terraform-provider-aws#39533, pulumi-aws#4576)', () => {
    const p = problems({
      targets: {
        ecs: {
          ...ECS_MIN,
          extraEnvironment: { REDIS_HOST: '' },
          extraContainers: [{ name: 'redis', image: 'redis:7', environment: [{ name: 'MODE', value: '' }] }],
        },
      },
    });
    assert.equal(p.length, 2, p.join('\n'));
    assert.match(
      p[0],
      /^tooljet-pg-upgrade:targets\.ecs\.extraEnvironment\.REDIS_HOST: is empty: ECS drops an environment variable whose value is "" when it registers the task definition/,
    );
    assert.match(p[1], /^tooljet-pg-upgrade:targets\.ecs\.extraContainers\[0\]\.environment: MODE is empty: ECS drops/);
  });
});
