// The typed, validated and defaulted settings of each ToolJet target (`targets.<kind>.*`) and of the post-deploy
// validation (`validation.*`). Produced by parseTargetSettings / parseValidation (pure); every key is documented in
// README "ToolJet targets". No secret value ever lives here: secrets are Pulumi secrets (top-level keys, read by
// loadStackConfig as secret Outputs) or ARNs of secrets that already exist.

/** Top-level Pulumi secrets ToolJet needs besides the database password (only accepted as Pulumi secrets). */
export const APP_SECRET_KEYS = ['lockboxMasterKey', 'secretKeyBase', 'pgrstJwtSecret'] as const;
export type AppSecretKey = (typeof APP_SECRET_KEYS)[number];

/** The ToolJet variable each app secret fills. */
export const APP_SECRET_VARIABLES: Readonly<Record<AppSecretKey, string>> = {
  lockboxMasterKey: 'LOCKBOX_MASTER_KEY',
  secretKeyBase: 'SECRET_KEY_BASE',
  pgrstJwtSecret: 'PGRST_JWT_SECRET',
};

/** An existing secret, by full ARN: Secrets Manager (optionally one key of a JSON secret) or an SSM parameter. */
export interface SecretRefConfig {
  readonly arn: string;
  /** Secrets Manager only: the key of a JSON secret (e.g. "password" of an RDS-managed secret). */
  readonly jsonKey?: string;
}

/** Where a target gets a secret: an existing one (reference) or one the component creates from a Pulumi secret. */
export type SecretSource =
  | { readonly kind: 'reference'; readonly ref: SecretRefConfig }
  | { readonly kind: 'create'; readonly from: 'dbPassword' | AppSecretKey };

export interface S3ObjectConfig {
  /** An existing bucket (the component uploads the object, it never creates buckets). */
  readonly bucket: string;
  readonly key: string;
}

export interface DockerTargetConfig {
  /** Absolute path (on the machine that runs `pulumi up`) of the folder holding ToolJet's docker-compose.yaml. */
  readonly directory: string;
  /** TOOLJET_HOST; needed only when the folder has no .env yet. */
  readonly tooljetHost?: string;
  /** Compose services that get the bundle mounted. */
  readonly services: readonly string[];
  /** Bundle file, relative to `directory`. */
  readonly bundleFile: string;
  /** Compose override file name (docker compose loads docker-compose.override.yml by itself). */
  readonly overrideFile: string;
  /** Run `docker compose up -d` in `directory` after writing (Node reads NODE_EXTRA_CA_CERTS only at start). */
  readonly restart: boolean;
}

export const ECS_SECRET_NAMES = ['pgPassword', 'tooljetDbPassword', 'lockboxMasterKey', 'secretKeyBase', 'pgrstJwtSecret'] as const;
export type EcsSecretName = (typeof ECS_SECRET_NAMES)[number];

export interface EcsTargetConfig {
  /** Cluster name or ARN of the existing ToolJet service. */
  readonly cluster: string;
  /** Name of the existing ToolJet ECS service (its network, load balancer and desired count are left alone). */
  readonly service: string;
  /** Point the service at the new revision and wait for the deployment; false: only register the revision. */
  readonly updateService: boolean;
  /** Time budget of that deployment (ToolJet's health check grace period alone is 900 s). */
  readonly deployTimeout: string;
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
}

export interface EksWorkloadConfig {
  readonly deployment: string;
  readonly container: string;
}

export interface EksTargetConfig {
  readonly namespace: string;
  readonly secretName: string;
  /** `patch`: server-side-apply the database/TLS keys into the Secret the chart created; `create`: own the whole Secret. */
  readonly secretMode: 'patch' | 'create';
  readonly configMapName: string;
  readonly workloads: readonly EksWorkloadConfig[];
  /** The chart's PostgREST Deployment, or false when PostgREST runs elsewhere. */
  readonly postgrest: EksWorkloadConfig | false;
  /** Absolute path of a kubeconfig file; unset: the ambient configuration (KUBECONFIG, ~/.kube/config). */
  readonly kubeconfig?: string;
  /** kubeconfig context; unset: its current context. */
  readonly context?: string;
}

export type AmiCaBundleConfig = { readonly s3: S3ObjectConfig } | { readonly url: string };

