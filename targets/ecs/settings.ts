// targets.ecs: the existing ToolJet service on Fargate, the roles its tasks run with, where its secrets live, and
// where the CA bundle is uploaded for the init container. The parser, its typed result, defaults and sub-keys
// (docs/targets.md documents each key).
import type { Reader } from '../../config/reader';
import { APP_SECRET_VARIABLES, AppSecretKey } from '../shared/app-secrets';
import { DATABASE_ENV_KEYS } from '../shared/database-env';
import type { TargetContext } from '../shared/kind';
import {
  defaultSecretNamePrefix,
  describe,
  ENV_NAME,
  IAM_ROLE_ARN,
  IMAGE,
  isPlainObject,
  KMS_KEY_ARN,
  KMS_KEY_ID,
  LOG_GROUP,
  Obj,
  readS3Object,
  readSecretRef,
  readStringList,
  requiredMatching,
  S3ObjectConfig,
  SECRET_LOOKING_NAME,
  SECRET_NAME_PREFIX,
  SecretRefConfig,
  SecretSource,
  TOOLJET_HOST,
} from '../shared/settings';
import { isUnsafeEnvName, unsafeEnvProblem } from '../shared/unsafe-env';
import { IMAGE_BY_DIGEST, IMAGE_DIGEST_FIX } from '../shared/render';
import { CA_INIT_IMAGE, POSTGREST_IMAGE } from './render';

export const ECS_SECRET_NAMES = [
  'pgPassword',
  'tooljetDbPassword',
  'lockboxMasterKey',
  'secretKeyBase',
  'pgrstJwtSecret',
] as const;
export type EcsSecretName = (typeof ECS_SECRET_NAMES)[number];

export interface EcsTargetConfig {
  /** Cluster name or ARN of the existing ToolJet service. */
  readonly cluster: string;
  /** Name of the existing ToolJet ECS service (its network, load balancer and desired count are left alone). */
  readonly service: string;
  /** Point the service at the new revision and wait for the deployment; false: only register the revision. */
  readonly updateService: boolean;
  /** `deployTimeout` in seconds: that deployment's time budget (ToolJet's health check grace period alone is 900 s). */
  readonly deployTimeoutSeconds: number;
  /** Unset: the family of the service's current task definition (the new revision is based on that definition). */
  readonly family?: string;
  /** Unset: the current task definition's. */
  readonly cpu?: string;
  readonly memory?: string;
  readonly executionRoleArn: string;
  readonly taskRoleArn: string;
  readonly tooljetHost: string;
  readonly containerName?: string;
  /** Replaces the image of the ToolJet container; unset: the current task definition's image is kept. */
  readonly tooljetImage?: string;
  /** Replaces the PostgREST sidecar's image; unset: the current sidecar's (a new sidecar: postgrest/postgrest:v12.2.0). */
  readonly postgrestImage?: string;
  readonly caInitImage?: string;
  readonly logGroup?: string;
  readonly postgrestLogGroup?: string;
  readonly postgrestPort?: number;
  /** Further plain (non-secret) variables of the ToolJet container, e.g. REDIS_HOST. */
  readonly extraEnvironment: Readonly<Record<string, string>>;
  /** Further secret variables of the ToolJet container, by reference. */
  readonly extraSecrets: Readonly<Record<string, SecretRefConfig>>;
  /** Further containers (e.g. ToolJet's redis sidecar), appended as given. */
  readonly extraContainers: ReadonlyArray<Readonly<Record<string, unknown>>>;
  /** pgPassword, lockboxMasterKey, secretKeyBase, pgrstJwtSecret always; tooljetDbPassword only when it differs. */
  readonly secrets: Readonly<Partial<Record<EcsSecretName, SecretSource>>>;
  /** Name prefix of the Secrets Manager secrets the component creates. */
  readonly secretNamePrefix: string;
  /** KMS key for the created secrets (default: the account's aws/secretsmanager key). */
  readonly secretsKmsKeyId?: string;
  /** Customer-managed KMS keys of referenced secrets (the execution role gets kms:Decrypt on them). */
  readonly kmsKeyArns: readonly string[];
  /** Where the component uploads the CA bundle for the init container. */
  readonly caBundleObject: S3ObjectConfig;
  /**
   * S3 ARNs of the task's environment files that the operator has checked set none of DATABASE_URL, TOOLJET_DB_URL,
   * CA_CERT, NODE_TLS_REJECT_UNAUTHORIZED; a container loading any other file is refused (merge.ts).
   */
  readonly reviewedEnvironmentFiles: readonly string[];
}

