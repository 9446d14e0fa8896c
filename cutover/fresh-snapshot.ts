// A cutover window needs a snapshot taken in that window: the exact validation compares the clone restored from it
// with the source, so a snapshot taken earlier (a staging run, an earlier or given-up window) misses what ToolJet wrote
// to the source since then, and the validation fails with ToolJet stopped. At program start (also in preview)
// index.ts looks the configured identifier up read-only; this decides what to say. The rule is deliberately simple:
// a snapshot created at or after `cutoverAt` (recorded at the start of the window) belongs to this window (a resumed
// `pulumi up`, or every later run after the cutover); anything older, or any snapshot when no cutoverAt is recorded,
// gets a warning saying how to take a fresh one. Pure.

export type SnapshotPresence =
  | { exists: false }
  | { exists: true; createTime: string; instance: string }
  | { exists: 'unknown'; error: string };

export interface FreshSnapshotInput {
  snapshotIdentifier: string;
  cloneIdentifier: string;
  presence: SnapshotPresence;
  /** The recorded start of the window (config `cutoverAt`, `YYYY-MM-DDTHH:MM:SSZ`). */
  cutoverAt?: string;
}

/** `name-2` for `name`, `name-3` for `name-2`: a suggestion for the operator, never computed into the configuration. */
export function nextIdentifier(id: string): string {
  const m = /^(.*)-(\d+)$/.exec(id);
  return m ? `${m[1]}-${Number(m[2]) + 1}` : `${id}-2`;
}

/** The warning to log in a cutover window, or undefined when the snapshot is absent or belongs to this window. */
export function staleSnapshotWarning(i: FreshSnapshotInput): string | undefined {
  const p = i.presence;
  const fresh = `pulumi config set --path snapshot.identifier ${nextIdentifier(i.snapshotIdentifier)} && pulumi config set --path clone.identifier ${nextIdentifier(i.cloneIdentifier)}`;
  if (p.exists === false) return undefined;
  if (p.exists === 'unknown') {
    return `could not check whether snapshot "${i.snapshotIdentifier}" exists already (${p.error}); if it does and was taken before this window, the exact validation fails with ToolJet stopped: take a fresh one (${fresh})`;
  }
  // Being created (no time yet): this window's, from a run that was interrupted.
  if (!p.createTime) return undefined;
  const created = Date.parse(p.createTime);
  if (i.cutoverAt !== undefined && Number.isFinite(created) && created >= Date.parse(i.cutoverAt)) return undefined;
  const when =
    i.cutoverAt !== undefined
      ? `taken ${p.createTime}, before this window's cutoverAt ${i.cutoverAt}`
      : `taken ${p.createTime}; no cutoverAt is recorded, so whether it belongs to this window cannot be told`;
  return `snapshot "${i.snapshotIdentifier}" exists already (${when}): the clone comes from it and the exact validation compares it with the source, so anything ToolJet wrote to the source after it fails the validation while ToolJet is stopped. A window needs a fresh snapshot and clone: ${fresh} (docs/cutover-and-rollback.md "A window needs a fresh snapshot")`;
}