export interface AmiTargetConfig {
  /** The existing launch template of the ToolJet instances (a new version is added; nothing else changes). */
  readonly launchTemplateId: string;
  /** Version the new one copies everything but the user-data from: `$Default`, `$Latest` or a number. */
  readonly sourceVersion: string;
  /** Make the new version the template's default. */
  readonly setDefaultVersion: boolean;
  readonly caBundle: AmiCaBundleConfig;
  /** PG_PASS at boot: an existing secret, or a Secrets Manager secret the component creates from dbPassword. */
  readonly pgPassword: SecretSource;
  /** TOOLJET_DB_PASS when it differs from PG_PASS. */
  readonly tooljetDbPassword?: SecretRefConfig;
  readonly secretNamePrefix: string;
  readonly secretsKmsKeyId?: string;
  /** The instances' IAM role: when set, the component allows it to read the bundle object and the secrets. */
  readonly instanceRoleName?: string;
  readonly restartUnits: readonly string[];
  readonly envFile?: string;
  readonly caFile?: string;
}

export interface TargetConfigs {
  readonly docker?: DockerTargetConfig;
  readonly ecs?: EcsTargetConfig;
  readonly eks?: EksTargetConfig;
  readonly ami?: AmiTargetConfig;
}

export interface ValidationConfig {
  /** false: no post-deploy validation (the runner cannot reach the private clone). */
  readonly enabled: boolean;
  /** Also validate the ToolJet Database (database.tooljetDbName). */
  readonly tooljetDb: boolean;
  readonly jobs: number;
  /** Let validate run ANALYZE on target tables without statistics (a write on the clone). */
  readonly analyze: boolean;
  /** Let validate setval target sequences that lag the source (a write on the clone). */
  readonly fixSequences: boolean;
  /** Create timeout of the command. */
  readonly timeout: string;
}

/** Every sub-key each target accepts (nested mappings as `parent.child`). README "ToolJet targets" lists each. */
export const TARGET_SUB_KEYS = {
  docker: ['directory', 'tooljetHost', 'services', 'bundleFile', 'overrideFile', 'restart'],
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
  ],
  'ecs.secrets': ECS_SECRET_NAMES,
  'ecs.caBundleObject': ['bucket', 'key'],
  eks: ['namespace', 'secretName', 'secretMode', 'configMapName', 'workloads', 'postgrest', 'kubeconfig', 'context'],
  ami: [
    'launchTemplateId',
    'sourceVersion',
    'setDefaultVersion',
    'caBundleObject',
    'caBundleUrl',
    'pgPassword',
    'tooljetDbPassword',
    'secretNamePrefix',
    'secretsKmsKeyId',
    'instanceRoleName',
    'restartUnits',
    'envFile',
    'caFile',
  ],
  'ami.caBundleObject': ['bucket', 'key'],
} as const;

export const VALIDATION_SUB_KEYS = ['enabled', 'tooljetDb', 'jobs', 'analyze', 'fixSequences', 'timeout'] as const;

export const TARGET_DEFAULTS = {
  docker: {
    services: ['tooljet'],
    bundleFile: 'certs/global-bundle.pem',
    overrideFile: 'docker-compose.override.yml',
    restart: false,
  },
  ecs: {
    updateService: true,
    deployTimeout: '30m',
    caBundleKey: 'tooljet-pg-upgrade/rds-ca/global-bundle.pem',
  },
  eks: {
    namespace: 'tooljet',
    secretName: 'tooljet-server',
    secretMode: 'patch' as const,
    configMapName: 'rds-ssl-cert',
    workloads: [{ deployment: 'tooljet', container: 'tooljet' }],
    postgrest: { deployment: 'tooljet-postgrest', container: 'postgrest' },
  },
  ami: {
    sourceVersion: '$Default',
    setDefaultVersion: true,
    caBundleKey: 'tooljet-pg-upgrade/rds-ca/global-bundle.pem',
    restartUnits: ['nest', 'postgrest'],
  },
  validation: { enabled: true, tooljetDb: true, jobs: 4, analyze: false, fixSequences: false, timeout: '2h' },
} as const;

/** `<project>/<stack>/`: the default name prefix of created Secrets Manager secrets. */
export function defaultSecretNamePrefix(project: string, stack: string): string {
  return `${project}/${stack}/`;
}