/** Every sub-key of targets.ecs (nested mappings as `ecs.<child>`). */
export const ECS_SUB_KEYS = {
  ecs: [
    'cluster',
    'service',
    'updateService',
    'deployTimeout',
    'family',
    'cpu',
    'memory',
    'executionRoleArn',
    'taskRoleArn',
    'tooljetHost',
    'containerName',
    'tooljetImage',
    'postgrestImage',
    'caInitImage',
    'logGroup',
    'postgrestLogGroup',
    'postgrestPort',
    'extraEnvironment',
    'extraSecrets',
    'extraContainers',
    'secrets',
    'secretNamePrefix',
    'secretsKmsKeyId',
    'kmsKeyArns',
    'caBundleObject',
    'reviewedEnvironmentFiles',
  ],
  'ecs.secrets': ECS_SECRET_NAMES,
  'ecs.caBundleObject': ['bucket', 'key'],
} as const;

export const ECS_SETTINGS_DEFAULTS = {
  updateService: true,
  deployTimeoutSeconds: 30 * 60,
  caBundleKey: 'tooljet-pg-upgrade/rds-ca/global-bundle.pem',
} as const;

const NAME = /^[A-Za-z0-9_-]{1,255}$/;
const CLUSTER = /^([A-Za-z0-9_-]{1,255}|arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:cluster\/[A-Za-z0-9_-]{1,255})$/;
const FARGATE_CPU = ['256', '512', '1024', '2048', '4096', '8192', '16384'];
/** Reserved by the renderer (render.ts). */
const RESERVED_CONTAINERS = ['rds-ca-bundle', 'postgrest'];
/** Variables the ToolJet container gets from the renderer; extraEnvironment/extraSecrets may not set them. */
const RENDERED_VARIABLES = [
  ...DATABASE_ENV_KEYS,
  'TOOLJET_HOST',
  'PGRST_HOST',
  'PGRST_SERVER_PORT',
  'DEPLOYMENT_PLATFORM',
  'PG_PASS',
  'TOOLJET_DB_PASS',
  ...Object.values(APP_SECRET_VARIABLES),
];
/** An S3 object ARN as ECS's `environmentFiles[].value` names it. */
const S3_OBJECT_ARN = /^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/[^\s*?]+$/;
/**
 * ECS drops an environment entry whose value is empty when it registers a task definition (terraform-provider-aws#39533,
 * pulumi-aws#4576): such a variable would never reach the container, and every pulumi up would register a new revision.
 */
const EMPTY_VALUE_PROBLEM =
  'is empty: ECS drops an environment variable whose value is "" when it registers the task definition (so it never reaches the container and every pulumi up registers another revision); remove it or give it a value';
/** `scheme://user:password@`: the policy pack refuses it in plain environment. */
const URI_WITH_PASSWORD = /[a-z][a-z0-9+.-]*:\/\/[^/:@\s]+:[^@\s/]+@/i;

