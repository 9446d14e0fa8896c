// Post-deploy validation: `tj-pg-upgrade validate` of the source against the clone, run by a local.Command inside
// `pulumi up` once the clone is upgraded and (without a maintenance window) every target is configured; in the
// maintenance window it runs before the targets, which wait for it (index.ts). A failed check exits 1 (a connection
// problem 2), and a non-zero exit fails `pulumi up`. Commands never run during `pulumi preview`.
//
// - Credentials: only in `environment`; the command line holds flags only. Declared through commandWithSecrets: the
//   environment, stdout and stderr are secrets in the state (lib/commands/secret-command.ts).
// - Logging: stdout and stderr are streamed; the CLI never prints a password (URLs are redacted, the password travels
//   in PGPASSWORD), and on failure the command provider puts the output into the error anyway.
// - When it runs (`triggers`; any other input change reaches the no-op `update`, never `create` again):
//   - in the maintenance window: once per window against this clone. Triggers: the clone's resource id and the stop
//     commands' output (it changes each time ToolJet is stopped), so each window compares the frozen source anew, even
//     with a clone validated earlier. Nothing else: after the cutover ToolJet writes to the clone, so the exact
//     comparison would fail for the right data; a rotated password, a new CA bundle, a minor version or port change,
//     new validation.* flags or an edit of the timing wrapper must not run it again.
//   - without the window (--live-source): when the clone's endpoint, its engine version, the clone itself (resource
//     id) or the CA bundle change. Not for other changes (password, flags): re-run it by hand with
//     `pulumi up --replace <urn>` (docs/design.md "When each command runs").
//   Never when activeDatabase flips: after a cutover the clone takes writes and no longer equals the source.
// - Needs network reach to the private clone from the machine that runs `pulumi up` (VPN, bastion tunnel, or a runner
//   inside the VPC); without it set `validation.enabled: false` and run the same check from inside (docs/validation.md
//   "Network reach").
import * as command from '@pulumi/command';
import * as pulumi from '@pulumi/pulumi';
import { formatDuration } from '../lib/durations';
import type { CaBundleFile } from '../lib/tls/ca-bundle';
import { PHASES, timedInterpreter } from '../cutover/timing';
import { caFileForCommand, noopUpdateScript } from '../lib/commands';
import { commandWithSecrets } from '../lib/commands/secret-command';
import { renderValidateCommand, validateCommandLine } from './validate-command';

export interface PostDeployValidationArgs {
  /** The source: what the clone must hold. */
  source: { address: pulumi.Input<string>; port: pulumi.Input<number> };
  /** The clone, always the database under test (its outputs resolve once it is upgraded and on its group). */
  clone: {
    address: pulumi.Input<string>;
    port: pulumi.Input<number>;
    engineVersion: pulumi.Input<string>;
    resourceId: pulumi.Input<string>;
  };
  /** clone.engineVersion from the configuration: what --expect-version demands. */
  expectVersion: string;
  /** ToolJet's database user (the clone has the source's users and passwords). */
  user: string;
  /** ToolJet's database (PG_DB). */
  database: string;
  /** The ToolJet Database (TOOLJET_DB), validated too when set (validation.tooljetDb). */
  tooljetDatabase?: string;
  /** validation.jobs: parallel sessions per side. */
  jobs: number;
  /** validation.analyze: let validate ANALYZE target tables without statistics (a write on the clone). */
  analyze: boolean;
  /** validation.fixSequences: let validate setval target sequences that lag the source (a write on the clone). */
  fixSequences: boolean;
  /** validation.timeout in seconds: the command's create timeout. */
  timeoutSeconds: number;
  /** ToolJet's database password (secret): only ever in the command's secret environment. */
  password: pulumi.Output<string>;
  /** The stack's RDS CA bundle: verify-full against it on both sides; its SHA-256 is a trigger without the window. */
  caBundle: CaBundleFile;
  /** The project directory: the command runs there, and the CA path is given relative to it when inside it. */
  projectDir: string;
  /**
   * Set in the maintenance window: the stop commands' output. Unset (no window): ToolJet keeps writing to the source,
   * so the command gets `--live-source` (the rows written since the snapshot are warnings; TLS, version and schema
   * parity still fail the `pulumi up`). In the window the comparison is exact, and the stop output (it changes each
   * time ToolJet is stopped) is a trigger: every cutover window compares again, even when the clone was validated in
   * an earlier run (e.g. built with maintenanceWindow: false), so the writes ToolJet made since that snapshot fail the
   * check instead of being lost. The validation's output is not kept on update (it can exceed the 128 KiB an
   * environment variable may hold, which addPreviousOutputInEnv would need).
   */
  window?: { stopOutputs: pulumi.Input<string>[] };
}

