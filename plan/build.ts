// buildPlan: the checked configuration (config/) in, the Plan (plan.ts) out. Every decision the programs act on is
// made here, once, in plain code: which window, which database ToolJet uses, whether the clone stays, whether and
// where validation runs, whether the rollback report runs, what the targets wait for, what is monitored, what the
// estimate covers and which warnings are logged. Pure: tested as a table of configurations and plans
// (tests/plan/plan.test.ts). The rules it encodes are config/cutover.ts's (which combinations are refused) and
// docs/cutover-and-rollback.md's (what each window does).
import type { StackConfig } from '../config/types';
import type { CutoverMode } from '../cutover/estimate';
import { cutoverMode, windowTriggers } from '../cutover/mode';
import { BLUE_GREEN_TARGET_VERSION } from '../bluegreen/prerequisites';
import { REPLICATION_TARGET_VERSION } from '../replication/prerequisites';
import { configuredKinds } from '../targets';
import { planLog } from './log';
import type {
  BlueGreenPlan,
  ClonePlan,
  MonitoringPlan,
  Plan,
  PlanFacts,
  ReplicationPhase,
  ReplicationPlan,
  ReplicationStep,
  TargetPrerequisite,
  ValidationPlan,
  WindowPlan,
} from './plan';

/** What buildPlan reads of the configuration (StackConfig and LoadedStackConfig have all of it). */
export type PlanConfig = Pick<
  StackConfig,
  | 'environment'
  | 'strategy'
  | 'blueGreen'
  | 'replication'
  | 'source'
  | 'snapshot'
  | 'clone'
  | 'activeDatabase'
  | 'restoredInstance'
  | 'targets'
  | 'validation'
  | 'monitoring'
  | 'cleanup'
  | 'cutoverAt'
  | 'maintenanceWindow'
>;

function validationPlan(config: PlanConfig, window: WindowPlan, clone: boolean): ValidationPlan {
  if (!config.validation.enabled) return { runs: 'none', because: 'disabled' };
  if (!clone) return { runs: 'none', because: 'cleanup' };
  if (config.activeDatabase === 'restored') return { runs: 'none', because: 'restored' };
  if (window.mode === 'rollback') return { runs: 'none', because: 'rollback' };
  // (activeDatabase is clone here: cutover/mode.ts; config/cutover.ts refused a window without validation.)
  if (window.mode === 'cutover') return { runs: 'before-targets', source: 'exact' };
  return { runs: 'after-targets', source: 'live-source' };
}

function clonePlan(config: PlanConfig, facts: PlanFacts): ClonePlan {
  const production = config.environment === 'production';
  const targets = configuredKinds(config.targets);
  const mode = cutoverMode(config);
  const window: WindowPlan = {
    mode,
    kinds: mode === 'off' ? [] : targets,
    triggers: windowTriggers({
      snapshotIdentifier: config.snapshot.identifier,
      cloneIdentifier: config.clone.identifier,
      activeDatabase: config.activeDatabase,
      ...(config.restoredInstance && { restoredIdentifier: config.restoredInstance.identifier }),
    }),
  };
  // cleanup.enabled (staging): the clone, its log group, parameter group and commands are no longer declared.
  const clone = !config.cleanup.enabled;
  const validation = validationPlan(config, window, clone);
  // Rollback after a recorded cutover: count what stays on the clone (with or without the window).
  const rollbackReport = clone && config.activeDatabase === 'source' && config.cutoverAt !== undefined;
  const targetsWaitFor: TargetPrerequisite[] = [
    ...(validation.runs === 'before-targets' ? ['validation' as const] : []),
    ...(mode === 'rollback' ? ['stop' as const] : []),
    ...(rollbackReport ? ['rollback-report' as const] : []),
  ];
  const monitoring: MonitoringPlan = {
    enabled: config.monitoring.enabled,
    instances: [
      ...(clone ? ['clone' as const] : []),
      'source',
      ...(config.restoredInstance ? ['restored' as const] : []),
    ],
    active: config.activeDatabase,
  };
  const decided = {
    strategy: 'clone' as const,
    environment: config.environment,
    production,
    activeDatabase: config.activeDatabase,
    targets,
    window,
    validation,
    rollbackReport,
    monitoring,
    lookups: {
      source: {
        requireEncrypted: config.snapshot.mode === 'create',
        restoring: config.activeDatabase === 'restored',
      },
      ...(config.restoredInstance && { restoredInstance: config.restoredInstance.identifier }),
      // A window against a snapshot taken before it cannot pass the exact validation: say so before anything stops.
      ...(mode === 'cutover' &&
        config.snapshot.mode === 'create' && {
          freshSnapshot: {
            snapshotIdentifier: config.snapshot.identifier,
            cloneIdentifier: config.clone.identifier,
            ...(config.cutoverAt !== undefined && { cutoverAt: config.cutoverAt }),
          },
        }),
    },
    snapshot:
      config.snapshot.mode === 'create'
        ? { mode: 'create' as const, identifier: config.snapshot.identifier, afterStop: mode !== 'off' }
        : { mode: 'existing' as const, identifier: config.snapshot.identifier },
    clone,
    targetsWaitFor,
    estimate: {
      mode,
      snapshotMode: config.snapshot.mode,
      clone,
      validation: validation.runs !== 'none',
      rollbackReport,
      targets,
    },
  };
  return { ...decided, log: planLog(decided, facts) };
}