function readSecrets(r: Reader, value: unknown, ctx: TargetContext): Partial<Record<EcsSecretName, SecretSource>> {
  const key = 'targets.ecs.secrets';
  let o: Obj = {};
  if (value !== undefined) {
    if (!isPlainObject(value)) r.problem(key, `must be a mapping of secret name -> ARN, got ${describe(value)}`);
    else o = value;
  }
  for (const name of Object.keys(o)) {
    if (!(ECS_SECRET_NAMES as readonly string[]).includes(name)) {
      r.problem(
        `${key}.${name}`,
        `unknown key; known keys of ${key}: ${ECS_SECRET_NAMES.join(', ')} (other secret variables go in targets.ecs.extraSecrets)`,
      );
    }
  }
  const out: Partial<Record<EcsSecretName, SecretSource>> = {};
  for (const name of ECS_SECRET_NAMES) {
    const v = o[name];
    if (v !== undefined) {
      const ref = readSecretRef(r, `${key}.${name}`, v);
      if (ref) out[name] = { kind: 'reference', ref };
      continue;
    }
    if (name === 'pgPassword') out[name] = { kind: 'create', from: 'dbPassword' };
    else if (name === 'tooljetDbPassword')
      continue; // same secret as pgPassword
    else if (ctx.appSecrets.has(name as AppSecretKey)) out[name] = { kind: 'create', from: name as AppSecretKey };
    else {
      r.problem(
        `${key}.${name}`,
        `not set; give the ARN of the secret your ToolJet uses for ${APP_SECRET_VARIABLES[name as AppSecretKey]} now, ` +
          `or store that same value as a Pulumi secret for the component to put into Secrets Manager: pulumi config set --secret ${name} <current value>`,
      );
    }
  }
  return out;
}

function readExtraEnvironment(r: Reader, value: unknown): Record<string, string> {
  const key = 'targets.ecs.extraEnvironment';
  if (value === undefined) return {};
  if (!isPlainObject(value)) {
    r.problem(key, `must be a mapping of variable name -> value, got ${describe(value)}`);
    return {};
  }
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(value)) {
    if (!ENV_NAME.test(name))
      r.problem(
        `${key}.${name}`,
        'is not an environment variable name (letters, digits, _; not starting with a digit)',
      );
    else if (isUnsafeEnvName(name)) r.problem(`${key}.${name}`, unsafeEnvProblem(name));
    else if (SECRET_LOOKING_NAME.test(name)) {
      r.problem(
        `${key}.${name}`,
        'looks like a secret (PASS/SECRET/KEY/TOKEN in the name): give its secret ARN under targets.ecs.extraSecrets instead (value not shown)',
      );
    } else if (RENDERED_VARIABLES.includes(name))
      r.problem(`${key}.${name}`, 'is set by this target itself; remove it');
    else if (typeof v !== 'string')
      r.problem(
        `${key}.${name}`,
        `must be a string, got ${describe(v)}${typeof v === 'number' || typeof v === 'boolean' ? ' (quote it in YAML)' : ''}`,
      );
    else if (v === '') r.problem(`${key}.${name}`, EMPTY_VALUE_PROBLEM);
    else if (URI_WITH_PASSWORD.test(v))
      r.problem(
        `${key}.${name}`,
        'holds a URI with a password (value not shown): put the password in a secret and reference it under targets.ecs.extraSecrets',
      );
    else out[name] = v;
  }
  return out;
}

function readExtraSecrets(r: Reader, value: unknown): Record<string, SecretRefConfig> {
  const key = 'targets.ecs.extraSecrets';
  if (value === undefined) return {};
  if (!isPlainObject(value)) {
    r.problem(key, `must be a mapping of variable name -> secret ARN, got ${describe(value)}`);
    return {};
  }
  const out: Record<string, SecretRefConfig> = {};
  for (const [name, v] of Object.entries(value)) {
    if (!ENV_NAME.test(name))
      r.problem(
        `${key}.${name}`,
        'is not an environment variable name (letters, digits, _; not starting with a digit)',
      );
    else if (isUnsafeEnvName(name)) r.problem(`${key}.${name}`, unsafeEnvProblem(name));
    else if (RENDERED_VARIABLES.includes(name))
      r.problem(
        `${key}.${name}`,
        `is set by this target itself${(Object.values(APP_SECRET_VARIABLES) as string[]).includes(name) || name.endsWith('_PASS') ? ' (use targets.ecs.secrets)' : ''}; remove it`,
      );
    else {
      const ref = readSecretRef(r, `${key}.${name}`, v);
      if (ref) out[name] = ref;
    }
  }
  return out;
}

