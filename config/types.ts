// The typed, validated and defaulted stack configuration. Produced by parseStackConfig (pure) and loadStackConfig
// (reads pulumi.Config). Every key is documented in docs/configuration.md.
import type { Environment } from '../lib/stack';
import type { CaBundleFile } from '../lib/tls/ca-bundle';
import type { TargetConfigs } from '../targets';
import type { AppSecretKey } from '../targets/shared/app-secrets';
import { ALARM_KINDS, ALARM_SETTING_KEYS, AlarmKind, AlarmSettings } from '../monitoring/alarms';
import { VALIDATION_SUB_KEYS, ValidationConfig } from './validation';

export { ENVIRONMENTS, PROJECT } from '../lib/stack';
export type { Environment } from '../lib/stack';

/**
 * Which database ToolJet is pointed at. `source` is the rollback; `restored` an instance restored from a snapshot
 * (`restoredInstance.identifier`, docs/cutover-and-rollback.md "Second path: restore from the pre-upgrade snapshot").
 * Neither touches the clone or the snapshot.
 */
export type ActiveDatabase = 'clone' | 'source' | 'restored';
export const ACTIVE_DATABASES: readonly ActiveDatabase[] = ['clone', 'source', 'restored'];

/** Per-target settings, validated and typed by each kind's own parser (targets/<kind>/settings.ts). */
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
  /** `snapshot.createTimeout` in seconds: customTimeouts.create of the aws.rds.Snapshot (provider default: 20m). */
  readonly createTimeoutSeconds: number;
}

/** Restore from a snapshot that already exists (looked up by exact identifier, never "most recent"). */
export interface ExistingSnapshotConfig {
  readonly mode: 'existing';
  readonly identifier: string;
}

export type SnapshotConfig = CreateSnapshotConfig | ExistingSnapshotConfig;

/** `clone.timeouts`, in seconds. */
export interface CloneTimeoutSeconds {
  /**
   * Restore + the provider's follow-up upgrade modify (whose wait uses `update`: docs/design.md "The other traps, and
   * where they are handled").
   */
  readonly create: number;
  /** Also bounds the finishing command (attach the postgres16 group, reboot, verify). */
  readonly update: number;
  readonly delete: number;
}

export interface CloneConfig {
  readonly identifier: string;
  readonly instanceClass: string;
  /** Exact PostgreSQL 16 minor ("16.9"); autoMinorVersionUpgrade is always off so it cannot drift. */
  readonly engineVersion: string;
  /** Name of the postgres16 DB parameter group created for the clone. */
  readonly parameterGroupName: string;
  /**
   * The RDS CA of the clone's server certificate. Unset: the source's (the one ToolJet already verifies). Set by the
   * clone's finishing step: the provider's restore does not send it (docs/design.md).
   */
  readonly caCertIdentifier?: string;
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
  readonly timeoutSeconds: CloneTimeoutSeconds;
}

/** The RDS CA bundle as the stack reads it (lib/tls/ca-bundle.ts parses and checks it). */
export type { CaBundle, CaBundleFile } from '../lib/tls/ca-bundle';

export interface DatabaseConfig {
  /** ToolJet's database user (PG_USER / TOOLJET_DB_USER). Plain config; its password is `dbPassword` (secret). */
  readonly username: string;
  /** ToolJet's main database (PG_DB). */
  readonly name: string;
  /** ToolJet Database (TOOLJET_DB); must differ from `name`. */
  readonly tooljetDbName: string;
  /** Port the clone listens on (PG_PORT). Unset: the source's (its security groups admit that port). */
  readonly port?: number;
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
  /** With activeDatabase `restored` only: the instance ToolJet is pointed at (looked up, never modified). */
  readonly restoredInstance?: RestoredInstanceConfig;
  readonly caBundle: CaBundleFile;
  readonly targets: TargetsConfig;
  /** Which of lockboxMasterKey, secretKeyBase, pgrstJwtSecret are set (as Pulumi secrets; values never here). */
  readonly appSecrets: readonly AppSecretKey[];
  /** The post-deploy `tj-pg-upgrade validate` command. */
  readonly validation: ValidationConfig;
  readonly database: DatabaseConfig;
  /** User tags for every AWS resource the program creates (`Name` and `tooljet:*` are reserved). */
  readonly tags: Readonly<Record<string, string>>;
  /** How the upgrade is done: a private clone (default) or RDS Blue/Green on the source itself. */
  readonly strategy: Strategy;
  /** Only with strategy `blue-green`. */
  readonly blueGreen?: BlueGreenConfig;
  /** Only with strategy `replication`. */
  readonly replication?: ReplicationConfig;
  readonly monitoring: MonitoringConfig;
  readonly cleanup: CleanupConfig;
  /** When ToolJet was pointed at the clone (UTC, `YYYY-MM-DDTHH:MM:SSZ`), recorded once in the stack config. */
  readonly cutoverAt?: string;
  /**
   * Stop ToolJet before the snapshot and start it after the re-point (config/cutover.ts). Default: true in
   * production with strategy clone, false otherwise.
   */
  readonly maintenanceWindow: boolean;
  /**
   * Production, activeDatabase clone, maintenanceWindow false: the operator's statement that ToolJet was stopped by
   * hand (config/cutover.ts refuses that combination without it). Default false.
   */
  readonly cutoverWithoutWindow: boolean;
}

