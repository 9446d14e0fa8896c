// The two ends of the maintenance window as Pulumi resources: StopToolJet (one local.Command per configured target
// kind, before the snapshot) and StartToolJet (one per kind, after the targets are re-pointed). What each command
// does is the script of its kind (targets/<kind>/window.sh, from the registry targets/index.ts, in its order); the
// order of the phases is the resource graph index.ts builds:
//   cutover:  stop -> snapshot -> clone + 16.9 -> parameter group -> validation -> re-point -> start
//   rollback: stop -> rollback report -> re-point at the source -> start
//
// - They run only when the cutover changes: `triggers` are the snapshot and clone identifiers and activeDatabase
//   (cutover/mode.ts). The next `pulumi up` after a cutover runs neither; any other change reaches `update`,
//   which does nothing. There is no `delete`: removing them (maintenanceWindow: false, pulumi destroy) never stops or
//   starts ToolJet.
// - A stop that fails (the service cannot be stopped in time, no permission, no CLI) fails `pulumi up` and nothing
//   that depends on it runs: no snapshot is taken while ToolJet may still write.
// - No secret passes through them (identifiers, counts and the secret-free user-data only); output is streamed.
// - Each runs through the timing wrapper: `pulumi up` shows its measured duration next to the logged estimate.
import * as command from '@pulumi/command';
import * as pulumi from '@pulumi/pulumi';
import { AnyTargetKind, configuredKinds, definitionOf, TargetConfigs, TargetKind, TARGETS } from '../targets';
import type { DeployedTargets } from '../targets/deploy';
import { noopUpdate, parseStoppedEpoch, ToolJetAction, windowScriptText } from './scripts';
import { phaseLabel, PHASES, timedInterpreter } from './timing';

export interface ToolJetWindowArgs {
  /** The configured targets' settings: one command per configured kind, in registry order. */
  targets: TargetConfigs;
  /** cutover/mode.ts windowTriggers(): a change runs the commands again. */
  triggers: readonly string[];
  /** aws:region / aws:profile for the AWS CLI. */
  cli: { region?: string; profile?: string };
}

export interface StartToolJetArgs extends ToolJetWindowArgs {
  /** The stop commands (their output carries the stop time, so the start prints the downtime). */
  stop?: StopToolJet;
  /** The deployed targets: a kind's start may need something of its component (the AMI's user-data). */
  deployed?: Pick<DeployedTargets, 'components'>;
}

/** The configured kinds, in registry order (the order the window stops and starts them). */
export function windowKinds(targets: TargetConfigs): TargetKind[] {
  return configuredKinds(targets);
}

/** The text a kind's stop/start command runs: cutover/tooljet-common.sh, then targets/<kind>/window.sh. */
export function toolJetScript(kind: TargetKind): string {
  return windowScriptText(definitionOf(kind).window.script);
}

/** The configured kinds with their settings, in registry order. */
function configured(targets: TargetConfigs): Array<[AnyTargetKind, unknown]> {
  return TARGETS.filter((d) => targets[d.kind] !== undefined).map((d) => [d, targets[d.kind]]);
}

function windowCommand(
  parent: pulumi.Resource,
  name: string,
  definition: AnyTargetKind,
  timeoutSeconds: number,
  action: ToolJetAction,
  args: ToolJetWindowArgs,
  environment: pulumi.Input<Record<string, string>>,
  dependsOn: pulumi.ComponentResourceOptions['dependsOn'],
): command.local.Command {
  const kind = definition.kind;
  return new command.local.Command(
    `${name}-${kind}`,
    {
      create: toolJetScript(kind),
      update: noopUpdate(action),
      interpreter: timedInterpreter(phaseLabel(action === 'stop' ? PHASES.stop : PHASES.start, kind)),
      environment,
      triggers: [...args.triggers],
      // Identifiers, counts, states: no credentials pass through these commands.
      logging: 'stdoutAndStderr',
      // The no-op update re-prints the previous output (the stop's record) from PULUMI_COMMAND_STDOUT.
      addPreviousOutputInEnv: true,
    },
    {
      parent,
      ...(dependsOn !== undefined && { dependsOn }),
      customTimeouts: { create: `${timeoutSeconds + 300}s`, update: '5m' },
    },
  );
}

/**
 * Stops ToolJet on every configured target; nothing that depends on it runs before every kind reports stopped.
 * `opts.dependsOn` (none in the program: the stop is the first step) is given to each command too.
 */
export class StopToolJet extends pulumi.ComponentResource {
  readonly commands: Partial<Record<TargetKind, command.local.Command>> = {};
  readonly all: command.local.Command[] = [];

  constructor(name: string, args: ToolJetWindowArgs, opts?: pulumi.ComponentResourceOptions) {
    super('tooljet-pg-upgrade:cutover:StopToolJet', name, {}, opts);
    for (const [definition, settings] of configured(args.targets)) {
      const timeoutSeconds = definition.window.timeoutSeconds(settings);
      const environment = definition.window.environment(
        settings,
        { action: 'stop', timeoutSeconds },
        { cli: args.cli },
      );
      const c = windowCommand(this, name, definition, timeoutSeconds, 'stop', args, environment, opts?.dependsOn);
      this.commands[definition.kind] = c;
      this.all.push(c);
    }
    this.registerOutputs({});
  }

  /** When the stop of `kind` finished (epoch seconds, from its output); undefined when it printed none. */
  stoppedEpoch(kind: TargetKind): pulumi.Output<string | undefined> {
    const c = this.commands[kind];
    return c ? c.stdout.apply((out) => parseStoppedEpoch(out ?? '')) : pulumi.output(undefined);
  }
}

/**
 * Starts ToolJet again on every configured target. `opts.dependsOn`: every target component and what they waited for
 * (the window's validation, stop and rollback report), given to each command too, so it starts only once every target
 * is re-pointed.
 */
export class StartToolJet extends pulumi.ComponentResource {
  readonly commands: Partial<Record<TargetKind, command.local.Command>> = {};
  readonly all: command.local.Command[] = [];

  constructor(name: string, args: StartToolJetArgs, opts?: pulumi.ComponentResourceOptions) {
    super('tooljet-pg-upgrade:cutover:StartToolJet', name, {}, opts);
    for (const [definition, settings] of configured(args.targets)) {
      const kind = definition.kind;
      let startInput: pulumi.Output<string | undefined> = pulumi.output(undefined);
      if (definition.window.startInput) {
        const component = (args.deployed?.components as Record<string, pulumi.ComponentResource> | undefined)?.[kind];
        if (!component) throw new Error(`StartToolJet: the ${kind} target's start needs its deployed component`);
        startInput = definition.window.startInput(component);
      }
      const timeoutSeconds = definition.window.timeoutSeconds(settings);
      const environment = pulumi
        .all([args.stop ? args.stop.stoppedEpoch(kind) : pulumi.output(undefined), startInput])
        .apply(([stoppedEpoch, start]) =>
          definition.window.environment(
            settings,
            { action: 'start', timeoutSeconds, ...(stoppedEpoch !== undefined && { stoppedEpoch }) },
            { cli: args.cli, ...(start !== undefined && { start }) },
          ),
        );
      const c = windowCommand(this, name, definition, timeoutSeconds, 'start', args, environment, opts?.dependsOn);
      this.commands[kind] = c;
      this.all.push(c);
    }
    this.registerOutputs({});
  }
}
