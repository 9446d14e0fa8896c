// The two ends of the maintenance window as Pulumi resources: StopToolJet (one local.Command per configured target
// kind, before the snapshot) and StartToolJet (one per kind, after the targets are re-pointed). What each command
// does is the script of its kind (<kind>-tooljet.sh); the order is the resource graph index.ts builds:
//   cutover:  stop -> snapshot -> clone + 16.9 -> parameter group -> validation -> re-point -> start
//   rollback: stop -> rollback report -> re-point at the source -> start
//
// - They run only when the cutover changes: `triggers` are the snapshot and clone identifiers and activeDatabase
//   (lib/cutover/mode.ts). The next `pulumi up` after a cutover runs neither; any other change reaches `update`,
//   which does nothing. There is no `delete`: removing them (maintenanceWindow: false, pulumi destroy) never stops or
//   starts ToolJet.
// - A stop that fails (the service cannot be stopped in time, no permission, no CLI) fails `pulumi up` and nothing
//   that depends on it runs: no snapshot is taken while ToolJet may still write.
// - No secret passes through them (identifiers, counts and the secret-free user-data only); output is streamed.
// - Each runs through the timing wrapper: `pulumi up` shows its measured duration next to the logged estimate.
import * as command from '@pulumi/command';
import * as pulumi from '@pulumi/pulumi';
import { durationSeconds } from '../../lib/durations';
import type { TargetConfigs } from '../../config/targets/types';
import type { TargetKind } from '../../config/types';
import { phaseLabel, PHASES, timedInterpreter } from '../../lib/cutover';
import { amiToolJetEnvironment } from './ami';
import { dockerToolJetEnvironment } from './docker';
import { ecsToolJetEnvironment } from './ecs';
import { eksToolJetDeployments, eksToolJetEnvironment } from './eks';
import { noopUpdate, parseStoppedEpoch, toolJetScript, ToolJetAction } from './scripts';

/** Time budgets of the kinds without a setting of their own (ECS uses targets.ecs.deployTimeout). */
export const WINDOW_TIMEOUT_SECONDS = { eks: 900, ami: 900, docker: 900 } as const;

export interface ToolJetWindowArgs {
  targets: TargetConfigs;
  /** lib/cutover windowTriggers(): a change runs the commands again. */
  triggers: string[];
  /** aws:region / aws:profile for the AWS CLI. */
  cli: { region?: string; profile?: string };
  dependsOn?: pulumi.Input<pulumi.Resource>[];
}

export interface StartToolJetArgs extends ToolJetWindowArgs {
  /** The stop commands (their output carries the stop time, so the start prints the downtime). */
  stop?: StopToolJet;
  /** The AMI target's rendered user-data: what the start runs on the running instances to re-point them. */
  amiUserData?: pulumi.Input<string>;
}

/** The configured kinds, in a fixed order. */
export function windowKinds(targets: TargetConfigs): TargetKind[] {
  return (['ecs', 'eks', 'ami', 'docker'] as const).filter((k) => targets[k] !== undefined);
}

function timeoutOf(kind: TargetKind, targets: TargetConfigs): number {
  if (kind === 'ecs') return durationSeconds(targets.ecs!.deployTimeout) ?? 1800;
  return WINDOW_TIMEOUT_SECONDS[kind];
}

function environmentOf(
  kind: TargetKind,
  action: ToolJetAction,
  args: ToolJetWindowArgs,
  extra: { stoppedEpoch?: string; amiUserData?: string },
): Record<string, string> {
  const t = args.targets;
  const base = { action, timeoutSeconds: timeoutOf(kind, t), ...(extra.stoppedEpoch !== undefined && { stoppedEpoch: extra.stoppedEpoch }) };
  switch (kind) {
    case 'ecs':
      return ecsToolJetEnvironment({ ...base, cluster: t.ecs!.cluster, service: t.ecs!.service, cli: args.cli });
    case 'eks': {
      const s = t.eks!;
      return eksToolJetEnvironment({
        ...base,
        namespace: s.namespace,
        deployments: eksToolJetDeployments(s),
        ...(s.kubeconfig !== undefined && { kubeconfig: s.kubeconfig }),
        ...(s.context !== undefined && { context: s.context }),
      });
    }
    case 'ami':
      return amiToolJetEnvironment({
        ...base,
        launchTemplateId: t.ami!.launchTemplateId,
        units: t.ami!.restartUnits,
        ...(extra.amiUserData !== undefined && { userData: extra.amiUserData }),
        cli: args.cli,
      });
    case 'docker':
      return dockerToolJetEnvironment({ ...base, directory: t.docker!.directory, services: t.docker!.services });
  }
}

function windowCommand(
  parent: pulumi.Resource,
  name: string,
  kind: TargetKind,
  action: ToolJetAction,
  args: ToolJetWindowArgs,
  environment: pulumi.Input<Record<string, string>>,
): command.local.Command {
  const timeout = timeoutOf(kind, args.targets);
  return new command.local.Command(
    `${name}-${kind}`,
    {
      create: toolJetScript(kind),
      update: noopUpdate(action),
      interpreter: timedInterpreter(phaseLabel(action === 'stop' ? PHASES.stop : PHASES.start, kind)),
      environment,
      triggers: args.triggers,
      // Identifiers, counts, states: no credentials pass through these commands.
      logging: 'stdoutAndStderr',
      // The no-op update re-prints the previous output (the stop's record) from PULUMI_COMMAND_STDOUT.
      addPreviousOutputInEnv: true,
    },
    {
      parent,
      ...(args.dependsOn && { dependsOn: args.dependsOn }),
      customTimeouts: { create: `${timeout + 300}s`, update: '5m' },
    },
  );
}

/** Stops ToolJet on every configured target; nothing that depends on it runs before every kind reports stopped. */
export class StopToolJet extends pulumi.ComponentResource {
  readonly commands: Partial<Record<TargetKind, command.local.Command>> = {};
  readonly all: command.local.Command[] = [];

  constructor(name: string, args: ToolJetWindowArgs, opts?: pulumi.ComponentResourceOptions) {
    super('tooljet-pg-upgrade:cutover:StopToolJet', name, {}, opts);
    for (const kind of windowKinds(args.targets)) {
      const c = windowCommand(this, name, kind, 'stop', args, environmentOf(kind, 'stop', args, {}));
      this.commands[kind] = c;
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

/** Starts ToolJet again on every configured target, once every target is re-pointed. */
export class StartToolJet extends pulumi.ComponentResource {
  readonly commands: Partial<Record<TargetKind, command.local.Command>> = {};
  readonly all: command.local.Command[] = [];

  constructor(name: string, args: StartToolJetArgs, opts?: pulumi.ComponentResourceOptions) {
    super('tooljet-pg-upgrade:cutover:StartToolJet', name, {}, opts);
    for (const kind of windowKinds(args.targets)) {
      if (kind === 'ami' && args.amiUserData === undefined) throw new Error('StartToolJet: the ami target needs its rendered user-data');
      const environment = pulumi
        .all([args.stop ? args.stop.stoppedEpoch(kind) : pulumi.output(undefined), kind === 'ami' ? pulumi.output(args.amiUserData!) : pulumi.output(undefined)])
        .apply(([stoppedEpoch, amiUserData]) =>
          environmentOf(kind, 'start', args, {
            ...(stoppedEpoch !== undefined && { stoppedEpoch }),
            ...(amiUserData !== undefined && { amiUserData }),
          }),
        );
      const c = windowCommand(this, name, kind, 'start', args, environment);
      this.commands[kind] = c;
      this.all.push(c);
    }
    this.registerOutputs({});
  }
}