export interface RestoredInstanceConfig {
  /** RDS DB instance identifier of an instance restored from a snapshot (e.g. the pre-upgrade one). */
  readonly identifier: string;
}

/**
 * `clone`: snapshot -> private clone -> 16.9 (the source is never touched). `blue-green`: RDS Blue/Green on the source.
 * `replication`: a new 16.9 instance fed by logical replication from the source (docs/strategies.md).
 */
export type Strategy = 'clone' | 'blue-green' | 'replication';
export const STRATEGIES: readonly Strategy[] = ['clone', 'blue-green', 'replication'];

/**
 * Strategy `blue-green` runs in two phases. `import`: the source is imported into the stack exactly as it is (no
 * change). `upgrade`: snapshot, precheck, then the provider's blue/green update to 16.9 and the postcheck.
 */
export type BlueGreenPhase = 'import' | 'upgrade';
export const BLUE_GREEN_PHASES: readonly BlueGreenPhase[] = ['import', 'upgrade'];

export interface BlueGreenConfig {
  readonly phase: BlueGreenPhase;
  /** postgres16 group of the green instance: rds.force_ssl=1 and rds.logical_replication=1. */
  readonly parameterGroupName: string;
  /**
   * `blueGreen.updateTimeout` in seconds: the source instance's update (create green + upgrade + switchover + delete
   * the old instance).
   */
  readonly updateTimeoutSeconds: number;
}

/**
 * Strategy `replication`: a new RDS for PostgreSQL 16.9 instance (not a restore) in the source's network, fed by
 * logical replication (`tj-pg-upgrade replicate`). Which phase a `pulumi up` runs follows from activeDatabase, cutoverAt
 * and `teardown` (plan/: replicate, cutover, rollback, teardown). activeDatabase `clone` names this new instance.
 */
export interface ReplicationConfig {
  /** RDS identifier of the new instance. */
  readonly identifier: string;
  /** Unset: the source's class. */
  readonly instanceClass?: string;
  /** GiB; unset: the source's allocated storage. */
  readonly allocatedStorageGiB?: number;
  /** postgres16 group of the new instance: rds.force_ssl=1 and rds.logical_replication=1. */
  readonly parameterGroupName: string;
  /** Unset: staging false, production the source's setting. */
  readonly multiAz?: boolean;
  readonly backupRetentionPeriod: number;
  /** Production only (staging skips the final snapshot). */
  readonly finalSnapshotIdentifier?: string;
  /**
   * The role the subscription connects to the publisher with (`--replication-user`); its password is the secret
   * `replicationPassword`. Unset: ToolJet's database user (database.username) with dbPassword.
   */
  readonly user?: string;
  /** `replicate catch-up --deadline` in the window, seconds (default 10 min). */
  readonly catchUpDeadlineSeconds: number;
  /** `replication.createTimeout` in seconds: customTimeouts.create of the new instance. */
  readonly createTimeoutSeconds: number;
  /**
   * `replication.setupTimeout` in seconds: the setup command (schema copy, publication, subscription; the initial
   * copy goes on in the background).
   */
  readonly setupTimeoutSeconds: number;
  /** Drop the replication (subscriptions, slots, publications) in both directions; the new instance stays. */
  readonly teardown: boolean;
}

// The alarms (kinds and settings) belong to monitoring/: the configuration names them, the renderer needs no config.
export { ALARM_KINDS, ALARM_SETTING_KEYS } from '../monitoring/alarms';
export type { AlarmKind, AlarmSettings } from '../monitoring/alarms';