function blueGreenPlan(config: PlanConfig, facts: PlanFacts): BlueGreenPlan {
  const phase = config.blueGreen?.phase ?? 'import';
  const decided = {
    strategy: 'blue-green' as const,
    environment: config.environment,
    production: config.environment === 'production',
    // The upgraded instance keeps the source's identifier and endpoint (config refuses any other activeDatabase).
    activeDatabase: 'source' as const,
    targets: configuredKinds(config.targets),
    // The switchover takes about a minute, without stopping ToolJet (config refuses maintenanceWindow).
    window: { mode: 'off' as const, kinds: [], triggers: [] },
    validation: { runs: 'none' as const, because: 'strategy' as const },
    rollbackReport: false,
    monitoring: { enabled: config.monitoring.enabled, instances: ['source' as const], active: 'source' as const },
    phase,
    targetVersion: BLUE_GREEN_TARGET_VERSION,
    upgrade: phase === 'upgrade',
  };
  return { ...decided, log: planLog(decided, facts) };
}

/** Strategy replication's phase (plan.ts ReplicationPhase): the configuration says it, no separate key. */
export function replicationPhase(
  config: Pick<PlanConfig, 'replication' | 'activeDatabase' | 'cutoverAt'>,
): ReplicationPhase {
  if (config.replication?.teardown) return 'teardown';
  if (config.activeDatabase === 'clone') return 'cutover';
  return config.cutoverAt !== undefined ? 'rollback' : 'replicate';
}

/** What each phase runs, in order (docs/strategies.md). */
export const REPLICATION_STEPS: Readonly<Record<ReplicationPhase, readonly ReplicationStep[]>> = {
  replicate: ['precheck', 'instance', 'setup', 'status'],
  cutover: ['precheck', 'instance', 'setup', 'stop', 'catch-up', 'finish', 'validate', 'reverse', 're-point', 'start'],
  rollback: [
    'precheck',
    'instance',
    'setup',
    'stop',
    'catch-up-reverse',
    'finish-reverse',
    'rollback-report',
    're-point',
    'start',
  ],
  // The precheck and the setup are no longer declared: they leave the state without running anything (no delete).
  teardown: ['instance', 'teardown'],
};

function replicationPlan(config: PlanConfig, facts: PlanFacts): ReplicationPlan {
  const r = config.replication!;
  const phase = replicationPhase(config);
  const targets = configuredKinds(config.targets);
  const mode: CutoverMode = phase === 'cutover' ? 'cutover' : phase === 'rollback' ? 'rollback' : 'off';
  const activeDatabase = config.activeDatabase === 'clone' ? ('clone' as const) : ('source' as const);
  const decided = {
    strategy: 'replication' as const,
    environment: config.environment,
    production: config.environment === 'production',
    activeDatabase,
    targets,
    window: {
      mode,
      kinds: mode === 'off' ? [] : targets,
      // The identity of one cutover: the source, the new instance and the direction (cutover/mode.ts).
      triggers:
        mode === 'off'
          ? []
          : windowTriggers({
              snapshotIdentifier: config.source.identifier,
              cloneIdentifier: r.identifier,
              activeDatabase,
            }),
    },
    validation:
      phase === 'cutover'
        ? { runs: 'before-targets' as const, source: 'exact' as const }
        : { runs: 'none' as const, because: phase === 'rollback' ? ('rollback' as const) : ('strategy' as const) },
    rollbackReport: phase === 'rollback',
    monitoring: {
      enabled: config.monitoring.enabled,
      instances: ['clone' as const, 'source' as const],
      active: activeDatabase,
    },
    phase,
    targetVersion: REPLICATION_TARGET_VERSION,
    instance: r.identifier,
    steps: REPLICATION_STEPS[phase],
  };
  return { ...decided, log: planLog(decided, facts) };
}

/**
 * The plan of one `pulumi up` for a checked configuration. `facts` (what the read-only lookups found) complete the log:
 * the estimate once the source's allocated storage is known, the stale-snapshot warning once the snapshot was looked
 * up. Everything else comes from the configuration alone.
 */
export function buildPlan(config: PlanConfig, facts: PlanFacts = {}): Plan {
  if (config.strategy === 'replication') return replicationPlan(config, facts);
  return config.strategy === 'blue-green' ? blueGreenPlan(config, facts) : clonePlan(config, facts);
}
