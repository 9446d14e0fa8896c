// Strategy blue-green: the only place this program manages the source instance. Phase `import` adopts it exactly
// as it is (import, no change). Phase `upgrade`, in one `pulumi up`: a retained snapshot, `tj-pg-upgrade precheck`,
// then the provider's blue/green update (create green -> upgrade to 16.9 on the postgres16 group -> switchover ->
// delete the old instance), then `tj-pg-upgrade postcheck --fix-sequences --analyze` on the upgraded instance.
// There is no hook between switchover and delete: nothing can be validated before the switchover, and after it the
// old instance is gone (docs/blue-green.md).
import * as aws from '@pulumi/aws';
import * as command from '@pulumi/command';
import * as pulumi from '@pulumi/pulumi';
import type { BlueGreenPhase } from '../config/types';
import { CLI, inProjectDir, noopUpdateScript } from '../lib/commands';
import { commandWithSecrets } from '../lib/commands/secret-command';
import { formatDuration } from '../lib/durations';
import {
  Parameter,
  POSTGRES16_LOGICAL_REPLICATION_PARAMETERS,
  PostgresParameterGroup,
} from '../database/parameter-group';
import { SourceSnapshot } from '../database/snapshot';
import { MirroredInstanceArgs, upgradeSourceInstance } from './mirror';

/** The green instance's group: TLS only, and logical replication (how RDS feeds a major-version green). */
export const BLUE_GREEN_POSTGRES16_PARAMETERS: readonly Parameter[] = POSTGRES16_LOGICAL_REPLICATION_PARAMETERS;

export function precheckScript(): string {
  return inProjectDir(`${CLI} precheck --quiet\n`);
}

export function postcheckScript(): string {
  return inProjectDir(
    `${CLI} postcheck --quiet --expect-version "$TJ_ENGINE_VERSION" --tooljet-db "$TJ_TOOLJET_DB" --fix-sequences --analyze\n`,
  );
}

/** How the no-op updates explain themselves (docs/design.md "When each command runs"). */
export const PRECHECK_RUNS_WHEN = 'blueGreen.phase, the target version or the source identifier changes';
export const POSTCHECK_RUNS_WHEN = 'the instance is replaced by a switchover or the target version changes';

export interface BlueGreenUpgradeArgs {
  /** `import`: adopt the source as it is. `upgrade`: snapshot, precheck, blue/green update, postcheck. */
  phase: BlueGreenPhase;
  /** The source as it is (mirrorSourceInstance of the looked-up facts). */
  mirror: MirroredInstanceArgs;
  /** The version the green instance runs (16.9). */
  targetEngineVersion: string;
  /** The green instance's postgres16 group (created in phase upgrade). */
  parameterGroupName: string;
  /** The retained snapshot taken right before the update (phase upgrade). */
  snapshotIdentifier: string;
  /** Its create timeout, in seconds. */
  snapshotCreateTimeoutSeconds: number;
  /** The source instance's update timeout in seconds: create green + upgrade + switchover + delete the old one. */
  updateTimeoutSeconds: number;
  /** Production: the snapshot and the group are protected (the instance always is). */
  production: boolean;
  /** postgresql://user@host:port/db?sslmode=verify-full&sslrootcert=... (no password). */
  databaseUrl: string;
  /** The ToolJet Database (TOOLJET_DB), which the postcheck checks too. */
  tooljetDb: string;
  /** ToolJet's database password (secret): only in the commands' environment. */
  password: pulumi.Output<string>;
  snapshotTags: Record<string, string>;
  parameterGroupTags: Record<string, string>;
  /**
   * Phase upgrade: what the blue/green update (the instance, not the precheck or the snapshot) waits for besides the
   * snapshot and the precheck. programs/blue-green.ts passes the ToolJet targets, so ToolJet verifies TLS against the
   * RDS CA bundle before RDS switches to a 16.9 that refuses unencrypted connections (rds.force_ssl=1). Not the
   * component's dependsOn: the precheck and the snapshot run while the targets are re-pointed.
   */
  after?: pulumi.Resource[];
}

export class BlueGreenUpgrade extends pulumi.ComponentResource {
  readonly instance: aws.rds.Instance;
  readonly precheck: command.local.Command;
  readonly snapshot?: SourceSnapshot;
  readonly parameterGroup?: PostgresParameterGroup;
  readonly postcheck?: command.local.Command;
  readonly engineVersion: pulumi.Output<string>;

