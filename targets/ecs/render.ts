// ECS (Fargate) target: container definitions for `tooljet` and its PostgREST sidecar, the init container that puts
// the RDS CA bundle on a task volume, the task definition around them, and the IAM policies that allow exactly what
// they read. Secrets appear only as references (`valueFrom` ARNs); the bundle is referenced as an S3 object plus its
// SHA-256.
//
// Why an init container and S3 (and not EFS, an env var or SSM): the bundle is ~170 KB, larger than any ECS/SSM/
// Secrets Manager value and the 64 KB task definition itself, and Fargate has no host paths. An S3 object fetched into
// a task-scoped volume by a short-lived container needs no file system, mount targets or security groups, works in
// every subnet that reaches S3 (gateway endpoint or NAT), and, because the task definition pins the SHA-256, a new
// bundle is a new revision and a new deployment, while a tampered or stale object stops the task before ToolJet
// starts. EFS would need a separate way to write the file and would let it change under running tasks unnoticed.
import type { CaBundle } from '../../lib/tls/ca-bundle';
import { postgrestUri, tooljetDatabaseEnv } from '../shared/database-env';
import { checkTooljetHost } from '../shared/app-secrets';
import { isUnsafeEnvName, unsafeEnvProblem } from '../shared/unsafe-env';
import { kmsDecryptStatement, PolicyStatement, secretsViaServices, serviceEndpoint } from '../shared/iam';
import {
  checkRegion,
  checkS3Object,
  CONTAINER_CA_DIR,
  CONTAINER_CA_PATH,
  DatabaseTarget,
  IMAGE_BY_DIGEST,
  IMAGE_DIGEST_FIX,
  IMAGE_REFERENCE,
  KMS_KEY_ARN,
  RenderError,
  S3ObjectRef,
} from '../shared/render';

export type { S3ObjectRef };

/** A Secrets Manager secret (optionally one JSON key / version of it) or an SSM parameter, by full ARN. */
export interface EcsSecretRef {
  arn: string;
  /** Secrets Manager only: take this key of a JSON secret (e.g. "password" of an RDS-managed secret). */
  jsonKey?: string;
  /** Secrets Manager only: pin a version stage or id (a new id makes a new task definition revision). */
  versionStage?: string;
  versionId?: string;
}

export interface EcsSecretRefs {
  /** PG_PASS */
  pgPassword: EcsSecretRef;
  /** TOOLJET_DB_PASS and the sidecar's PGPASSWORD; default `pgPassword`. */
  tooljetDbPassword?: EcsSecretRef;
  lockboxMasterKey: EcsSecretRef;
  secretKeyBase: EcsSecretRef;
  pgrstJwtSecret: EcsSecretRef;
}

export interface EcsTargetInput {
  database: DatabaseTarget;
  secrets: EcsSecretRefs;
  /** The checked bundle: its `pem` must be what `caBundleObject` holds (the init container checks `pemSha256`). */
  caBundle: CaBundle;
  caBundleObject: S3ObjectRef;
  /** Region of the task (log configuration, S3 and the AWS CLI in the init container). */
  region: string;
  /** TOOLJET_HOST */
  tooljetHost: string;
  /** Name of the ToolJet container; default "tooljet" (the load balancer's target container). */
  containerName?: string;
  /**
   * Replaces the image of the ToolJet container. Unset: the image of the service's current task definition is kept
   * (mergeEcsTaskDefinition); there is no default, because a floating tag would silently upgrade ToolJet.
   */
  tooljetImage?: string;
  /** Replaces the PostgREST sidecar's image; unset: the current sidecar's, or ECS_DEFAULTS.postgrestImage (pinned) for a new one. */
  postgrestImage?: string;
  /** Image with the AWS CLI v2 and sha256sum, run as the init container. */
  caInitImage?: string;
  /** awslogs group of the ToolJet and init containers; default "/ecs/ToolJet" (ToolJet's Terraform). */
  logGroup?: string;
  /** awslogs group of PostgREST; default "/ecs/postgrest". */
  postgrestLogGroup?: string;
  /** Port of the PostgREST sidecar; default 3002 (ToolJet's Terraform). */
  postgrestPort?: number;
  /** Further plain variables for the ToolJet container (e.g. REDIS_HOST); must not collide with rendered ones. */
  extraEnvironment?: Record<string, string>;
  /** Further secret variables for the ToolJet container (e.g. REDIS_PASSWORD). */
  extraSecrets?: Record<string, EcsSecretRef>;
  /** Containers appended unchanged (e.g. ToolJet's redis sidecar). */
  extraContainers?: ContainerDefinition[];
}

