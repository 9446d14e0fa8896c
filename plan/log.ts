// What the program logs at start, from the plan and the facts its read-only lookups found: the phase estimate (so the
// operator can compare it with the measured durations the commands print) and the warnings. Pure.
import { formatEstimate } from '../cutover/estimate';
import { staleSnapshotWarning } from '../cutover/fresh-snapshot';
import type { BlueGreenPlan, ClonePlan, PlanFacts, PlanLog, ReplicationPlan } from './plan';

/** A plan before its log. */
export type Decided = Omit<ClonePlan, 'log'> | Omit<BlueGreenPlan, 'log'> | Omit<ReplicationPlan, 'log'>;

/** Strategy replication torn down while ToolJet runs on the new instance: the no-loss rollback is gone from now on. */
export function teardownWarning(plan: Omit<ReplicationPlan, 'log'>): string | undefined {
  if (plan.phase !== 'teardown' || plan.activeDatabase !== 'clone') return undefined;
  return 'replication.teardown drops the reverse replication (16.9 -> the 13 source): from now on activeDatabase: source would lose every write made on the new instance; tear down only once you will not roll back';
}

/**
 * A production stack of strategy clone without the maintenance window: ToolJet keeps running, so the operator must
 * know what that means for the snapshot (config/cutover.ts allows activeDatabase clone here only with
 * cutoverWithoutWindow: true, i.e. ToolJet was stopped by hand).
 */
export function noWindowWarning(plan: Omit<ClonePlan, 'log'>): string | undefined {
  if (!plan.production || plan.window.mode !== 'off') return undefined;
  const by =
    plan.targets.length === 0
      ? 'no ToolJet target is configured, so this program cannot stop ToolJet'
      : 'maintenanceWindow: false';
  return plan.activeDatabase === 'clone'
    ? `maintenanceWindow is off (${by}): ToolJet keeps running while the snapshot is taken. Stop it yourself before the snapshot and keep it stopped until it points at the clone, or the writes in between are lost (docs/cutover-and-rollback.md).`
    : `maintenanceWindow is off (${by}): ToolJet keeps running on the ${plan.activeDatabase === 'source' ? 'source' : 'restored instance'} while the clone is built, so the clone is a copy of a moving source; cut over later in a maintenance window, with a fresh snapshot and clone (docs/cutover-and-rollback.md "A window needs a fresh snapshot").`;
}

/** The estimate (once the source's storage is known) and the warnings, in the order the program logs them. */
export function planLog(plan: Decided, facts: PlanFacts = {}): PlanLog {
  if (plan.strategy === 'replication') {
    const teardown = teardownWarning(plan);
    return { warnings: teardown ? [teardown] : [] };
  }
  if (plan.strategy !== 'clone') return { warnings: [] };
  const fresh = plan.lookups.freshSnapshot;
  const stale = fresh && facts.snapshot ? staleSnapshotWarning({ ...fresh, presence: facts.snapshot }) : undefined;
  const noWindow = noWindowWarning(plan);
  return {
    ...(facts.allocatedStorageGiB !== undefined && {
      estimate: formatEstimate({ ...plan.estimate, allocatedStorageGiB: facts.allocatedStorageGiB }),
    }),
    warnings: [...(stale ? [stale] : []), ...(noWindow ? [noWindow] : [])],
  };
}
