// One `tj-pg-upgrade` command of strategy replication as a local.Command (the text: replication/commands.ts).
//
// - Credentials only in `environment`; declared through commandWithSecrets (lib/commands/secret-command.ts), so the
//   environment, stdout and stderr are secrets in the state.
// - It runs when its `triggers` change (create); any other input change reaches the no-op `update` (a rotated
//   password, an edit of the timing wrapper must not catch up, reverse or tear down again).
// - Through the timing wrapper: `pulumi up` prints each step's measured duration (the window's downtime per phase).
// - No `delete`: removing a step from the graph (the next phase) runs nothing.
import type * as command from '@pulumi/command';
import * as pulumi from '@pulumi/pulumi';
import { timedInterpreter } from '../cutover/timing';
import { noopUpdateScript } from '../lib/commands';
import { commandWithSecrets } from '../lib/commands/secret-command';
import { formatDuration } from '../lib/durations';

export interface ReplicationStepArgs {
  /** The script (replicationScript). */
  script: string;
  /** The phase label the timing wrapper prints (cutover/timing.ts PHASES). */
  label: string;
  /** The environment (replicationEnvironment): made a secret here. */
  environment: pulumi.Input<Record<string, string>>;
  /** A change runs the step again. */
  triggers: pulumi.Input<string>[];
  /** Completes "it runs only when ..." in the no-op update's line. */
  runsWhen: string;
  timeoutSeconds: number;
  /** Keep the previous stdout on a no-op update (a stack output reads it). */
  reprint?: boolean;
}

/** `opts.dependsOn` is given to the command itself, so the engine records the order on the resource that does it. */
export class ReplicationStep extends pulumi.ComponentResource {
  readonly command: command.local.Command;
  /** Secret (see the header). */
  readonly stdout: pulumi.Output<string>;

  constructor(name: string, args: ReplicationStepArgs, opts?: pulumi.ComponentResourceOptions) {
    super('tooljet-pg-upgrade:replication:ReplicationStep', name, {}, opts);
    this.command = commandWithSecrets(
      name,
      {
        create: args.script,
        interpreter: timedInterpreter(args.label),
        environment: args.environment,
        update: noopUpdateScript({ name, runsWhen: args.runsWhen, reprint: args.reprint ?? false }),
        triggers: args.triggers,
        // Table names, LSNs, counts: the CLI never prints a password (URLs are redacted).
        logging: 'stdoutAndStderr',
        addPreviousOutputInEnv: args.reprint ?? false,
      },
      {
        parent: this,
        ...(opts?.dependsOn !== undefined && { dependsOn: opts.dependsOn }),
        customTimeouts: { create: formatDuration(args.timeoutSeconds), update: '5m' },
      },
    );
    this.stdout = this.command.stdout;
    this.registerOutputs({});
  }
}