export interface KeyValuePair {
  name: string;
  value: string;
}
export interface EcsSecret {
  name: string;
  valueFrom: string;
}
export interface MountPoint {
  sourceVolume: string;
  containerPath: string;
  readOnly: boolean;
}
export interface ContainerDefinition {
  name: string;
  /** Absent in a rendered container whose image comes from the current task definition. */
  image?: string;
  essential?: boolean;
  command?: string[];
  entryPoint?: string[];
  portMappings?: Array<{
    containerPort: number;
    hostPort?: number;
    protocol: string;
    name?: string;
    appProtocol?: string;
  }>;
  environment?: KeyValuePair[];
  secrets?: EcsSecret[];
  mountPoints?: MountPoint[];
  dependsOn?: Array<{ containerName: string; condition: 'START' | 'COMPLETE' | 'SUCCESS' | 'HEALTHY' }>;
  /** S3 `.env` files ECS loads into the container (the program cannot read them; see mergeEcsTaskDefinition). */
  environmentFiles?: Array<{ value: string; type: string }>;
  logConfiguration?: { logDriver: 'awslogs'; options: Record<string, string> };
  [extra: string]: unknown;
}

export interface EcsVolume {
  name: string;
}

/**
 * postgrest/postgrest v12.2.0 (the version ToolJet's own ECS setup pins), by digest: a tag can be moved, a digest
 * cannot. Not pulled here (no registry access when this was written): it is the digest public repositories pin for
 * postgrest/postgrest:v12.2.0 (technowledgy/pgrst_dev's Dockerfile, and a ToolJet self-hosting guide, agree). Check
 * it before relying on it: `docker buildx imagetools inspect postgrest/postgrest:v12.2.0` (or `crane digest`) prints
 * the same digest; `targets.ecs.postgrestImage` overrides it (docs/targets.md).
 */
export const POSTGREST_IMAGE =
  'postgrest/postgrest@sha256:2cf1efd2c9c2e7606610c113cc73e936d8ce9ba089271cb9cbf11aa564bc30c7';
/**
 * public.ecr.aws/aws-cli/aws-cli 2.27.26 (AWS CLI v2 and sha256sum, for the init container), by digest. Same caveat:
 * the digest a public repository pins for that tag (konflux-ci/cluster-template-charts, hypershift-aws-template);
 * check it with `docker buildx imagetools inspect public.ecr.aws/aws-cli/aws-cli:2.27.26`; `targets.ecs.caInitImage`
 * overrides it.
 */
export const CA_INIT_IMAGE =
  'public.ecr.aws/aws-cli/aws-cli@sha256:ce3aee116adc8e9ba7ad27295102eb1c9c91525fbad18f45ee7a9bfd01cfec73';

export const ECS_DEFAULTS = {
  containerName: 'tooljet',
  /** For a PostgREST sidecar this target adds. */
  postgrestImage: POSTGREST_IMAGE,
  caInitImage: CA_INIT_IMAGE,
  logGroup: '/ecs/ToolJet',
  postgrestLogGroup: '/ecs/postgrest',
  postgrestPort: 3002,
  /** ECS's limit for a whole task definition. */
  maxTaskDefinitionBytes: 64 * 1024,
} as const;

export const CA_VOLUME = 'rds-ca';
export const CA_INIT_CONTAINER = 'rds-ca-bundle';
export const POSTGREST_CONTAINER = 'postgrest';

