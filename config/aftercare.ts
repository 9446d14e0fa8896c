// Pure validation of the aftercare keys: `strategy` (+ `blueGreen`), `monitoring`, `cleanup` and `cutoverAt`, and
// how they combine with the rest of the stack (one self-contained line per problem, like every other key).
import type { Reader } from './reader';
import { checkParameterGroupName, toRdsNamePart } from './identifiers';
import {
  ActiveDatabase,
  ALARM_KINDS,
  AlarmKind,
  AlarmSettings,
  BLUE_GREEN_PHASES,
  BlueGreenConfig,
  CleanupConfig,
  DEFAULTS,
  Environment,
  MonitoringConfig,
  Strategy,
  STRATEGIES,
  SUB_KEYS,
} from './types';

type Raw = Readonly<Record<string, unknown>>;

export interface AftercareContext {
  environment: Environment;
  sourceId: string | undefined;
  activeDatabase: ActiveDatabase;
  snapshotMode: 'create' | 'existing';
}

export interface AftercareConfig {
  strategy: Strategy;
  blueGreen?: BlueGreenConfig;
  monitoring: MonitoringConfig;
  cleanup: CleanupConfig;
  cutoverAt?: string;
}

/** Retention values CloudWatch Logs accepts (days). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

// Deliberately simple: one @, no spaces, a dot in the domain. SNS sends a confirmation mail to it anyway.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** `YYYY-MM-DD` of a real calendar day, or undefined. Also accepts `YYYY-MM-DDT00:00:00Z` (an unquoted YAML date). */
export function calendarDate(text: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(T00:00:00(\.0+)?Z)?$/.exec(text);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) return undefined;
  return `${m[1]}-${m[2]}-${m[3]}`;
}

/** A UTC instant `YYYY-MM-DDTHH:MM[:SS]Z`, normalised to seconds, or undefined. */
export function utcTimestamp(text: string): string | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?(\.\d+)?Z$/.exec(text);
  if (!m || !calendarDate(m[1])) return undefined;
  const [h, mi, s] = [Number(m[2]), Number(m[3]), Number(m[4] ?? 0)];
  if (h > 23 || mi > 59 || s > 59) return undefined;
  return `${m[1]}T${m[2]}:${m[3]}:${m[4] ?? '00'}Z`;
}

/** The calendar day `days` after the day of `timestamp` (UTC). Pure: the same inputs always give the same date. */
export function addDays(dayOrTimestamp: string, days: number): string {
  const t = new Date(`${dayOrTimestamp.slice(0, 10)}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() + days);
  return t.toISOString().slice(0, 10);
}

function parseStrategy(r: Reader, raw: Raw): Strategy {
  return r.oneOf('strategy', raw.strategy, STRATEGIES) ?? DEFAULTS.strategy;
}

function parseBlueGreen(r: Reader, raw: Raw, strategy: Strategy, ctx: AftercareContext): BlueGreenConfig | undefined {
  const o = r.object('blueGreen', raw.blueGreen);
  if (strategy !== 'blue-green') {
    if (o) r.problem('blueGreen', 'is only used with strategy "blue-green"; remove it, or set strategy: blue-green');
    return undefined;
  }
  const b = o ?? {};
  r.unknownKeys('blueGreen', b, SUB_KEYS.blueGreen);
  const phase = r.oneOf('blueGreen.phase', b.phase, BLUE_GREEN_PHASES) ?? 'import';
  let parameterGroupName = r.named(
    'blueGreen.parameterGroupName',
    b.parameterGroupName,
    checkParameterGroupName,
    'DB parameter group name',
  );
  if (b.parameterGroupName === undefined && ctx.sourceId) parameterGroupName = `${ctx.sourceId}-postgres16`;
  const updateTimeoutSeconds = r.duration(
    'blueGreen.updateTimeout',
    b.updateTimeout,
    DEFAULTS.blueGreenUpdateTimeoutSeconds,
  );

  // What the clone strategy configures has no meaning here; refusing it beats ignoring it silently.
  if (raw.clone !== undefined) {
    r.problem(
      'clone',
      'is not used with strategy "blue-green" (there is no clone: the source itself is upgraded); remove the clone section',
    );
  }
  if (ctx.activeDatabase !== 'source') {
    r.problem(
      'activeDatabase',
      `"${ctx.activeDatabase}" has no meaning with strategy "blue-green": the upgraded instance keeps the source's identifier and endpoint; set activeDatabase: source`,
    );
  }
  if (ctx.snapshotMode !== 'create') {
    r.problem(
      'snapshot.mode',
      '"existing" is refused with strategy "blue-green": a fresh snapshot must be taken right before the switchover (the provider deletes the old instance without a final snapshot); use snapshot.mode: create',
    );
  }
  if (raw.cutoverAt !== undefined) {
    r.problem(
      'cutoverAt',
      'is only used with strategy "clone" (the rollback report compares the clone with the source; after a blue/green switchover the old instance is gone); remove it',
    );
  }
  return { phase, parameterGroupName: parameterGroupName ?? '', updateTimeoutSeconds };
}