export interface MonitoringConfig {
  /** Default true: alarms, SNS topic, log export + metric filter, dashboard. */
  readonly enabled: boolean;
  /** E-mail subscriptions of the alarm topic (each must be confirmed from the mail AWS sends). */
  readonly alarmEmails: readonly string[];
  /** Retention of the clone's PostgreSQL log group (/aws/rds/instance/<clone>/postgresql). */
  readonly logRetentionDays: number;
  readonly alarms: Readonly<Record<AlarmKind, AlarmSettings>>;
}

export interface CleanupConfig {
  /** Staging only: remove the clone, its parameter group and commands; the snapshot stays. */
  readonly enabled: boolean;
  /** `YYYY-MM-DD` the snapshot may be deleted after (tag `tooljet:delete-after`); fixed in config, never the clock. */
  readonly snapshotDeleteAfter?: string;
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
  'strategy',
  'blueGreen',
  'replication',
  'replicationPassword',
  'monitoring',
  'cleanup',
  'cutoverAt',
  'lockboxMasterKey',
  'secretKeyBase',
  'pgrstJwtSecret',
  'validation',
  'maintenanceWindow',
  'cutoverWithoutWindow',
  'restoredInstance',
] as const;
export type TopLevelKey = (typeof TOP_LEVEL_KEYS)[number];

/** Every sub-key this module validates (targets' sub-keys belong to the target modules). */
export const SUB_KEYS = {
  source: ['identifier'],
  restoredInstance: ['identifier'],
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
  blueGreen: ['phase', 'parameterGroupName', 'updateTimeout'],
  replication: [
    'identifier',
    'instanceClass',
    'allocatedStorage',
    'parameterGroupName',
    'multiAz',
    'backupRetentionPeriod',
    'finalSnapshotIdentifier',
    'user',
    'catchUpDeadline',
    'createTimeout',
    'setupTimeout',
    'teardown',
  ],
  monitoring: ['enabled', 'alarmEmails', 'logRetentionDays', ...ALARM_KINDS],
  'monitoring.databaseConnections': ALARM_SETTING_KEYS,
  'monitoring.cpuUtilization': ALARM_SETTING_KEYS,
  'monitoring.readIops': ALARM_SETTING_KEYS,
  'monitoring.writeIops': ALARM_SETTING_KEYS,
  'monitoring.freeStorageSpace': ALARM_SETTING_KEYS,
  'monitoring.connectionFailures': ALARM_SETTING_KEYS,
  'monitoring.replicationSlotLag': ALARM_SETTING_KEYS,
  'monitoring.replicationSlotDiskUsage': ALARM_SETTING_KEYS,
  cleanup: ['enabled', 'deleteSnapshotAfter', 'retainSnapshotDays'],
  validation: VALIDATION_SUB_KEYS,
} as const;

const HOUR = 3600;

/** Defaults of the keys this module validates; durations in seconds. */
export const DEFAULTS = {
  snapshotCreateTimeoutSeconds: 4 * HOUR,
  stagingCloneIdentifier: 'test-db-pg13-clone',
  instanceClass: 'db.t3.medium',
  engineVersion: '16.9',
  cloneTimeoutSeconds: { create: 4 * HOUR, update: 4 * HOUR, delete: 2 * HOUR },
  activeDatabase: 'source' as ActiveDatabase,
  databaseName: 'tooljet_production',
  tooljetDbName: 'tooljet_db',
  strategy: 'clone' as Strategy,
  blueGreenUpdateTimeoutSeconds: 8 * HOUR,
  replicationCatchUpDeadlineSeconds: 10 * 60,
  replicationCreateTimeoutSeconds: 2 * HOUR,
  replicationSetupTimeoutSeconds: 2 * HOUR,
  replicationBackupRetentionPeriod: 7,
  logRetentionDays: 30,
  alarms: {
    databaseConnections: { threshold: 100, period: 300, evaluationPeriods: 3 },
    cpuUtilization: { threshold: 80, period: 300, evaluationPeriods: 3 },
    readIops: { threshold: 3000, period: 300, evaluationPeriods: 3 },
    writeIops: { threshold: 3000, period: 300, evaluationPeriods: 3 },
    freeStorageSpace: { threshold: 10, period: 300, evaluationPeriods: 1 },
    connectionFailures: { threshold: 5, period: 300, evaluationPeriods: 1 },
    replicationSlotLag: { threshold: 1024, period: 300, evaluationPeriods: 3 },
    replicationSlotDiskUsage: { threshold: 10, period: 300, evaluationPeriods: 1 },
  } as Record<AlarmKind, AlarmSettings>,
} as const;

/** Where the RDS CA bundle comes from (docs/configuration.md and error messages point here). */
export { RDS_CA_BUNDLE_URL } from '../lib/tls/ca-bundle';