/**
 * The init container's script (POSIX sh, run by the AWS CLI image): download the bundle object, check its SHA-256,
 * install it with mode 644 on the shared volume. Everything it needs comes from its environment.
 */
export const CA_INIT_SCRIPT = [
  'set -eu',
  'tmp="${TJ_CA_FILE}.download"',
  'rm -f "$tmp"',
  'src="s3://${TJ_CA_BUCKET}/${TJ_CA_OBJECT}"',
  'if [ -n "${TJ_CA_VERSION_ID:-}" ]; then',
  '  set -- --version-id "$TJ_CA_VERSION_ID"',
  'else',
  '  set --',
  'fi',
  'if ! aws s3api get-object --bucket "$TJ_CA_BUCKET" --key "$TJ_CA_OBJECT" "$@" "$tmp" >/dev/null; then',
  '  echo "rds-ca-bundle: cannot download $src (the task role needs s3:GetObject on it)" >&2',
  '  rm -f "$tmp"',
  '  exit 1',
  'fi',
  'actual=$(sha256sum "$tmp" | cut -d " " -f 1)',
  'if [ "$actual" != "$TJ_CA_SHA256" ]; then',
  '  echo "rds-ca-bundle: $src has SHA-256 $actual, expected $TJ_CA_SHA256: refusing to install it" >&2',
  '  rm -f "$tmp"',
  '  exit 1',
  'fi',
  'chmod 0644 "$tmp"',
  'mv -f "$tmp" "$TJ_CA_FILE"',
  'chmod 0755 "$(dirname "$TJ_CA_FILE")"',
  'echo "rds-ca-bundle: installed $TJ_CA_FILE (sha256 $actual)"',
].join('\n');

const SM_ARN = /^arn:(aws[a-z-]*):secretsmanager:([a-z0-9-]+):(\d{12}):secret:([A-Za-z0-9/_+=.@-]+)$/;
const SSM_ARN = /^arn:(aws[a-z-]*):ssm:([a-z0-9-]+):(\d{12}):parameter\/[A-Za-z0-9/_.-]+$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The `valueFrom` for a reference, and the resource ARN an IAM policy must allow for it. */
export function secretValueFrom(
  field: string,
  ref: EcsSecretRef,
): { valueFrom: string; resource: string; service: 'secretsmanager' | 'ssm' } {
  if (!ref || typeof ref.arn !== 'string')
    throw new RenderError(`${field} must be {arn: "arn:aws:secretsmanager:..." or "arn:aws:ssm:...:parameter/..."}`);
  if (SSM_ARN.test(ref.arn)) {
    if (ref.jsonKey || ref.versionStage || ref.versionId)
      throw new RenderError(
        `${field}: jsonKey/versionStage/versionId apply to Secrets Manager secrets, not SSM parameters`,
      );
    return { valueFrom: ref.arn, resource: ref.arn, service: 'ssm' };
  }
  if (!SM_ARN.test(ref.arn)) {
    throw new RenderError(
      `${field} ${JSON.stringify(ref.arn)} is not a full Secrets Manager secret ARN or SSM parameter ARN (ECS needs the ARN; names are not accepted)`,
    );
  }
  for (const [k, v] of Object.entries({
    jsonKey: ref.jsonKey,
    versionStage: ref.versionStage,
    versionId: ref.versionId,
  })) {
    if (v !== undefined && !/^[A-Za-z0-9_.-]+$/.test(v))
      throw new RenderError(`${field}.${k} ${JSON.stringify(v)} has characters ECS cannot reference`);
  }
  if (ref.versionStage && ref.versionId) throw new RenderError(`${field}: give versionStage or versionId, not both`);
  const suffix =
    ref.jsonKey || ref.versionStage || ref.versionId
      ? `:${ref.jsonKey ?? ''}:${ref.versionStage ?? ''}:${ref.versionId ?? ''}`
      : '';
  return { valueFrom: ref.arn + suffix, resource: ref.arn, service: 'secretsmanager' };
}

function checkImage(field: string, image: string): string {
  if (!IMAGE_REFERENCE.test(image))
    throw new RenderError(`${field} ${JSON.stringify(image)} is not an image reference`);
  return image;
}

