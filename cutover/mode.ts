// Which maintenance-window graph a run builds, and what makes the stop/start commands run again. Pure.
//
// - off:      maintenanceWindow false (staging default). No stop/start; the graph is snapshot -> clone -> targets ->
//             validation, ToolJet keeps running.
// - cutover:  maintenanceWindow true, activeDatabase clone: stop -> snapshot -> clone + 16.9 -> parameter group ->
//             validation (exact equality with the frozen source) -> re-point -> start.
// - rollback: maintenanceWindow true, activeDatabase source (after a recorded cutover): stop -> rollback report ->
//             re-point at the source -> start. No validation: the clone has taken writes and no longer equals the
//             source, and going back to the source must never wait for it. activeDatabase restored (an instance
//             restored from a snapshot) is the same graph without the report: stop -> re-point at it -> start.
import type { ActiveDatabase } from '../config/types';
import type { CutoverMode } from './estimate';

export function cutoverMode(c: { maintenanceWindow: boolean; activeDatabase: ActiveDatabase }): CutoverMode {
  if (!c.maintenanceWindow) return 'off';
  return c.activeDatabase === 'clone' ? 'cutover' : 'rollback';
}

/**
 * The stop/start commands' `triggers`: a change replaces them, i.e. runs them again. They are the identity of one
 * cutover (snapshot and clone from the configuration, known before anything exists) and its direction, so:
 * the first cutover runs them; the next `pulumi up` with the same configuration does not (nothing stops ToolJet
 * again); the rollback (activeDatabase: source), a move to a restored instance (each restored identifier) and a later
 * cutover again each run them once; a new snapshot or clone identifier is a new cutover. Other input changes (region,
 * timeouts, a new version of the scripts) only reach the commands' `update`, which does nothing.
 */
export function windowTriggers(c: {
  snapshotIdentifier: string;
  cloneIdentifier: string;
  activeDatabase: ActiveDatabase;
  restoredIdentifier?: string;
}): string[] {
  // A restored instance is its own direction: another one (restored again) is another window.
  const direction = c.activeDatabase === 'restored' ? `restored:${c.restoredIdentifier ?? ''}` : c.activeDatabase;
  return [c.snapshotIdentifier, c.cloneIdentifier, direction];
}