/** How the no-op update explains itself (docs/design.md "When each command runs"). */
export const VALIDATION_RUNS_WHEN = {
  window: 'ToolJet is stopped for a new maintenance window or the clone is replaced',
  live: 'the clone (endpoint, engine version, resource id) or the CA bundle changes',
} as const;

/** The command's `triggers` (a change replaces it: create runs again). See the header for why these. */
export function validationTriggers(
  args: Pick<PostDeployValidationArgs, 'clone' | 'caBundle' | 'window'>,
): pulumi.Input<string>[] {
  if (args.window) return [args.clone.resourceId, ...args.window.stopOutputs];
  return [
    pulumi.all([args.clone.address, args.clone.port]).apply(([a, p]) => `${a}:${p}`),
    args.clone.engineVersion,
    args.clone.resourceId,
    args.caBundle.pemSha256,
  ];
}

/**
 * `opts.dependsOn`: without a maintenance window the clone and every target component, in the window the clone only;
 * given to the command itself too, so the engine records the order on the resource that does the work.
 */
export class PostDeployValidation extends pulumi.ComponentResource {
  readonly command: command.local.Command;

  constructor(name: string, args: PostDeployValidationArgs, opts?: pulumi.ComponentResourceOptions) {
    super('tooljet-pg-upgrade:validation:PostDeployValidation', name, {}, opts);
    const flags = {
      ...(args.tooljetDatabase !== undefined && { tooljetDatabase: args.tooljetDatabase }),
      expectVersion: args.expectVersion,
      jobs: args.jobs,
      analyze: args.analyze,
      fixSequences: args.fixSequences,
      liveSource: args.window === undefined,
    };
    const rendered = pulumi
      .all([args.source.address, args.source.port, args.clone.address, args.clone.port, args.password])
      .apply(([sourceHost, sourcePort, cloneHost, clonePort, password]) =>
        renderValidateCommand({
          source: { host: sourceHost, port: sourcePort },
          target: { host: cloneHost, port: clonePort },
          user: args.user,
          database: args.database,
          password,
          caFile: caFileForCommand(args.projectDir, args.caBundle.path),
          ...flags,
        }),
      );

    this.command = commandWithSecrets(
      `${name}-validate`,
      {
        // Flags only (known at preview, no secret); endpoints and the password are in the (secret) environment.
        create: validateCommandLine(flags),
        // /bin/sh -c through the timing wrapper: prints the measured duration (cutover/timing.ts).
        interpreter: timedInterpreter(PHASES.validation),
        environment: rendered.apply((r) => r.environment),
        // Never `create` again on an update (pulumi-command's default without `update`): see the header.
        update: noopUpdateScript({
          name: `${name}-validate`,
          runsWhen: args.window ? VALIDATION_RUNS_WHEN.window : VALIDATION_RUNS_WHEN.live,
          reprint: false,
        }),
        triggers: validationTriggers(args),
        logging: 'stdoutAndStderr',
        addPreviousOutputInEnv: false,
      },
      {
        parent: this,
        ...(opts?.dependsOn !== undefined && { dependsOn: opts.dependsOn }),
        customTimeouts: { create: formatDuration(args.timeoutSeconds), update: '5m' },
      },
    );
    this.registerOutputs({});
  }
}
