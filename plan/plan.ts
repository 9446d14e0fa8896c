// What one `pulumi up` does, decided from the checked configuration before anything is looked up or declared: the
// Plan. buildPlan (build.ts) makes it; programs/<strategy>.ts builds the resource graph from it. Every strategy's plan
// answers the same questions (PlanBase), so the programs share their wiring (programs/shared.ts) and a new strategy
// (issue 13: logical replication) adds its own interface to the union and its own program. Pure data, no Pulumi.
import type { ActiveDatabase, BlueGreenPhase, Environment, Strategy } from '../config/types';
import type { CutoverMode, EstimateInput } from '../cutover/estimate';
import type { FreshSnapshotInput, SnapshotPresence } from '../cutover/fresh-snapshot';
import type { TargetKind } from '../targets';

/**
 * The maintenance window: `off` (ToolJet keeps running), `cutover` (stop -> snapshot -> clone + 16.9 -> parameter
 * group -> validation -> re-point -> start) or `rollback` (stop -> rollback report -> re-point -> start; to a
 * restored instance without the report). cutover/mode.ts.
 */
export interface WindowPlan {
  readonly mode: CutoverMode;
  /** The kinds whose ToolJet is stopped first and started last, in registry order; none when the mode is `off`. */
  readonly kinds: readonly TargetKind[];
  /** The stop/start commands' triggers (cutover/mode.ts windowTriggers): the identity of this cutover. */
  readonly triggers: readonly string[];
}

/** Why no post-deploy validation is declared. */
export type NoValidationReason =
  /** validation.enabled: false (the machine running pulumi up cannot reach the clone). */
  | 'disabled'
  /** cleanup removed the clone: nothing to compare. */
  | 'cleanup'
  /** A window rollback: the clone has taken writes, and going back must never wait for the comparison. */
  | 'rollback'
  /** activeDatabase restored: ToolJet uses neither the source nor the clone. */
  | 'restored'
  /**
   * Another strategy, which checks its own way (blue-green: precheck and postcheck around the switchover), or a phase
   * of strategy replication without a cutover.
   */
  | 'strategy';

/** Whether and where `tj-pg-upgrade validate` (the source against the clone) runs. */
export type ValidationPlan =
  /** In the cutover window: ToolJet is stopped, the comparison is exact, and the targets wait for it. */
  | { readonly runs: 'before-targets'; readonly source: 'exact' }
  /** Without a window: after the clone and every target; ToolJet still writes, so data differences warn. */
  | { readonly runs: 'after-targets'; readonly source: 'live-source' }
  | { readonly runs: 'none'; readonly because: NoValidationReason };

/** What the targets wait for before they re-point ToolJet (and, in a window, what the start waits for too). */
export type TargetPrerequisite =
  /** The exact validation of the cutover window. */
  | 'validation'
  /** The stop of ToolJet (a window rollback: re-pointing needs nothing else). */
  | 'stop'
  /** The rollback report: rows on the clone are counted before the source takes writes again. */
  | 'rollback-report';

/** Which instances the dashboard charts and which one the alarms watch. */
export interface MonitoringPlan {
  readonly enabled: boolean;
  /** In dashboard order. */
  readonly instances: readonly ActiveDatabase[];
  /** The instance ToolJet is pointed at: the alarms follow it. */
  readonly active: ActiveDatabase;
}

/** What the program logs at start: the phase estimate (info) and warnings. */
export interface PlanLog {
  /** The estimate (cutover/estimate.ts formatEstimate); only once the source's allocated storage is known. */
  readonly estimate?: string;
  readonly warnings: readonly string[];
}

/** Facts the read-only lookups find, which complete the log (buildPlan works without them). */
export interface PlanFacts {
  /** The source's allocated storage in GiB (aws.rds.getInstance): the estimate's upper bound of the data. */
  readonly allocatedStorageGiB?: number;
  /** What the lookup of the configured snapshot found (made only when the plan's lookups.freshSnapshot asks). */
  readonly snapshot?: SnapshotPresence;
}

/** What every strategy's plan answers. */
export interface PlanBase {
  readonly strategy: Strategy;
  readonly environment: Environment;
  readonly production: boolean;
  /** The database ToolJet is pointed at after this run. */
  readonly activeDatabase: ActiveDatabase;
  /** The configured ToolJet target kinds, in registry order: each is deployed and pointed at the active database. */
  readonly targets: readonly TargetKind[];
  readonly window: WindowPlan;
  readonly validation: ValidationPlan;
  /** `tj-pg-upgrade rollback-report` runs in this `pulumi up` (ToolJet goes back to the source after a cutover). */
  readonly rollbackReport: boolean;
  readonly monitoring: MonitoringPlan;
  readonly log: PlanLog;
}