function readExtraContainers(r: Reader, value: unknown, containerName: string): Array<Record<string, unknown>> {
  const key = 'targets.ecs.extraContainers';
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    r.problem(key, `must be a list of ECS container definitions, got ${describe(value)}`);
    return [];
  }
  const out: Array<Record<string, unknown>> = [];
  const names = new Set([containerName, ...RESERVED_CONTAINERS]);
  value.forEach((c, i) => {
    const at = `${key}[${i}]`;
    if (!isPlainObject(c)) {
      r.problem(at, `must be an ECS container definition (a mapping with name and image), got ${describe(c)}`);
      return;
    }
    const name = r.matching(`${at}.name`, c.name, NAME, 'use a container name of letters, digits, _ and -');
    r.matching(`${at}.image`, c.image, IMAGE, 'use an image reference such as redis:7');
    if (c.name === undefined) r.problem(`${at}.name`, 'not set; every container needs a name');
    if (c.image === undefined) r.problem(`${at}.image`, 'not set; every container needs an image');
    if (name && names.has(name))
      r.problem(`${at}.name`, `"${name}" is already used by this target's containers; choose another name`);
    if (name) names.add(name);
    // A sidecar gets none of the variables that would undo verified TLS either (in environment or secrets).
    for (const field of ['environment', 'secrets'] as const) {
      const list = c[field];
      if (!Array.isArray(list)) continue;
      for (const e of list) {
        const n = isPlainObject(e) ? e.name : undefined;
        if (typeof n === 'string' && isUnsafeEnvName(n)) r.problem(`${at}.${field}`, unsafeEnvProblem(n));
      }
    }
    const env = c.environment;
    if (env !== undefined) {
      if (!Array.isArray(env)) r.problem(`${at}.environment`, 'must be a list of {name, value}');
      else {
        for (const e of env) {
          const n = isPlainObject(e) ? e.name : undefined;
          if (typeof n !== 'string' || SECRET_LOOKING_NAME.test(n)) {
            r.problem(
              `${at}.environment`,
              `${typeof n === 'string' ? `${n} looks like a secret` : 'has an entry without a name'}: secrets go in the container's "secrets" with valueFrom ARNs (value not shown)`,
            );
          } else if (isPlainObject(e) && (e.value === '' || e.value === undefined || e.value === null)) {
            r.problem(`${at}.environment`, `${n} ${EMPTY_VALUE_PROBLEM}`);
          } else if (isPlainObject(e) && typeof e.value === 'string' && URI_WITH_PASSWORD.test(e.value)) {
            r.problem(
              `${at}.environment`,
              `${n} holds a URI with a password (value not shown): use the container's "secrets"`,
            );
          }
        }
      }
    }
    out.push({ ...c });
  });
  return out;
}

