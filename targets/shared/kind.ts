// The contract of a ToolJet target kind: what targets/<kind>/index.ts exports and the registry (targets/index.ts)
// lists. Everything the rest of the program does per kind goes through it: the stack configuration (subKeys, parse,
// windowProblems), the program (deploy), the maintenance window (window), the phase estimate (estimate) and the local
// rehearsal (rehearse). Adding a kind is one folder exporting one of these and one line in the registry.
import type * as pulumi from '@pulumi/pulumi';
import type { Obj, Reader } from '../../config/reader';
import type { ToolJetCommandBase } from '../../cutover/scripts';
import type { AwsCliSettings } from '../../lib/commands/aws';
import type { Environment } from '../../lib/stack';
import type { CaBundle } from '../../lib/tls/ca-bundle';
import type { AppSecretKey } from './app-secrets';
import type { TargetStackArgs } from './component';
import type { DatabaseTarget } from './render';
import type { RehearsalFile, RehearsalSecrets } from './rehearsal';

/** What the settings parsers need to know about the rest of the stack configuration. */
export interface TargetContext {
  readonly project: string;
  readonly stack: string;
  readonly environment: Environment;
  /** Project directory: relative paths (kubeconfig, docker directory) start there. */
  readonly baseDir: string;
  /** Which app secrets are configured as Pulumi secrets (their values are never seen here). */
  readonly appSecrets: ReadonlySet<AppSecretKey>;
}

/** What a kind's component gets: the stack-wide inputs, its own settings, and whether the stack is production. */
export type TargetDeployArgs<S> = TargetStackArgs & { settings: S; production: boolean };

/** Minutes as [least, most]. */
export type Minutes = readonly [number, number];

/** The maintenance window's stop and start of ToolJet on this kind (cutover/window.ts runs them). */
export interface TargetWindow<S, C> {
  /** The kind's stop/start script (window.sh); the command runs cutover/tooljet-common.sh followed by it. */
  readonly script: string;
  /** Time budget of the stop, and of the start, in seconds. */
  timeoutSeconds(settings: S): number;
  /** The command's environment (pure); `base` is what every kind's starts with (cutover/scripts.ts). */
  environment(settings: S, base: ToolJetCommandBase, context: WindowContext): Record<string, string>;
  /** What the start needs from the deployed component (the AMI's user-data); given to `environment` as `start`. */
  startInput?(component: C): pulumi.Output<string>;
}

export interface WindowContext {
  /** aws:region / aws:profile for the AWS CLI. */
  readonly cli: AwsCliSettings;
  /** The start only: what `startInput` resolved to. */
  readonly start?: string;
}

/** The kind's share of the phase estimate (cutover/estimate.ts takes the longest of the configured kinds). */
export interface TargetEstimate {
  /** Stop ToolJet and wait until nothing runs. */
  readonly stop: Minutes;
  /** Re-point with ToolJet stopped (configuration only). */
  readonly repointStopped: Minutes;
  /** Re-point without a window: rolling, while ToolJet keeps running. */
  readonly repointLive: Minutes;
  /** Start ToolJet and wait until it is healthy. */
  readonly start: Minutes;
}

/** What the local rehearsal renders the kind with: the run's database, its CA (for the RDS bundle) and secrets. */
export interface RehearsalInput {
  readonly database: DatabaseTarget;
  readonly caBundle: CaBundle;
  readonly secrets: RehearsalSecrets;
}

/**
 * One ToolJet target kind. Methods, not function-valued properties: the registry treats every kind alike
 * (TargetKindDefinition<TargetKind, unknown, ...>), and each kind's settings reach only its own methods.
 */
export interface TargetKindDefinition<
  K extends string = string,
  S = unknown,
  C extends pulumi.ComponentResource = pulumi.ComponentResource,
  O extends object = object,
> {
  /** The key under `targets` (`targets.<kind>`) and the name of its resources (`<kind>`, `stop-tooljet-<kind>`, ...). */
  readonly kind: K;
  /** Every sub-key `targets.<kind>` accepts: under `<kind>` its own, under `<kind>.<child>` a nested mapping's. */
  readonly subKeys: Readonly<Record<string, readonly string[]>>;
  /** Checks and defaults `targets.<kind>`; problems go to `r` (one line each); undefined unless fully valid. */
  parse(r: Reader, settings: Obj, ctx: TargetContext): S | undefined;
  /**
   * Settings the maintenance window cannot work with, as [sub-key, problem]; `why` is "" or
   * " (maintenanceWindow is true by default in production)".
   */
  windowProblems?(settings: S, why: string): ReadonlyArray<readonly [string, string]>;
  /**
   * Creates the kind's component, named `<kind>`, and the stack outputs it adds (secret-free). The component module is
   * loaded here, on first use, so that the registry itself (read by the config parser and the CLI) loads no Pulumi.
   */
  deploy(args: TargetDeployArgs<S>, opts: pulumi.ComponentResourceOptions): { component: C; outputs: O };
  readonly window: TargetWindow<S, C>;
  readonly estimate: TargetEstimate;
  /** The kind's configuration as the local rehearsal writes it (paths start with `<kind>/`). */
  rehearse(input: RehearsalInput): RehearsalFile[];
}