  constructor(name: string, args: BlueGreenUpgradeArgs, opts?: pulumi.ComponentResourceOptions) {
    super('tooljet-pg-upgrade:bluegreen:BlueGreenUpgrade', name, {}, opts);
    const upgrade = args.phase === 'upgrade';
    const env = (extra: Record<string, string>) =>
      args.password.apply((password) => ({ PGPASSWORD: password, ...extra }));

    // Read-only on the source; exit 1 (a blocker) fails the update before anything is changed.
    this.precheck = commandWithSecrets(
      `${name}-precheck`,
      {
        create: precheckScript(),
        interpreter: ['/bin/sh', '-c'],
        environment: env({ TJ_PG_SOURCE_URL: args.databaseUrl }),
        // Runs on the first up of each phase and for another source or target version; not again after the
        // switchover (the instance keeps its identifier; a 16.9 server is no precheck subject), also not when the
        // password or anything else but the triggers changes: the no-op update (without it the provider would run
        // create again, and the precheck would refuse the upgraded 16.9 server).
        update: noopUpdateScript({ name: `${name}-precheck`, runsWhen: PRECHECK_RUNS_WHEN, reprint: false }),
        triggers: [args.phase, args.targetEngineVersion, args.mirror.identifier],
        logging: 'stdoutAndStderr',
        addPreviousOutputInEnv: false,
      },
      { parent: this },
    );

    // Import changes nothing and waits for nothing; the upgrade waits for the snapshot and a passed precheck.
    const dependsOn: pulumi.Resource[] = [];
    if (upgrade) {
      // The only way back after the switchover: the provider deletes the old instance without a final snapshot.
      this.snapshot = new SourceSnapshot(
        `${name}-snapshot`,
        {
          mode: 'create',
          sourceIdentifier: args.mirror.identifier,
          snapshotIdentifier: args.snapshotIdentifier,
          createTimeoutSeconds: args.snapshotCreateTimeoutSeconds,
          production: args.production,
          tags: args.snapshotTags,
        },
        { parent: this },
      );
      this.parameterGroup = new PostgresParameterGroup(
        `${name}-parameters`,
        {
          groupName: args.parameterGroupName,
          family: 'postgres16',
          parameters: BLUE_GREEN_POSTGRES16_PARAMETERS,
          production: args.production,
          tags: args.parameterGroupTags,
          description:
            'ToolJet postgres16 parameters for the blue/green green instance (TLS only, logical replication), managed by Pulumi',
        },
        { parent: this },
      );
      dependsOn.push(this.snapshot.snapshot!, this.precheck, ...(args.after ?? []));
    }

    const inputs = upgrade
      ? upgradeSourceInstance(args.mirror, {
          engineVersion: args.targetEngineVersion,
          parameterGroupName: args.parameterGroupName,
        })
      : args.mirror;
    this.instance = new aws.rds.Instance(
      `${name}-source`,
      { ...inputs, ...(upgrade && this.parameterGroup && { parameterGroupName: this.parameterGroup.name }) },
      {
        parent: this,
        import: args.mirror.identifier,
        // The production database in every stack: never deleted or replaced by Pulumi, and forgotten (not deleted)
        // if it ever leaves the program or the stack is destroyed.
        protect: true,
        retainOnDelete: true,
        dependsOn,
        customTimeouts: { update: formatDuration(args.updateTimeoutSeconds) },
      },
    );
    this.engineVersion = this.instance.engineVersionActual;

    if (upgrade) {
      // After the switchover: the same endpoint now serves 16.9. Sequences are not carried by logical replication:
      // postcheck moves every lagging sequence past its column's largest value, and ANALYZEs.
      this.postcheck = commandWithSecrets(
        `${name}-postcheck`,
        {
          create: postcheckScript(),
          interpreter: ['/bin/sh', '-c'],
          environment: env({
            TJ_PG_TARGET_URL: args.databaseUrl,
            TJ_ENGINE_VERSION: args.targetEngineVersion,
            TJ_TOOLJET_DB: args.tooljetDb,
          }),
          // Once per switchover: the green instance has a new resource id. Not again for a rotated password (no-op
          // update): it fixes sequences and ANALYZEs production, which a later up has no reason to repeat.
          update: noopUpdateScript({ name: `${name}-postcheck`, runsWhen: POSTCHECK_RUNS_WHEN, reprint: false }),
          triggers: [this.instance.resourceId, args.targetEngineVersion],
          logging: 'stdoutAndStderr',
          addPreviousOutputInEnv: false,
        },
        { parent: this, dependsOn: [this.instance] },
      );
    }
    this.registerOutputs({ engineVersion: this.engineVersion });
  }
}