/** The images this target brings (init container, PostgREST sidecar) run by digest only: a moved tag cannot change them. */
function checkPinnedImage(field: string, image: string): string {
  checkImage(field, image);
  if (!IMAGE_BY_DIGEST.test(image))
    throw new RenderError(`${field} ${JSON.stringify(image)} is not pinned by digest: ${IMAGE_DIGEST_FIX}`);
  return image;
}

function logs(group: string, region: string, prefix: string): ContainerDefinition['logConfiguration'] {
  if (!/^[A-Za-z0-9_\-/.#]{1,512}$/.test(group))
    throw new RenderError(`log group ${JSON.stringify(group)} is not a CloudWatch log group name`);
  return {
    logDriver: 'awslogs',
    options: { 'awslogs-group': group, 'awslogs-region': region, 'awslogs-stream-prefix': prefix },
  };
}

const env = (o: Record<string, string>): KeyValuePair[] => Object.entries(o).map(([name, value]) => ({ name, value }));

/**
 * The containers this target owns, as parts to merge into the service's current task definition
 * (mergeEcsTaskDefinition): init (bundle), ToolJet (its database/TLS variables and secrets, mount, dependency),
 * PostgREST, then `extraContainers`. Images appear only where configured.
 */
export function renderEcsContainerDefinitions(input: EcsTargetInput): ContainerDefinition[] {
  const obj = checkS3Object('caBundleObject', input.caBundleObject);
  const region = checkRegion(input.region);
  const name = input.containerName ?? ECS_DEFAULTS.containerName;
  if (!/^[A-Za-z0-9_-]{1,255}$/.test(name) || name === CA_INIT_CONTAINER || name === POSTGREST_CONTAINER) {
    throw new RenderError(
      `containerName ${JSON.stringify(name)} is invalid or clashes with "${CA_INIT_CONTAINER}"/"${POSTGREST_CONTAINER}"`,
    );
  }
  const pgrstPort = input.postgrestPort ?? ECS_DEFAULTS.postgrestPort;
  if (!Number.isInteger(pgrstPort) || pgrstPort < 1024 || pgrstPort > 65535 || pgrstPort === 3000) {
    throw new RenderError(`postgrestPort must be an unused port 1024-65535 other than 3000, got ${pgrstPort}`);
  }
  const s = input.secrets;
  if (!s)
    throw new RenderError(
      'secrets are missing: give ARNs for pgPassword, lockboxMasterKey, secretKeyBase and pgrstJwtSecret',
    );
  const tjDbPass = s.tooljetDbPassword ?? s.pgPassword;
  const ref = (field: string, r: EcsSecretRef) => secretValueFrom(`secrets.${field}`, r).valueFrom;

  const dbEnv = tooljetDatabaseEnv(input.database, CONTAINER_CA_PATH);
  const tooljetEnv: Record<string, string> = {
    TOOLJET_HOST: checkTooljetHost(input.tooljetHost),
    ...dbEnv,
    // Not "localhost:...": ToolJet's entrypoint would start a second PostgREST inside the container.
    PGRST_HOST: `127.0.0.1:${pgrstPort}`,
    PGRST_SERVER_PORT: String(pgrstPort),
    DEPLOYMENT_PLATFORM: 'aws:ecs',
  };
  const tooljetSecrets: Record<string, string> = {
    PG_PASS: ref('pgPassword', s.pgPassword),
    TOOLJET_DB_PASS: ref('tooljetDbPassword', tjDbPass),
    LOCKBOX_MASTER_KEY: ref('lockboxMasterKey', s.lockboxMasterKey),
    SECRET_KEY_BASE: ref('secretKeyBase', s.secretKeyBase),
    PGRST_JWT_SECRET: ref('pgrstJwtSecret', s.pgrstJwtSecret),
  };
  for (const [k, v] of Object.entries(input.extraEnvironment ?? {})) {
    if (!ENV_NAME.test(k)) throw new RenderError(`extraEnvironment: invalid variable name ${JSON.stringify(k)}`);
    if (isUnsafeEnvName(k)) throw new RenderError(`extraEnvironment.${unsafeEnvProblem(k)}`);
    if (k in tooljetEnv || k in tooljetSecrets)
      throw new RenderError(`extraEnvironment.${k} collides with a variable this target renders`);
    if (typeof v !== 'string') throw new RenderError(`extraEnvironment.${k} must be a string`);
    tooljetEnv[k] = v;
  }
  for (const [k, r] of Object.entries(input.extraSecrets ?? {})) {
    if (!ENV_NAME.test(k)) throw new RenderError(`extraSecrets: invalid variable name ${JSON.stringify(k)}`);
    if (isUnsafeEnvName(k)) throw new RenderError(`extraSecrets.${unsafeEnvProblem(k)}`);
    if (k in tooljetEnv || k in tooljetSecrets)
      throw new RenderError(`extraSecrets.${k} collides with a variable this target renders`);
    tooljetSecrets[k] = ref(`extraSecrets.${k}`, r);
  }

  const caMount = (readOnly: boolean): MountPoint[] => [
    { sourceVolume: CA_VOLUME, containerPath: CONTAINER_CA_DIR, readOnly },
  ];
  const afterCa = [{ containerName: CA_INIT_CONTAINER, condition: 'SUCCESS' as const }];
  const logGroup = input.logGroup ?? ECS_DEFAULTS.logGroup;

  const init: ContainerDefinition = {
    name: CA_INIT_CONTAINER,
    image: checkPinnedImage('caInitImage', input.caInitImage ?? ECS_DEFAULTS.caInitImage),
    // Must be non-essential: it exits, and the app containers wait for its SUCCESS.
    essential: false,
    entryPoint: ['/bin/sh', '-c'],
    command: [CA_INIT_SCRIPT],
    environment: env({
      AWS_REGION: region,
      TJ_CA_BUCKET: obj.bucket,
      TJ_CA_OBJECT: obj.key,
      ...(obj.versionId ? { TJ_CA_VERSION_ID: obj.versionId } : {}),
      TJ_CA_SHA256: input.caBundle.pemSha256,
      TJ_CA_FILE: CONTAINER_CA_PATH,
    }),
    mountPoints: caMount(false),
    logConfiguration: logs(logGroup, region, CA_INIT_CONTAINER),
  };
  const tooljet: ContainerDefinition = {
    name,
    ...(input.tooljetImage !== undefined && { image: checkImage('tooljetImage', input.tooljetImage) }),
    essential: true,
    command: ['npm', 'run', 'start:prod'],
    portMappings: [{ containerPort: 3000, hostPort: 3000, protocol: 'tcp', name: 'tooljet' }],
    environment: env(tooljetEnv),
    secrets: Object.entries(tooljetSecrets).map(([n, valueFrom]) => ({ name: n, valueFrom })),
    mountPoints: caMount(true),
    dependsOn: afterCa,
    logConfiguration: logs(logGroup, region, 'tooljet'),
  };
  const postgrest: ContainerDefinition = {
    name: POSTGREST_CONTAINER,
    ...(input.postgrestImage !== undefined && { image: checkPinnedImage('postgrestImage', input.postgrestImage) }),
    essential: true,
    portMappings: [
      { containerPort: pgrstPort, hostPort: pgrstPort, protocol: 'tcp', name: 'postgrest', appProtocol: 'http' },
    ],
    environment: env({
      // No password in the URI: libpq takes it from PGPASSWORD (a secret), so the URI, and a re-pointed host, stay
      // visible in the task definition diff instead of hiding in a secret value.
      PGRST_DB_URI: postgrestUri(input.database, { caPath: CONTAINER_CA_PATH }),
      PGRST_DB_PRE_CONFIG: 'postgrest.pre_config',
      PGRST_SERVER_PORT: String(pgrstPort),
      PGRST_LOG_LEVEL: 'info',
    }),
    secrets: [
      { name: 'PGPASSWORD', valueFrom: ref('tooljetDbPassword', tjDbPass) },
      { name: 'PGRST_JWT_SECRET', valueFrom: ref('pgrstJwtSecret', s.pgrstJwtSecret) },
    ],
    mountPoints: caMount(true),
    dependsOn: afterCa,
    logConfiguration: logs(input.postgrestLogGroup ?? ECS_DEFAULTS.postgrestLogGroup, region, 'postgrest'),
  };
  const extra = input.extraContainers ?? [];
  const names = new Set([init.name, tooljet.name, postgrest.name]);
  for (const c of extra) {
    if (names.has(c.name))
      throw new RenderError(`extraContainers: container name ${JSON.stringify(c.name)} is already used`);
    names.add(c.name);
  }
  return [init, tooljet, postgrest, ...extra];
}

/** The task volume the init container fills: no host path, no EFS (Fargate task storage, shared by the task). */
export function renderEcsVolumes(): EcsVolume[] {
  return [{ name: CA_VOLUME }];
}

export interface EcsTaskDefinition {
  family: string;
  networkMode: 'awsvpc';
  requiresCompatibilities: ['FARGATE'];
  cpu: string;
  memory: string;
  executionRoleArn: string;
  taskRoleArn: string;
  containerDefinitions: ContainerDefinition[];
  volumes: EcsVolume[];
}

/** Bytes of the task definition as registered (JSON). */
export function ecsTaskDefinitionSize(td: object): number {
  return Buffer.byteLength(JSON.stringify(td), 'utf8');
}

/** Throws if the task definition exceeds ECS's 64 KiB limit. */
export function checkEcsTaskDefinitionSize(td: object): number {
  const size = ecsTaskDefinitionSize(td);
  if (size > ECS_DEFAULTS.maxTaskDefinitionBytes) {
    throw new RenderError(
      `the ECS task definition is ${size} bytes, over ECS's ${ECS_DEFAULTS.maxTaskDefinitionBytes}-byte limit: move large values out of environment/command (the CA bundle belongs in S3)`,
    );
  }
  return size;
}

/**
 * A whole RegisterTaskDefinition document (Fargate, awsvpc) from scratch, size-checked: for the local rehearsal's
 * example files. The Pulumi program never registers this: it merges into the service's current definition
 * (mergeEcsTaskDefinition). Needs `tooljetImage` (no default: a floating tag would pick the ToolJet version).
 */
export function renderEcsTaskDefinition(
  input: EcsTargetInput,
  task: { family?: string; cpu?: string; memory?: string; executionRoleArn: string; taskRoleArn: string },
): EcsTaskDefinition {
  if (input.tooljetImage === undefined)
    throw new RenderError(
      'tooljetImage is required to render a task definition from scratch: give the ToolJet image your service runs, e.g. tooljet/tooljet:ee-lts-3.16.x',
    );
  for (const [k, v] of Object.entries({ executionRoleArn: task.executionRoleArn, taskRoleArn: task.taskRoleArn })) {
    if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(v ?? ''))
      throw new RenderError(`${k} ${JSON.stringify(v)} is not an IAM role ARN`);
  }
  const td: EcsTaskDefinition = {
    family: task.family ?? 'tooljet',
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: task.cpu ?? '4096',
    memory: task.memory ?? '8192',
    executionRoleArn: task.executionRoleArn,
    taskRoleArn: task.taskRoleArn,
    containerDefinitions: renderEcsContainerDefinitions(input).map((c) =>
      c.name === POSTGREST_CONTAINER && c.image === undefined ? { ...c, image: ECS_DEFAULTS.postgrestImage } : c,
    ),
    volumes: renderEcsVolumes(),
  };
  checkEcsTaskDefinitionSize(td);
  return td;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

/**
 * The execution role's policy: read exactly the secrets referenced by `containers` (Secrets Manager GetSecretValue,
 * SSM GetParameters), plus kms:Decrypt on `kmsKeyArns` when the secrets use customer-managed keys, only through Secrets
 * Manager / SSM in the secrets' regions (kms:ViaService).
 */
export function renderEcsExecutionRolePolicy(
  containers: ContainerDefinition[],
  opts: { kmsKeyArns?: string[] } = {},
): PolicyDocument {
  const sm = new Set<string>();
  const ssm = new Set<string>();
  for (const c of containers) {
    for (const s of c.secrets ?? []) {
      const r = secretValueFrom(`${c.name}.${s.name}`, parseValueFrom(s.valueFrom));
      (r.service === 'ssm' ? ssm : sm).add(r.resource);
    }
  }
  const Statement: PolicyDocument['Statement'] = [];
  if (sm.size)
    Statement.push({
      Sid: 'ReadToolJetSecrets',
      Effect: 'Allow',
      Action: ['secretsmanager:GetSecretValue'],
      Resource: [...sm].sort(),
    });
  if (ssm.size)
    Statement.push({
      Sid: 'ReadToolJetParameters',
      Effect: 'Allow',
      Action: ['ssm:GetParameters'],
      Resource: [...ssm].sort(),
    });
  const kms = opts.kmsKeyArns ?? [];
  for (const k of kms)
    if (!KMS_KEY_ARN.test(k)) throw new RenderError(`kmsKeyArns: ${JSON.stringify(k)} is not a KMS key ARN`);
  const decrypt = kmsDecryptStatement('DecryptToolJetSecrets', kms, secretsViaServices([...sm, ...ssm]));
  if (decrypt) Statement.push(decrypt);
  if (!Statement.length) throw new RenderError('no secrets are referenced: the execution role policy would be empty');
  return { Version: '2012-10-17', Statement };
}

/** Inverse of secretValueFrom's formatting (for policies derived from rendered definitions). */
function parseValueFrom(valueFrom: string): EcsSecretRef {
  if (valueFrom.includes(':ssm:')) return { arn: valueFrom };
  const parts = valueFrom.split(':');
  if (parts.length === 10) {
    const [jsonKey, versionStage, versionId] = parts.slice(7);
    return {
      arn: parts.slice(0, 7).join(':'),
      jsonKey: jsonKey || undefined,
      versionStage: versionStage || undefined,
      versionId: versionId || undefined,
    };
  }
  return { arn: valueFrom };
}

/**
 * The task role's policy: read the bundle object (and only it) for the init container; with `kmsKeyArn` (the object is
 * SSE-KMS encrypted: the bucket's default encryption uses that key) also kms:Decrypt on that key through S3 in
 * `region`. "To download an object encrypted with SSE-KMS, the requester needs kms:Decrypt permission for the KMS key"
 * (Amazon S3 User Guide, "Using server-side encryption with AWS KMS keys (SSE-KMS)").
 */
export function renderEcsTaskRolePolicy(
  object: S3ObjectRef,
  opts: { partition?: string; kmsKeyArn?: string; region?: string } = {},
): PolicyDocument {
  const o = checkS3Object('caBundleObject', object);
  const partition = opts.partition ?? 'aws';
  if (!/^aws[a-z-]*$/.test(partition))
    throw new RenderError(`partition ${JSON.stringify(partition)} is not an AWS partition`);
  const Statement: PolicyStatement[] = [
    {
      Sid: 'ReadRdsCaBundle',
      Effect: 'Allow',
      Action: o.versionId ? ['s3:GetObject', 's3:GetObjectVersion'] : ['s3:GetObject'],
      Resource: [`arn:${partition}:s3:::${o.bucket}/${o.key}`],
    },
  ];
  if (opts.kmsKeyArn !== undefined) {
    if (!KMS_KEY_ARN.test(opts.kmsKeyArn))
      throw new RenderError(`the bundle object's KMS key ${JSON.stringify(opts.kmsKeyArn)} is not a KMS key ARN`);
    Statement.push(
      kmsDecryptStatement(
        'DecryptRdsCaBundle',
        [opts.kmsKeyArn],
        [serviceEndpoint('s3', checkRegion(opts.region), partition)],
      )!,
    );
  }
  return { Version: '2012-10-17', Statement };
}
