// What each CloudWatch alarm watches, rendered from the stack's monitoring settings for ONE database instance (the
// active one). Pure: the component only turns these specs into aws.cloudwatch.MetricAlarm resources.
/** The kinds renderAlarms does not render for the active instance: replication alarms, per end of the replication. */
export const REPLICATION_ALARM_KINDS = ['replicationSlotLag', 'replicationSlotDiskUsage'] as const;
export type ReplicationAlarmKind = (typeof REPLICATION_ALARM_KINDS)[number];

/** The alarms, each on a metric of the active database instance (the stack's `monitoring.<kind>` keys). */
export const ALARM_KINDS = [
  'databaseConnections',
  'cpuUtilization',
  'readIops',
  'writeIops',
  'freeStorageSpace',
  'connectionFailures',
  // Strategy replication only (renderReplicationAlarms): on each end of a logical replication.
  'replicationSlotLag',
  'replicationSlotDiskUsage',
] as const;
export type AlarmKind = (typeof ALARM_KINDS)[number];
export const ALARM_SETTING_KEYS = ['threshold', 'period', 'evaluationPeriods'] as const;

export interface AlarmSettings {
  /**
   * In the metric's unit, except freeStorageSpace and replicationSlotDiskUsage (percent of allocated storage) and
   * replicationSlotLag (MiB).
   */
  readonly threshold: number;
  /** Seconds per datapoint: a multiple of 60. */
  readonly period: number;
  /** Consecutive breaching periods before the alarm fires. */
  readonly evaluationPeriods: number;
}

export type Statistic = 'Average' | 'Maximum' | 'Minimum' | 'Sum';
export type ComparisonOperator = 'GreaterThanThreshold' | 'GreaterThanOrEqualToThreshold' | 'LessThanThreshold';
export type TreatMissingData = 'missing' | 'notBreaching' | 'breaching' | 'ignore';

export interface AlarmSpec {
  kind: AlarmKind;
  /** Alarm name: fixed per stack and kind, so following another instance updates the alarm instead of replacing it. */
  name: string;
  description: string;
  namespace: string;
  metricName: string;
  statistic: Statistic;
  comparisonOperator: ComparisonOperator;
  /** In the metric's unit (FreeStorageSpace: bytes). */
  threshold: number;
  period: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  dimensions: Record<string, string>;
  treatMissingData: TreatMissingData;
}

export interface AlarmInstance {
  identifier: string;
  /** Allocated storage in GiB (FreeStorageSpace's threshold is a percentage of it). */
  allocatedStorageGiB: number;
  /** Where the instance's connection failures are counted; without it there is no connection-failure alarm. */
  connectionFailures?: { namespace: string; metricName: string };
}

const GIB = 1024 ** 3;

interface MetricDef {
  metricName: string;
  statistic: Statistic;
  comparisonOperator: ComparisonOperator;
  treatMissingData: TreatMissingData;
  what: (threshold: number, instance: AlarmInstance) => string;
}

const MIB = 1024 ** 2;

const RDS_METRICS: Record<Exclude<AlarmKind, 'connectionFailures'>, MetricDef> = {
  databaseConnections: {
    metricName: 'DatabaseConnections',
    statistic: 'Maximum',
    comparisonOperator: 'GreaterThanThreshold',
    treatMissingData: 'missing',
    what: (t) =>
      `more than ${t} connections (ToolJet pools plus PostgREST; max_connections depends on the instance class)`,
  },
  cpuUtilization: {
    metricName: 'CPUUtilization',
    statistic: 'Average',
    comparisonOperator: 'GreaterThanThreshold',
    treatMissingData: 'missing',
    what: (t) =>
      `CPU above ${t}% (after a major upgrade: missing statistics, run ANALYZE; see tj-pg-upgrade validate --analyze)`,
  },
  readIops: {
    metricName: 'ReadIOPS',
    statistic: 'Average',
    comparisonOperator: 'GreaterThanThreshold',
    treatMissingData: 'missing',
    what: (t) => `read IOPS above ${t} (gp3 baseline is 3000; plans that changed after the upgrade read more)`,
  },
  writeIops: {
    metricName: 'WriteIOPS',
    statistic: 'Average',
    comparisonOperator: 'GreaterThanThreshold',
    treatMissingData: 'missing',
    what: (t) => `write IOPS above ${t}`,
  },
  freeStorageSpace: {
    metricName: 'FreeStorageSpace',
    statistic: 'Minimum',
    comparisonOperator: 'LessThanThreshold',
    treatMissingData: 'missing',
    what: (t, i) => `free storage below ${t}% of the ${i.allocatedStorageGiB} GiB allocated`,
  },
  // AWS/RDS instance metrics of RDS for PostgreSQL, both in bytes (RDS User Guide, rds-metrics "Amazon CloudWatch
  // metrics for Amazon RDS"; the names as @pulumi/awsx classic/rds/metrics.d.ts RdsMetricName lists them): the WAL the
  // most lagging slot has not received, and the disk its slot files use. No datapoint: no slot, not a breach.
  replicationSlotLag: {
    metricName: 'OldestReplicationSlotLag',
    statistic: 'Maximum',
    comparisonOperator: 'GreaterThanThreshold',
    treatMissingData: 'notBreaching',
    what: (t) =>
      `a replication slot lags more than ${t} MiB of WAL (the subscriber stalled or is gone: tj-pg-upgrade replicate status; a slot nobody reads must be dropped: replicate teardown)`,
  },
  replicationSlotDiskUsage: {
    metricName: 'ReplicationSlotDiskUsage',
    statistic: 'Maximum',
    comparisonOperator: 'GreaterThanThreshold',
    treatMissingData: 'notBreaching',
    what: (t, i) =>
      `replication slots retain more than ${t}% of the ${i.allocatedStorageGiB} GiB allocated (a stalled or forgotten slot fills the storage: tj-pg-upgrade replicate status / replicate teardown)`,
  },
};

