// The `update` of a command that must run only when its `triggers` change. pulumi-command runs `create` AGAIN on an
// update when `update` is unset, and every input change that is not a trigger is an update: a rotated dbPassword (the
// secret environment), a new flag, an edit of the timing wrapper (the interpreter) or of the guard text. For a check
// that is right only once (the exact post-deploy validation: it fails once ToolJet writes to the clone; the blue/green
// precheck: it refuses the upgraded 16.9 server), running create again breaks every later `pulumi up`. A trigger
// change still replaces the command (delete, then create), so its work runs exactly when a trigger says so. Pure.

export interface NoopUpdate {
  /** The command's name as the log shows it, e.g. `post-deploy-validate`. */
  name: string;
  /** When create runs, completing "it runs only when ...", e.g. `the clone or the maintenance window changes`. */
  runsWhen: string;
  /**
   * Print the previous stdout again (the command needs `addPreviousOutputInEnv: true`), so the output that others
   * read (a stack output, another command's trigger) stays what create printed.
   */
  reprint: boolean;
}

const SAFE_TEXT = /^[A-Za-z0-9 (),.:;/_+-]{1,300}$/;

/** The script of a no-op `update`: one line on stderr saying why nothing runs; stdout is the previous one or empty. */
export function noopUpdateScript(u: NoopUpdate): string {
  for (const [field, value] of [
    ['name', u.name],
    ['runsWhen', u.runsWhen],
  ] as const) {
    if (!SAFE_TEXT.test(value))
      throw new Error(
        `noopUpdateScript: ${field} ${JSON.stringify(value)} has characters that do not belong in a log line`,
      );
  }
  return [
    ...(u.reprint ? [`printf '%s\\n' "\${PULUMI_COMMAND_STDOUT:-}"`] : []),
    `echo "${u.name}: nothing to do on this update; it runs only when ${u.runsWhen} (docs/design.md, \\"When each command runs\\")" >&2`,
    '',
  ].join('\n');
}
