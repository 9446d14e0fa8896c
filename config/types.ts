// The typed, validated and defaulted stack configuration. Produced by parseStackConfig (pure) and loadStackConfig
// (reads pulumi.Config). Every key is documented in README "Stack configuration reference".
import type { AppSecretKey, TargetConfigs, ValidationConfig } from './targets/types';
import { VALIDATION_SUB_KEYS } from './targets/types';

/** Pulumi project name = configuration namespace (`tooljet-pg-upgrade:<key>`). */
export const PROJECT = 'tooljet-pg-upgrade';

/** `production` turns on every protection (protect, deletionProtection, final snapshot). */
export type Environment = 'production' | 'staging';
export const ENVIRONMENTS: readonly Environment[] = ['production', 'staging'];

/** Which database ToolJet is pointed at. `source` is the rollback; it never touches the clone. */
export type ActiveDatabase = 'clone' | 'source';
export const ACTIVE_DATABASES: readonly ActiveDatabase[] = ['clone', 'source'];

export const TARGET_KINDS = ['docker', 'ecs', 'eks', 'ami'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];
/** Per-target settings, validated and typed by the target's own parser (config/targets/). */
export type TargetsConfig = TargetConfigs;

export interface SourceConfig {
  /** RDS DB instance identifier of the production PostgreSQL 13 instance. Looked up, never modified. */
  readonly identifier: string;
}

/** Take a new manual snapshot of the source with a stable identifier. */
export interface CreateSnapshotConfig {
  readonly mode: 'create';
  /** Configured, or `<source>-pre-pg16-<stack>`: never derived from the clock. */
  readonly identifier: string;
  /** Pulumi customTimeouts.create of the aws.rds.Snapshot (provider default: 20m). */
  readonly createTimeout: string;
}

/** Restore from a snapshot that already exists (looked up by exact identifier, never "most recent"). */
export interface ExistingSnapshotConfig {
  readonly mode: 'existing';
  readonly identifier: string;
}

export type SnapshotConfig = CreateSnapshotConfig | ExistingSnapshotConfig;

export interface CloneTimeouts {
  /** Restore + the provider's follow-up upgrade modify (that wait uses `update`, see README). */
  readonly create: string;
  readonly update: string;
  readonly delete: string;
}

export interface CloneConfig {
  readonly identifier: string;
  readonly instanceClass: string;
  /** Exact PostgreSQL 16 minor ("16.9"); autoMinorVersionUpgrade is always off so it cannot drift. */
  readonly engineVersion: string;
  /** Name of the postgres16 DB parameter group created for the clone. */
  readonly parameterGroupName: string;
  readonly caCertIdentifier: string;
  /** Unset: chosen by RDS. */
  readonly availabilityZone?: string;
  /** Unset: the source's subnet group (keeps the clone in the source's private network). */
  readonly dbSubnetGroupName?: string;
  /** Unset: the source's VPC security groups. */
  readonly vpcSecurityGroupIds?: readonly string[];
  /** Unset: staging false, production the source's setting. */
  readonly multiAz?: boolean;
  /** Unset: left to RDS (the snapshot's setting). */
  readonly backupRetentionPeriod?: number;
  /** Production only (staging skips the final snapshot). */
  readonly finalSnapshotIdentifier?: string;
  readonly timeouts: CloneTimeouts;
}

export interface CaBundle {
  /** Absolute path of the PEM file on the machine that runs Pulumi. */
  readonly path: string;
  /** Base name of the file (`global-bundle.pem`), for targets that mount it somewhere. */
  readonly fileName: string;
  /** The PEM text: every certificate, in file order. */
  readonly pem: string;
  readonly certificateCount: number;
}

export interface DatabaseConfig {
  /** ToolJet's database user (PG_USER / TOOLJET_DB_USER). Plain config; its password is `dbPassword` (secret). */
  readonly username: string;
  /** ToolJet's main database (PG_DB). */
  readonly name: string;
  /** ToolJet Database (TOOLJET_DB); must differ from `name`. */
  readonly tooljetDbName: string;
  /** Port the clone listens on (PG_PORT). */
  readonly port: number;
}

export interface StackConfig {
  readonly project: string;
  readonly stack: string;
  readonly environment: Environment;
  /** Where `environment` came from: the `environment` key or the stack name. */
  readonly environmentSource: 'config' | 'stack-name';
  readonly source: SourceConfig;
  readonly snapshot: SnapshotConfig;
  readonly clone: CloneConfig;
  readonly activeDatabase: ActiveDatabase;
  readonly caBundle: CaBundle;
  readonly targets: TargetsConfig;
  /** Which of lockboxMasterKey, secretKeyBase, pgrstJwtSecret are set (as Pulumi secrets; values never here). */
  readonly appSecrets: readonly AppSecretKey[];
  /** The post-deploy `tj-pg-upgrade validate` command. */
  readonly validation: ValidationConfig;
  readonly database: DatabaseConfig;
  /** User tags for every AWS resource the program creates (`Name` and `tooljet:*` are reserved). */
  readonly tags: Readonly<Record<string, string>>;
}

/** Top-level keys of the namespace. Anything else is a typo and fails validation. */
export const TOP_LEVEL_KEYS = [
  'environment',
  'source',
  'snapshot',
  'clone',
  'activeDatabase',
  'caBundle',
  'targets',
  'database',
  'dbPassword',
  'tags',
  'lockboxMasterKey',
  'secretKeyBase',
  'pgrstJwtSecret',
  'validation',
] as const;
export type TopLevelKey = (typeof TOP_LEVEL_KEYS)[number];

/** Every sub-key this module validates (targets' sub-keys belong to the target modules). */
export const SUB_KEYS = {
  source: ['identifier'],
  snapshot: ['mode', 'identifier', 'createTimeout'],
  clone: [
    'identifier',
    'instanceClass',
    'engineVersion',
    'parameterGroupName',
    'caCertIdentifier',
    'availabilityZone',
    'dbSubnetGroupName',
    'vpcSecurityGroupIds',
    'multiAz',
    'backupRetentionPeriod',
    'finalSnapshotIdentifier',
    'timeouts',
  ],
  'clone.timeouts': ['create', 'update', 'delete'],
  database: ['username', 'name', 'tooljetDbName', 'port'],
  validation: VALIDATION_SUB_KEYS,
} as const;

export const DEFAULTS = {
  snapshotCreateTimeout: '4h',
  stagingCloneIdentifier: 'test-db-pg13-clone',
  instanceClass: 'db.t3.medium',
  engineVersion: '16.9',
  caCertIdentifier: 'rds-ca-rsa2048-g1',
  cloneTimeouts: { create: '4h', update: '4h', delete: '2h' },
  activeDatabase: 'source' as ActiveDatabase,
  databaseName: 'tooljet_production',
  tooljetDbName: 'tooljet_db',
  port: 5432,
} as const;

/** Where the RDS CA bundle comes from (README and error messages point here). */
export const RDS_CA_BUNDLE_URL = 'https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem';