function parseAlarm(r: Reader, kind: AlarmKind, value: unknown): AlarmSettings {
  const d = DEFAULTS.alarms[kind];
  const key = `monitoring.${kind}`;
  const o = r.object(key, value) ?? {};
  r.unknownKeys(key, o, SUB_KEYS[key as `monitoring.${AlarmKind}`]);
  const limits: Record<AlarmKind, [number, number]> = {
    databaseConnections: [1, 100000],
    cpuUtilization: [1, 100],
    readIops: [1, 1000000],
    writeIops: [1, 1000000],
    freeStorageSpace: [1, 99],
    connectionFailures: [1, 100000],
    // MiB of WAL the oldest slot lags; percent of allocated storage the slots retain.
    replicationSlotLag: [1, 1048576],
    replicationSlotDiskUsage: [1, 99],
  };
  const [min, max] = limits[kind];
  const threshold = r.integer(`${key}.threshold`, o.threshold, min, max) ?? d.threshold;
  let period = r.integer(`${key}.period`, o.period, 60, 86400) ?? d.period;
  if (period % 60 !== 0) {
    r.problem(
      `${key}.period`,
      `${period} is not a multiple of 60; RDS and log metrics have 1-minute resolution: use 60, 300, 900, ...`,
    );
    period = d.period;
  }
  const evaluationPeriods = r.integer(`${key}.evaluationPeriods`, o.evaluationPeriods, 1, 1440) ?? d.evaluationPeriods;
  if (period * evaluationPeriods > 86400) {
    r.problem(
      `${key}.evaluationPeriods`,
      `${evaluationPeriods} x ${period} s is more than one day, which CloudWatch refuses; lower period or evaluationPeriods`,
    );
  }
  return { threshold, period, evaluationPeriods };
}

function parseMonitoring(r: Reader, raw: Raw): MonitoringConfig {
  const o = r.object('monitoring', raw.monitoring) ?? {};
  r.unknownKeys('monitoring', o, SUB_KEYS.monitoring);
  const enabled = r.boolean('monitoring.enabled', o.enabled) ?? true;

  const alarmEmails: string[] = [];
  if (o.alarmEmails !== undefined) {
    if (!Array.isArray(o.alarmEmails)) {
      r.problem('monitoring.alarmEmails', 'must be a list of e-mail addresses, e.g. [dba@example.com]');
    } else {
      o.alarmEmails.forEach((e, i) => {
        const s = r.matching(`monitoring.alarmEmails[${i}]`, e, EMAIL, 'use an e-mail address such as dba@example.com');
        if (s && alarmEmails.includes(s))
          r.problem(`monitoring.alarmEmails[${i}]`, `"${s}" is listed twice; remove one`);
        else if (s) alarmEmails.push(s);
      });
    }
  }

  let logRetentionDays: number = DEFAULTS.logRetentionDays;
  if (o.logRetentionDays !== undefined) {
    const n = r.integer('monitoring.logRetentionDays', o.logRetentionDays, 1, 3653);
    if (n !== undefined && !(LOG_RETENTION_DAYS as readonly number[]).includes(n)) {
      r.problem(
        'monitoring.logRetentionDays',
        `${n} is not a retention CloudWatch Logs accepts; use one of ${LOG_RETENTION_DAYS.join(', ')}`,
      );
    } else if (n !== undefined) logRetentionDays = n;
  }

  const alarms = {} as Record<AlarmKind, AlarmSettings>;
  for (const kind of ALARM_KINDS) alarms[kind] = parseAlarm(r, kind, o[kind]);
  return { enabled, alarmEmails, logRetentionDays, alarms };
}

function parseCutoverAt(r: Reader, raw: Raw): string | undefined {
  if (raw.cutoverAt === undefined) return undefined;
  const s = r.string(
    'cutoverAt',
    raw.cutoverAt,
    'record it once: pulumi config set cutoverAt "$(date -u +%Y-%m-%dT%H:%M:%SZ)"',
  );
  if (s === undefined) return undefined;
  const t = utcTimestamp(s);
  if (!t)
    r.problem(
      'cutoverAt',
      `"${s}" is not a UTC timestamp like 2026-07-01T22:00:00Z; record it once: pulumi config set cutoverAt "$(date -u +%Y-%m-%dT%H:%M:%SZ)"`,
    );
  return t;
}