export function parseEcsTarget(r: Reader, o: Obj, ctx: TargetContext): EcsTargetConfig | undefined {
  const k = (sub: string) => `targets.ecs.${sub}`;
  r.unknownKeys('targets.ecs', o, ECS_SUB_KEYS.ecs);
  const d = ECS_SETTINGS_DEFAULTS;

  const cluster = requiredMatching(
    r,
    k('cluster'),
    o.cluster,
    CLUSTER,
    'use the cluster name or ARN',
    'name the ECS cluster of the ToolJet service: pulumi config set --path targets.ecs.cluster <cluster>',
  );
  const service = requiredMatching(
    r,
    k('service'),
    o.service,
    NAME,
    'use the ECS service name',
    'name the ToolJet ECS service (aws ecs list-services --cluster <cluster>): pulumi config set --path targets.ecs.service <service>',
  );
  const updateService = r.boolean(k('updateService'), o.updateService) ?? d.updateService;
  const deployTimeoutSeconds = r.duration(k('deployTimeout'), o.deployTimeout, d.deployTimeoutSeconds);
  // Unset: the service's current task definition's (the new revision is based on it: merge.ts).
  const family = r.matching(
    k('family'),
    o.family,
    NAME,
    'use the task definition family of the service (letters, digits, _ and -)',
  );

  let cpu: string | undefined;
  if (o.cpu !== undefined) {
    const c = typeof o.cpu === 'number' ? String(o.cpu) : o.cpu;
    if (typeof c === 'string' && FARGATE_CPU.includes(c)) cpu = c;
    else
      r.problem(
        k('cpu'),
        `must be Fargate CPU units, one of ${FARGATE_CPU.join(', ')} (or unset to keep the service's)`,
      );
  }
  let memory: string | undefined;
  if (o.memory !== undefined) {
    const m = typeof o.memory === 'number' ? String(o.memory) : o.memory;
    if (typeof m === 'string' && /^\d+$/.test(m) && Number(m) >= 512 && Number(m) <= 122880) memory = m;
    else
      r.problem(
        k('memory'),
        "must be the task memory in MiB, 512 to 122880 (a valid combination with cpu), or unset to keep the service's",
      );
  }

  const roleHint = (which: string) =>
    `give the ARN of the ${which} role of the ToolJet tasks (aws ecs describe-task-definition --task-definition <family> --query taskDefinition.${which}RoleArn)`;
  const executionRoleArn = requiredMatching(
    r,
    k('executionRoleArn'),
    o.executionRoleArn,
    IAM_ROLE_ARN,
    'use an IAM role ARN such as arn:aws:iam::123456789012:role/tooljet-ecs-execution',
    roleHint('execution'),
  );
  const taskRoleArn = requiredMatching(
    r,
    k('taskRoleArn'),
    o.taskRoleArn,
    IAM_ROLE_ARN,
    'use an IAM role ARN such as arn:aws:iam::123456789012:role/tooljet-ecs-task',
    roleHint('task'),
  );
  const tooljetHost = requiredMatching(
    r,
    k('tooljetHost'),
    o.tooljetHost,
    TOOLJET_HOST,
    'use the public URL of ToolJet such as https://tooljet.example.com',
    'set TOOLJET_HOST, the public URL of ToolJet: pulumi config set --path targets.ecs.tooljetHost https://tooljet.example.com',
  );

  const containerName = r.matching(
    k('containerName'),
    o.containerName,
    NAME,
    'use the container name the load balancer targets (letters, digits, _ and -)',
  );
  if (containerName && RESERVED_CONTAINERS.includes(containerName))
    r.problem(k('containerName'), `"${containerName}" is used by this target's own containers; use "tooljet"`);
  const imageFix =
    "use a pinned image reference such as tooljet/tooljet:ee-lts-3.16.25 (unset: keep the service's image)";
  const tooljetImage = r.matching(k('tooljetImage'), o.tooljetImage, IMAGE, imageFix);
  // The images this target brings run by digest only (a moved tag cannot change what runs in production).
  const postgrestImage = r.matching(
    k('postgrestImage'),
    o.postgrestImage,
    IMAGE_BY_DIGEST,
    `pin it by digest: ${IMAGE_DIGEST_FIX} (unset: the sidecar's own image, or ${POSTGREST_IMAGE} for a sidecar this target adds)`,
  );
  const caInitImage = r.matching(
    k('caInitImage'),
    o.caInitImage,
    IMAGE_BY_DIGEST,
    `pin it by digest: ${IMAGE_DIGEST_FIX}, of an image with the AWS CLI v2 and sha256sum (unset: ${CA_INIT_IMAGE})`,
  );
  const logGroup = r.matching(
    k('logGroup'),
    o.logGroup,
    LOG_GROUP,
    'use a CloudWatch log group name such as /ecs/ToolJet',
  );
  const postgrestLogGroup = r.matching(
    k('postgrestLogGroup'),
    o.postgrestLogGroup,
    LOG_GROUP,
    'use a CloudWatch log group name such as /ecs/postgrest',
  );
  const postgrestPort = r.integer(k('postgrestPort'), o.postgrestPort, 1024, 65535);
  if (postgrestPort === 3000)
    r.problem(k('postgrestPort'), "3000 is the ToolJet container's port; use another, such as 3002");

  const extraEnvironment = readExtraEnvironment(r, o.extraEnvironment);
  const extraSecrets = readExtraSecrets(r, o.extraSecrets);
  const extraContainers = readExtraContainers(r, o.extraContainers, containerName ?? 'tooljet');
  const secrets = readSecrets(r, o.secrets, ctx);

  const secretNamePrefix =
    r.matching(
      k('secretNamePrefix'),
      o.secretNamePrefix,
      SECRET_NAME_PREFIX,
      'use letters, digits and / _ + = . @ -',
    ) ?? defaultSecretNamePrefix(ctx.project, ctx.stack);
  const secretsKmsKeyId = r.matching(
    k('secretsKmsKeyId'),
    o.secretsKmsKeyId,
    KMS_KEY_ID,
    'use a KMS key ARN, key id or alias/<name>',
  );
  const kmsKeyArns =
    readStringList(
      r,
      k('kmsKeyArns'),
      o.kmsKeyArns,
      KMS_KEY_ARN,
      'use KMS key ARNs (arn:aws:kms:<region>:<account>:key/<id>)',
    ) ?? [];

  if (o.caBundleObject === undefined) {
    r.problem(
      k('caBundleObject'),
      'not set; the bundle (~170 KB) reaches Fargate tasks through S3: pulumi config set --path targets.ecs.caBundleObject.bucket <existing bucket>',
    );
  }
  const caBundleObject =
    o.caBundleObject === undefined ? undefined : readS3Object(r, k('caBundleObject'), o.caBundleObject, d.caBundleKey);

  const reviewedEnvironmentFiles =
    readStringList(
      r,
      k('reviewedEnvironmentFiles'),
      o.reviewedEnvironmentFiles,
      S3_OBJECT_ARN,
      'list the S3 object ARNs of environment files (arn:aws:s3:::<bucket>/<key>.env, as in the task definition) that you have checked set none of DATABASE_URL, TOOLJET_DB_URL, CA_CERT, NODE_TLS_REJECT_UNAUTHORIZED',
    ) ?? [];

  if (!cluster || !service || !executionRoleArn || !taskRoleArn || !tooljetHost || !caBundleObject) return undefined;
  return {
    cluster,
    service,
    updateService,
    deployTimeoutSeconds,
    ...(family !== undefined && { family }),
    ...(cpu !== undefined && { cpu }),
    ...(memory !== undefined && { memory }),
    executionRoleArn,
    taskRoleArn,
    tooljetHost,
    ...(containerName !== undefined && { containerName }),
    ...(tooljetImage !== undefined && { tooljetImage }),
    ...(postgrestImage !== undefined && { postgrestImage }),
    ...(caInitImage !== undefined && { caInitImage }),
    ...(logGroup !== undefined && { logGroup }),
    ...(postgrestLogGroup !== undefined && { postgrestLogGroup }),
    ...(postgrestPort !== undefined && { postgrestPort }),
    extraEnvironment,
    extraSecrets,
    extraContainers,
    secrets,
    secretNamePrefix,
    ...(secretsKmsKeyId !== undefined && { secretsKmsKeyId }),
    kmsKeyArns,
    caBundleObject,
    reviewedEnvironmentFiles,
  };
}