/** A metric's threshold in its unit from the configured value. */
function metricThreshold(kind: Exclude<AlarmKind, 'connectionFailures'>, value: number, instance: AlarmInstance) {
  if (kind === 'freeStorageSpace' || kind === 'replicationSlotDiskUsage')
    return Math.round((instance.allocatedStorageGiB * GIB * value) / 100);
  if (kind === 'replicationSlotLag') return value * MIB;
  return value;
}

/** `cpuUtilization` -> `cpu-utilization`. */
export function kebab(kind: string): string {
  return kind.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** The alarms for `instance`, in ALARM_KINDS order. `namePrefix` is per stack, e.g. `tooljet-pg-upgrade-prod`. */
export function renderAlarms(
  namePrefix: string,
  instance: AlarmInstance,
  settings: Readonly<Record<AlarmKind, AlarmSettings>>,
): AlarmSpec[] {
  if (!(instance.allocatedStorageGiB > 0))
    throw new Error(`renderAlarms: allocated storage of ${instance.identifier} is unknown`);
  const specs: AlarmSpec[] = [];
  for (const kind of ALARM_KINDS) {
    if ((REPLICATION_ALARM_KINDS as readonly string[]).includes(kind)) continue;
    const s = settings[kind];
    const common = {
      kind,
      name: `${namePrefix}-${kebab(kind)}`,
      period: s.period,
      evaluationPeriods: s.evaluationPeriods,
      datapointsToAlarm: s.evaluationPeriods,
    };
    const window = `${s.evaluationPeriods} x ${s.period / 60} min`;
    if (kind === 'connectionFailures') {
      if (!instance.connectionFailures) continue;
      specs.push({
        ...common,
        description: `${instance.identifier}: ${s.threshold} or more failed logins / TLS handshakes per ${s.period / 60} min (${window}); check the PostgreSQL log /aws/rds/instance/${instance.identifier}/postgresql: wrong password, client without TLS, or a client that does not trust the RDS CA (PGSSLMODE / NODE_EXTRA_CA_CERTS / PGSSLROOTCERT)`,
        namespace: instance.connectionFailures.namespace,
        metricName: instance.connectionFailures.metricName,
        statistic: 'Sum',
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        threshold: s.threshold,
        // The filter publishes 0 when nothing matched; no datapoint at all means no log traffic, not failures.
        dimensions: {},
        treatMissingData: 'notBreaching',
      });
      continue;
    }
    const m = RDS_METRICS[kind];
    const threshold = metricThreshold(kind, s.threshold, instance);
    specs.push({
      ...common,
      description: `${instance.identifier}: ${m.what(s.threshold, instance)} for ${window}`,
      namespace: 'AWS/RDS',
      metricName: m.metricName,
      statistic: m.statistic,
      comparisonOperator: m.comparisonOperator,
      threshold,
      dimensions: { DBInstanceIdentifier: instance.identifier },
      treatMissingData: m.treatMissingData,
    });
  }
  return specs;
}

/** One end of a logical replication: the source (publisher, then subscriber of the reverse) or the new instance. */
export interface ReplicationAlarmInstance {
  /** Names the alarms apart: `<prefix>-<role>-<kind>`. */
  role: 'source' | 'clone';
  identifier: string;
  allocatedStorageGiB: number;
  /** The active instance has its freeStorageSpace alarm already (renderAlarms): not rendered twice. */
  active: boolean;
}

/**
 * Strategy replication's alarms on one end of the replication: the slot lag and the disk its slots retain, and the
 * free storage of an instance that is not the active one (a stalled slot fills its storage while ToolJet runs on the
 * other instance). Rendered on both ends in every phase, so a slot left behind after a rollback or a teardown is
 * alarmed too.
 */
export function renderReplicationAlarms(
  namePrefix: string,
  instance: ReplicationAlarmInstance,
  settings: Readonly<Record<AlarmKind, AlarmSettings>>,
): AlarmSpec[] {
  if (!(instance.allocatedStorageGiB > 0))
    throw new Error(`renderReplicationAlarms: allocated storage of ${instance.identifier} is unknown`);
  const kinds: Array<Exclude<AlarmKind, 'connectionFailures'>> = [
    ...REPLICATION_ALARM_KINDS,
    ...(instance.active ? [] : ['freeStorageSpace' as const]),
  ];
  return kinds.map((kind) => {
    const s = settings[kind];
    const m = RDS_METRICS[kind];
    const window = `${s.evaluationPeriods} x ${s.period / 60} min`;
    return {
      kind,
      name: `${namePrefix}-${instance.role}-${kebab(kind)}`,
      description: `${instance.identifier}: ${m.what(s.threshold, instance)} for ${window}`,
      namespace: 'AWS/RDS',
      metricName: m.metricName,
      statistic: m.statistic,
      comparisonOperator: m.comparisonOperator,
      threshold: metricThreshold(kind, s.threshold, instance),
      period: s.period,
      evaluationPeriods: s.evaluationPeriods,
      datapointsToAlarm: s.evaluationPeriods,
      dimensions: { DBInstanceIdentifier: instance.identifier },
      treatMissingData: m.treatMissingData,
    };
  });
}
