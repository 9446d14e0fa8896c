// The rollback report as part of `pulumi up`: when ToolJet goes back to the source (activeDatabase: source after a
// recorded cutoverAt), count the rows written on the clone that stay there (`tj-pg-upgrade rollback-report`,
// read-only on both sides) and print them in the update's log. It never blocks the rollback: a report that cannot
// run says so and the update goes on (run it by hand: docs/cutover-and-rollback.md "Rollback: back to the
// PostgreSQL 13 source"). It runs once per rollback (triggers: the
// recorded cutoverAt and the clone's resource id); any other change (a rotated password, an edit of the timing
// wrapper) reaches the no-op `update`, which prints the previous report again so the `rollbackReport` output stays.
import * as command from '@pulumi/command';
import * as pulumi from '@pulumi/pulumi';
import { PHASES, timedInterpreter } from '../cutover/timing';
import { CLI, inProjectDir, noopUpdateScript } from '../lib/commands';
import { commandWithSecrets } from '../lib/commands/secret-command';
import { formatDuration } from '../lib/durations';

/**
 * The script the command runs (`/bin/sh -c`); every value comes from its environment. Run outside the project
 * directory it says so and exits 0 like any other report failure (it never blocks the rollback).
 */
export function rollbackReportScript(): string {
  return (
    inProjectDir('', { onMissing: 'skip' }) +
    [
      `${CLI} rollback-report --quiet --since "$TJ_CUTOVER_AT" --tooljet-db "$TJ_TOOLJET_DB"`,
      'code=$?',
      'if [ "$code" -gt 1 ]; then',
      '  echo "tj-pg-upgrade rollback-report could not compare the clone with the source (exit $code, see above); the rollback goes on. Run it by hand before ToolJet writes to the source again (docs/cutover-and-rollback.md, \\"Rollback: back to the PostgreSQL 13 source\\")." >&2',
      'fi',
      'exit 0',
      '',
    ].join('\n')
  );
}

export interface RollbackReportEnvironmentInput {
  sourceUrl: string;
  cloneUrl: string;
  password: string;
  tooljetDb: string;
  cutoverAt: string;
}

/** Environment of the command: password-free URLs, the password in PGPASSWORD (the whole map is a secret). */
export function rollbackReportEnvironment(i: RollbackReportEnvironmentInput): Record<string, string> {
  return {
    TJ_PG_SOURCE_URL: i.sourceUrl,
    TJ_PG_TARGET_URL: i.cloneUrl,
    PGPASSWORD: i.password,
    TJ_TOOLJET_DB: i.tooljetDb,
    TJ_CUTOVER_AT: i.cutoverAt,
  };
}

/** How the no-op update explains itself (docs/design.md "When each command runs"). */
export const REPORT_RUNS_WHEN = 'a new cutoverAt is recorded or the clone is replaced';

export interface RollbackReportArgs {
  /** The source as a password-free URL with verify-full (lib/commands commandDatabaseUrl). */
  sourceUrl: string;
  /** The clone, likewise. */
  cloneUrl: pulumi.Input<string>;
  /** ToolJet's database password (secret): only in the command's environment. */
  password: pulumi.Output<string>;
  /** The ToolJet Database (TOOLJET_DB), reported too. */
  tooljetDb: string;
  /** The recorded cutover (config cutoverAt): rows newer than it on the clone are counted apart. */
  cutoverAt: string;
  /** The clone's resource id: a new clone (or a new cutover) means a new report. */
  cloneResourceId: pulumi.Input<string>;
  /** Create timeout in seconds (the clone's update timeout). */
  timeoutSeconds: number;
}

/**
 * `opts.dependsOn`: in the window, the stop of ToolJet (nothing is written on the clone while it counts); given to the
 * command itself too, so the engine records the order on the resource that does the work.
 */
export class RollbackReport extends pulumi.ComponentResource {
  readonly command: command.local.Command;
  /** The report as printed (table + summary line); a secret, like everything the command prints. */
  readonly stdout: pulumi.Output<string>;

  constructor(name: string, args: RollbackReportArgs, opts?: pulumi.ComponentResourceOptions) {
    super('tooljet-pg-upgrade:rollback:RollbackReport', name, {}, opts);
    this.command = commandWithSecrets(
      name,
      {
        create: rollbackReportScript(),
        // /bin/sh -c through the timing wrapper: prints the measured duration (cutover/timing.ts).
        interpreter: timedInterpreter(PHASES.rollbackReport),
        environment: pulumi.all([args.cloneUrl, args.password]).apply(([cloneUrl, password]) =>
          rollbackReportEnvironment({
            sourceUrl: args.sourceUrl,
            cloneUrl,
            password,
            tooljetDb: args.tooljetDb,
            cutoverAt: args.cutoverAt,
          }),
        ),
        // Once per rollback: runs again only for another cutover or another clone. Never `create` again on an update
        // (pulumi-command's default without `update`): the clone has moved on, the report was of that moment.
        update: noopUpdateScript({ name: 'rollback-report', runsWhen: REPORT_RUNS_WHEN, reprint: true }),
        triggers: [args.cutoverAt, args.cloneResourceId],
        // Table names and counts only; the password is in the environment, which the CLI never prints.
        logging: 'stdoutAndStderr',
        // The no-op update re-prints the previous report from PULUMI_COMMAND_STDOUT (a table per table: kilobytes).
        addPreviousOutputInEnv: true,
      },
      {
        parent: this,
        ...(opts?.dependsOn !== undefined && { dependsOn: opts.dependsOn }),
        customTimeouts: { create: formatDuration(args.timeoutSeconds), update: '5m' },
      },
    );
    this.stdout = this.command.stdout;
    this.registerOutputs({ stdout: this.stdout });
  }
}
