// Measured phase durations: every command of the upgrade runs through a small wrapper (timed.sh) that prints when
// it started and ended and how many seconds it took, so `pulumi up` shows the measured time next to the estimate the
// program logs at start (estimate.ts). The wrapper is the command's interpreter, not part of its `create` text, so
// the command itself (what the tests run for real) stays exactly as it is. Pure.
import * as fs from 'fs';
import * as path from 'path';

export const TIMED_WRAPPER_FILE = path.join(__dirname, 'timed.sh');

/** The phase labels the commands print (and the estimate uses): one vocabulary for estimated and measured. */
export const PHASES = {
  stop: 'stop ToolJet',
  snapshot: 'snapshot',
  restore: 'restore',
  upgrade: 'upgrade to 16',
  parameterGroup: 'parameter group',
  validation: 'validation',
  rollbackReport: 'rollback report',
  repoint: 're-point',
  start: 'start ToolJet',
  // Strategy replication (replication/steps.ts).
  precheck: 'precheck',
  replicationSetup: 'replication setup',
  replicationStatus: 'replication status',
  catchUp: 'catch-up',
  finish: 'sequences and materialized views',
  reverse: 'reverse replication',
  teardown: 'replication teardown',
} as const;

let wrapper: string | undefined;

/** The wrapper's text (timed.sh). */
export function timedWrapper(): string {
  return (wrapper ??= fs.readFileSync(TIMED_WRAPPER_FILE, 'utf8'));
}

/**
 * The interpreter of a timed command: `/bin/sh -c <wrapper> tj-timed <label> /bin/sh -c`; the command provider appends
 * the command (pulumi-command local: `interpreter... command`). The label must be constant for a command: it is an
 * input, and a changed input re-runs the command.
 */
export function timedInterpreter(label: string): string[] {
  if (!/^[A-Za-z0-9 ()+,./_-]{1,80}$/.test(label))
    throw new Error(`timedInterpreter: label ${JSON.stringify(label)} has characters that do not belong in a log line`);
  return ['/bin/sh', '-c', timedWrapper(), 'tj-timed', label, '/bin/sh', '-c'];
}

/** `label (kind)`, e.g. `stop ToolJet (ecs)`. */
export function phaseLabel(phase: string, kind?: string): string {
  return kind ? `${phase} (${kind})` : phase;
}

export interface MeasuredPhase {
  label: string;
  outcome: 'finished' | 'FAILED';
  started: string;
  ended: string;
  seconds: number;
}

/** The "ended" lines the wrapper printed in `text` (a command's stderr, or a whole `pulumi up` log). */
export function parseMeasuredPhases(text: string): MeasuredPhase[] {
  const out: MeasuredPhase[] = [];
  const re = /^tj-pg-upgrade phase "([^"]+)": (finished|FAILED \(exit \d+\)), started (\S+), ended (\S+), (\d+) s$/gm;
  for (const m of text.matchAll(re)) {
    out.push({
      label: m[1],
      outcome: m[2] === 'finished' ? 'finished' : 'FAILED',
      started: m[3],
      ended: m[4],
      seconds: Number(m[5]),
    });
  }
  return out;
}
