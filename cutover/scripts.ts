// What the maintenance window's stop/start scripts share, whatever the kind (each kind's is targets/<kind>/window.sh,
// its environment rendered by targets/<kind>/window.ts): the functions in tooljet-common.sh put in front of each, the
// action, the time budget, the no-op `update`, and reading the stop's record from its output. Each script is passed
// to `/bin/sh -c` as text (like the targets' scripts) and tested by running it against stand-in CLIs. Pure.
import * as fs from 'fs';
import * as path from 'path';

export type ToolJetAction = 'stop' | 'start';

/** The functions every kind's script uses (fail, note, is_count, check_action, read_budget, downtime_since_stop). */
export const TOOLJET_COMMON_SCRIPT = path.join(__dirname, 'tooljet-common.sh');

/** The text a stop/start command runs: the shared functions, then the kind's script (`kindScript`, a path). */
export function windowScriptText(kindScript: string): string {
  return fs.readFileSync(TOOLJET_COMMON_SCRIPT, 'utf8') + fs.readFileSync(kindScript, 'utf8');
}

/** What every kind's environment starts with. */
export interface ToolJetCommandBase {
  action: ToolJetAction;
  timeoutSeconds: number;
  pollSeconds?: number;
  /** start: `stoppedEpoch` from the stop's output (the start prints the downtime). */
  stoppedEpoch?: string;
}

export function baseEnvironment(b: ToolJetCommandBase, defaultPoll: number): Record<string, string> {
  if (!Number.isInteger(b.timeoutSeconds) || b.timeoutSeconds <= 0)
    throw new Error(`tooljet ${b.action}: timeoutSeconds must be a positive integer`);
  const env: Record<string, string> = {
    TJ_ACTION: b.action,
    TJ_TIMEOUT_SECONDS: String(b.timeoutSeconds),
    TJ_POLL_SECONDS: String(b.pollSeconds ?? defaultPoll),
  };
  if (b.action === 'start' && b.stoppedEpoch && /^\d+$/.test(b.stoppedEpoch)) env.TJ_STOPPED_EPOCH = b.stoppedEpoch;
  return env;
}

/**
 * The commands' `update`: a change of anything but the triggers (region, timeouts, a new version of the scripts)
 * must not stop or start ToolJet. It keeps the previous output (addPreviousOutputInEnv), so the recorded stop time
 * and the state stay as they were.
 */
export function noopUpdate(action: ToolJetAction): string {
  return [
    `printf '%s\\n' "\${PULUMI_COMMAND_STDOUT:-}"`,
    `echo "tooljet-${action}: nothing to do; ToolJet is ${action === 'stop' ? 'stopped' : 'started'} only when the cutover changes (snapshot, clone or activeDatabase)" >&2`,
    '',
  ].join('\n');
}

/** `stoppedEpoch=<n>` from a stop script's output line. */
export function parseStoppedEpoch(stdout: string): string | undefined {
  return /(?:^|\s)stoppedEpoch=(\d+)(?:\s|$)/m.exec(stdout)?.[1];
}

/** The key=value pairs of the last `tooljet=...` line a stop or start script printed. */
export function parseToolJetRecord(stdout: string): Record<string, string> | undefined {
  const lines = stdout.split('\n').filter((l) => l.startsWith('tooljet='));
  const last = lines[lines.length - 1];
  if (!last) return undefined;
  return Object.fromEntries(last.split(' ').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
}