/** Strategy clone: snapshot -> private clone -> 16.9 -> parameter group; the source is only read. */
export interface ClonePlan extends PlanBase {
  readonly strategy: 'clone';
  /** The read-only lookups made before anything is declared (also during preview). */
  readonly lookups: {
    /** The source must be encrypted when this stack snapshots it; `restoring` phrases a missing source for a restore. */
    readonly source: { readonly requireEncrypted: boolean; readonly restoring: boolean };
    /** activeDatabase restored: the instance restored from a snapshot (read, never modified). */
    readonly restoredInstance?: string;
    /** A cutover window that takes the snapshot: look it up and warn when it is older than the window. */
    readonly freshSnapshot?: Omit<FreshSnapshotInput, 'presence'>;
  };
  /**
   * `create`: this stack takes it (in a window only once ToolJet is stopped everywhere: afterStop); `existing`: looked
   * up by its exact identifier.
   */
  readonly snapshot:
    | { readonly mode: 'create'; readonly identifier: string; readonly afterStop: boolean }
    | { readonly mode: 'existing'; readonly identifier: string };
  /** The clone, its log group and parameter group are declared (false once cleanup removed them). */
  readonly clone: boolean;
  /** What the targets wait for before they re-point ToolJet. */
  readonly targetsWaitFor: readonly TargetPrerequisite[];
  /** What the phase estimate gets, but the source's allocated storage (a fact of its lookup). */
  readonly estimate: Omit<EstimateInput, 'allocatedStorageGiB'>;
}

/** Strategy blue-green: RDS Blue/Green on the source itself, in two phases. */
export interface BlueGreenPlan extends PlanBase {
  readonly strategy: 'blue-green';
  readonly phase: BlueGreenPhase;
  readonly targetVersion: string;
  /**
   * Phase upgrade: snapshot, precheck, then the blue/green update, which waits for every target (ToolJet must verify
   * TLS before the switchover to a 16.9 with rds.force_ssl=1), then the postcheck. Phase import: the source is imported
   * as it is (the precheck runs, nothing changes).
   */
  readonly upgrade: boolean;
}

/**
 * Strategy replication's phase, from the configuration: `replicate` (activeDatabase source, no cutoverAt: the new
 * instance is created and fed while ToolJet runs on the source), `cutover` (activeDatabase clone: the window moves
 * ToolJet to the new instance and turns the replication around), `rollback` (activeDatabase source after cutoverAt:
 * the window moves ToolJet back with every write made on 16.9), `teardown` (replication.teardown: the replication is
 * dropped in both directions; the new instance stays).
 */
export type ReplicationPhase = 'replicate' | 'cutover' | 'rollback' | 'teardown';

/** One step of strategy replication's graph (programs/replication.ts declares each). */
export type ReplicationStep =
  /** `tj-pg-upgrade precheck --strategy replication`: what the database must allow (before anything is created). */
  | 'precheck'
  /** The new RDS for PostgreSQL 16.9 instance and its postgres16 parameter group. */
  | 'instance'
  /** `replicate setup`: schema copy, publication and subscription (the initial copy then streams on). */
  | 'setup'
  /** `replicate status`: the lag per slot and table once set up (a secret stack output). */
  | 'status'
  | 'stop'
  /** `replicate catch-up`: wait until the subscriber applied everything the stopped source committed. */
  | 'catch-up'
  /** `replicate finish`: sequences and materialized views, which logical replication does not carry. */
  | 'finish'
  /** `tj-pg-upgrade validate`, exact: the stopped source against the caught-up 16.9 instance. */
  | 'validate'
  /** `replicate reverse`: drop the forward subscription, replicate 16.9 -> 13 from now on (no initial copy). */
  | 'reverse'
  | 're-point'
  | 'start'
  | 'catch-up-reverse'
  | 'finish-reverse'
  /** `tj-pg-upgrade rollback-report`: rows written on 16.9 since cutoverAt that the source lacks (0 expected). */
  | 'rollback-report'
  /** `replicate teardown --direction all`: subscriptions, slots and publications on both instances. */
  | 'teardown';

/** Strategy replication: a new 16.9 instance fed by logical replication from the source, in phases. */
export interface ReplicationPlan extends PlanBase {
  readonly strategy: 'replication';
  readonly phase: ReplicationPhase;
  readonly targetVersion: string;
  /** The new instance's identifier. */
  readonly instance: string;
  /**
   * The steps of this run, in order: each waits for the one before it. The targets are re-pointed in the chain only
   * in a window; otherwise (replicate, teardown) they are deployed pointing at the active database, waiting for nothing.
   */
  readonly steps: readonly ReplicationStep[];
}

export type Plan = ClonePlan | BlueGreenPlan | ReplicationPlan;
