// The --out directory: where the rendered configuration and results.md/results.json go. A rehearsal writes only into
// a directory that does not exist, is empty, or holds an earlier rehearsal's output (recognised by a marker file it
// wrote); anything else is refused, so a typo never overwrites somebody's files. The directory is created when the
// first file is written, and removed again if the run is interrupted (unless --keep).
import * as fs from 'fs';
import * as path from 'path';

export const OUT_MARKER = '.tj-pg-upgrade-rehearsal';
export const DEFAULT_OUT = 'rehearsal';

/** Bad rehearsal options (exit 2 with this one-line message). */
export class RehearsalUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RehearsalUsageError';
  }
}

export interface OutDirState {
  dir: string;
  /** The directory exists and holds an earlier rehearsal's output, which will be replaced. */
  replaces: boolean;
}

/** Checks that `dir` may be used as --out; throws RehearsalUsageError with what to do otherwise. */
export function checkOutDir(dir: string): OutDirState {
  const abs = path.resolve(dir);
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
  } catch {
    const parent = path.dirname(abs);
    if (!fs.existsSync(parent))
      throw new RehearsalUsageError(`--out ${dir}: the parent directory ${parent} does not exist`);
    return { dir: abs, replaces: false };
  }
  if (!st.isDirectory())
    throw new RehearsalUsageError(`--out ${dir} exists and is not a directory: choose another --out`);
  const entries = fs.readdirSync(abs);
  if (entries.length === 0) return { dir: abs, replaces: false };
  if (entries.includes(OUT_MARKER)) return { dir: abs, replaces: true };
  throw new RehearsalUsageError(
    `--out ${dir} exists and holds other files (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', ...' : ''}): choose an empty or new directory`,
  );
}

/** Creates (or empties an earlier rehearsal's) --out directory and writes the marker. */
export function prepareOutDir(state: OutDirState): void {
  if (state.replaces) {
    // Re-checked: only a directory that still carries our marker is emptied.
    if (!fs.existsSync(path.join(state.dir, OUT_MARKER)))
      throw new RehearsalUsageError(`--out ${state.dir} changed during the run: choose an empty or new directory`);
    for (const e of fs.readdirSync(state.dir)) fs.rmSync(path.join(state.dir, e), { recursive: true, force: true });
  }
  fs.mkdirSync(state.dir, { recursive: true, mode: 0o755 });
  fs.writeFileSync(
    path.join(state.dir, OUT_MARKER),
    'Output of tj-pg-upgrade rehearse; a new rehearsal with this --out replaces it.\n',
  );
}