function parseCleanup(
  r: Reader,
  raw: Raw,
  ctx: AftercareContext,
  strategy: Strategy,
  cutoverAt: string | undefined,
): CleanupConfig {
  if (typeof raw.cleanup === 'boolean' || raw.cleanup === 'true' || raw.cleanup === 'false') {
    r.problem(
      'cleanup',
      'must be a mapping: cleanup: { enabled: true, deleteSnapshotAfter: "YYYY-MM-DD" } (the kept snapshot is tagged with the date it may be deleted after)',
    );
    return { enabled: false };
  }
  const o = r.object('cleanup', raw.cleanup) ?? {};
  r.unknownKeys('cleanup', o, SUB_KEYS.cleanup);
  const enabled = r.boolean('cleanup.enabled', o.enabled) ?? false;

  let snapshotDeleteAfter: string | undefined;
  if (o.deleteSnapshotAfter !== undefined) {
    const s = r.string('cleanup.deleteSnapshotAfter', o.deleteSnapshotAfter, 'use a date like "2026-12-31" (quoted)');
    if (s !== undefined) {
      snapshotDeleteAfter = calendarDate(s);
      if (!snapshotDeleteAfter)
        r.problem(
          'cleanup.deleteSnapshotAfter',
          `"${s}" is not a calendar date; use a date like "2026-12-31" (quoted)`,
        );
    }
    if (o.retainSnapshotDays !== undefined)
      r.problem(
        'cleanup.retainSnapshotDays',
        'is computed into a date only when cleanup.deleteSnapshotAfter is not set; keep one of the two',
      );
  } else if (o.retainSnapshotDays !== undefined) {
    const days = r.integer('cleanup.retainSnapshotDays', o.retainSnapshotDays, 1, 3650);
    if (days !== undefined && !cutoverAt) {
      r.problem(
        'cleanup.retainSnapshotDays',
        'counts from cutoverAt, which is not set; record it (pulumi config set cutoverAt "<UTC time of the cutover>") or set cleanup.deleteSnapshotAfter: "YYYY-MM-DD"',
      );
    } else if (days !== undefined && cutoverAt) {
      snapshotDeleteAfter = addDays(cutoverAt, days);
    }
  }

  if (ctx.snapshotMode === 'existing' && (o.deleteSnapshotAfter !== undefined || o.retainSnapshotDays !== undefined)) {
    r.problem(
      o.deleteSnapshotAfter !== undefined ? 'cleanup.deleteSnapshotAfter' : 'cleanup.retainSnapshotDays',
      'cannot tag a snapshot this stack does not manage (snapshot.mode "existing"); tag it yourself (aws rds add-tags-to-resource) and remove the key',
    );
    snapshotDeleteAfter = undefined;
  }
  if (enabled) {
    // One problem: once cleanup itself is refused, a missing delete-after date is beside the point.
    let refused = true;
    if (ctx.environment === 'production') {
      r.problem(
        'cleanup.enabled',
        'is refused in production: after cutover the clone is the production database; cleanup removes staging clones only',
      );
    } else if (strategy !== 'clone') {
      r.problem(
        'cleanup.enabled',
        `only applies to strategy "clone" (${strategy === 'blue-green' ? 'blue-green leaves no clone behind' : 'replication keeps its new instance: remove the replication with replication.teardown: true'}); remove it`,
      );
    } else if (ctx.activeDatabase === 'clone') {
      r.problem(
        'cleanup.enabled',
        'would delete the clone ToolJet is pointed at; set activeDatabase: source first (pulumi config set activeDatabase source)',
      );
    } else refused = false;
    if (
      !refused &&
      ctx.snapshotMode === 'create' &&
      !snapshotDeleteAfter &&
      o.deleteSnapshotAfter === undefined &&
      o.retainSnapshotDays === undefined
    ) {
      r.problem(
        'cleanup.deleteSnapshotAfter',
        'not set; cleanup keeps the pre-upgrade snapshot and tags it with the date it may be deleted after: pulumi config set --path cleanup.deleteSnapshotAfter 2026-12-31',
      );
    }
  }
  return { enabled, ...(snapshotDeleteAfter !== undefined && { snapshotDeleteAfter }) };
}

/** Parses strategy, blueGreen, monitoring, cleanup and cutoverAt, and checks how they combine with the rest. */
export function parseAftercare(r: Reader, raw: Raw, ctx: AftercareContext): AftercareConfig {
  const strategy = parseStrategy(r, raw);
  const blueGreen = parseBlueGreen(r, raw, strategy, ctx);
  const monitoring = parseMonitoring(r, raw);
  // (blue-green refuses cutoverAt: parseBlueGreen.)
  const cutoverAt = strategy !== 'blue-green' ? parseCutoverAt(r, raw) : undefined;
  const cleanup = parseCleanup(r, raw, ctx, strategy, cutoverAt);
  return {
    strategy,
    ...(blueGreen !== undefined && { blueGreen }),
    monitoring,
    cleanup,
    ...(cutoverAt !== undefined && { cutoverAt }),
  };
}

/** Name part for resources named after the stack (alarms, topic, dashboard). */
export function stackNamePart(project: string, stack: string): string {
  return toRdsNamePart(`${project}-${stack}`);
}
