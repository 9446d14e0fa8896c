// The private clone: restored from the snapshot, upgraded to PostgreSQL 16.9, then put on the postgres16 parameter
// group by a finishing command, all inside one `pulumi up`. Why it takes two pieces (docs/design.md "Restore, upgrade, parameter group, CA"):
// on create the provider restores the snapshot on its own engine (13) with the configured parameter group and only
// then applies engineVersion in a follow-up ModifyDBInstance that carries no parameter group. A postgres16 group on
// the restore is refused, and a custom postgres13 group would make the major-version modify fail. So the instance
// is created without a custom group (restore lands on default.postgres13; the upgrade moves it to
// default.postgres16) and the command attaches the postgres16 group, reboots, and verifies.
// The CA likewise: the provider's restore path does not send caCertIdentifier (terraform-provider-aws #33572,
// #35711), so the clone comes up on the region's default CA. The finishing command sets it in the same modify as the
// group and verifies it; the instance ignores changes of caCertIdentifier, so the next `pulumi up` does not modify
// (and restart) what is by then production (docs/design.md "Restore, upgrade, parameter group, CA").
import * as aws from '@pulumi/aws';
import * as command from '@pulumi/command';
import * as pulumi from '@pulumi/pulumi';
import { formatDuration } from '../lib/durations';
import { PHASES, timedInterpreter } from '../cutover/timing';
import { attachParameterGroupEnvironment, attachParameterGroupScript } from './attach-parameter-group';
import { instanceProtection } from './protection';

/** Timeouts of the clone, in seconds. */
export interface CloneTimeoutSeconds {
  /** Restore + the provider's follow-up upgrade modify (which waits with `update`). */
  create: number;
  /** The instance's updates, and the finishing command (attach the postgres16 group, reboot, verify). */
  update: number;
  delete: number;
}

export interface UpgradedCloneArgs {
  /** DB instance identifier of the clone. */
  identifier: string;
  /** Pinned: a created snapshot's output or a looked-up identifier, never "most recent". */
  snapshotIdentifier: pulumi.Input<string>;
  /** e.g. db.t3.medium */
  instanceClass: string;
  /** Exact 16.x version; autoMinorVersionUpgrade is always false so AWS cannot move it. */
  engineVersion: string;
  /** The postgres16 group the finishing command attaches. */
  parameterGroupName: pulumi.Input<string>;
  /**
   * The RDS CA of the server certificate (its root must be in the CA bundle ToolJet trusts): sent with the restore,
   * which the provider ignores, then set and verified by the finishing command.
   */
  caCertIdentifier: string;
  port: number;
  /** Unset: chosen by RDS. */
  availabilityZone?: string;
  /** The source's unless configured: the clone stays in the source's private network. */
  dbSubnetGroupName?: pulumi.Input<string>;
  vpcSecurityGroupIds?: pulumi.Input<pulumi.Input<string>[]>;
  multiAz: boolean;
  /** Unset: left to RDS (the snapshot's setting). */
  backupRetentionPeriod?: number;
  /** Production: Pulumi protect, deletion protection, a final snapshot, automated backups kept. */
  production: boolean;
  /** Required in production. */
  finalSnapshotIdentifier?: string;
  timeoutSeconds: CloneTimeoutSeconds;
  tags: Record<string, string>;
  /** What the AWS CLI in the finishing command needs to reach the same account and region as the provider. */
  cli: { region?: string; profile?: string };
}

/**
 * `opts.dependsOn`: what the instance is created after (its PostgreSQL log group, or RDS would create one without
 * retention); given to the instance itself too, so the engine records the order on the resource that does the work.
 */
export class UpgradedClone extends pulumi.ComponentResource {
  readonly instance: aws.rds.Instance;
  /** Attaches the postgres16 group, sets the CA, reboots, verifies. Its stdout is the verified end state. */
  readonly finish: command.local.Command;
  // These resolve only once the clone is on the postgres16 group and in-sync: a consumer of them (ToolJet targets,
  // validation) therefore waits for the whole upgrade.
  readonly identifier: pulumi.Output<string>;
  readonly address: pulumi.Output<string>;
  readonly port: pulumi.Output<number>;
  readonly endpoint: pulumi.Output<string>;
  readonly engineVersion: pulumi.Output<string>;
  readonly parameterGroupName: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;

  constructor(name: string, args: UpgradedCloneArgs, opts?: pulumi.ComponentResourceOptions) {
    super('tooljet-pg-upgrade:database:UpgradedClone', name, {}, opts);
    if (args.production && !args.finalSnapshotIdentifier) {
      throw new Error('UpgradedClone: a production clone needs finalSnapshotIdentifier');
    }

    this.instance = new aws.rds.Instance(
      name,
      {
        identifier: args.identifier,
        snapshotIdentifier: args.snapshotIdentifier,
        instanceClass: args.instanceClass,
        engine: 'postgres',
        // Applied by the provider's follow-up modify after the restore (13 -> 16.9, default group swapped to
        // default.postgres16 by RDS). No parameterGroupName here on purpose: see the header.
        engineVersion: args.engineVersion,
        allowMajorVersionUpgrade: true,
        applyImmediately: true,
        autoMinorVersionUpgrade: false,
        caCertIdentifier: args.caCertIdentifier,
        port: args.port,
        publiclyAccessible: false,
        storageEncrypted: true,
        ...(args.availabilityZone !== undefined && { availabilityZone: args.availabilityZone }),
        ...(args.dbSubnetGroupName !== undefined && { dbSubnetGroupName: args.dbSubnetGroupName }),
        ...(args.vpcSecurityGroupIds !== undefined && { vpcSecurityGroupIds: args.vpcSecurityGroupIds }),
        multiAz: args.multiAz,
        ...(args.backupRetentionPeriod !== undefined && { backupRetentionPeriod: args.backupRetentionPeriod }),
        ...instanceProtection(args.production, args.finalSnapshotIdentifier),
        // The PostgreSQL log goes to CloudWatch Logs (/aws/rds/instance/<id>/postgresql): the connection-failure
        // metric filter and alarm read it (monitoring/).
        enabledCloudwatchLogsExports: ['postgresql'],
        tags: args.tags,
      },
      {
        parent: this,
        protect: args.production,
        ...(opts?.dependsOn !== undefined && { dependsOn: opts.dependsOn }),
        // The group and the CA are set by the finishing command, not by this resource. The group would go into the
        // restore call (refused). The CA is not sent on restore (terraform-provider-aws #33572, #35711): the state
        // records the region's default after create, so without ignoreChanges every later `pulumi up` would show a
        // caCertIdentifier diff and modify the instance (a restart) although the command has already set it. With it,
        // the finishing command (run again when the CA in its environment changes) is the one owner of the value.
        ignoreChanges: ['parameterGroupName', 'caCertIdentifier'],
        // create covers restore + the provider's follow-up upgrade (whose wait uses the update timeout).
        customTimeouts: {
          create: formatDuration(args.timeoutSeconds.create),
          update: formatDuration(args.timeoutSeconds.update),
          delete: formatDuration(args.timeoutSeconds.delete),
        },
      },
    );

    const timeoutSeconds = args.timeoutSeconds.update;
    this.finish = new command.local.Command(
      `${name}-attach-parameter-group`,
      {
        create: attachParameterGroupScript(),
        update: attachParameterGroupScript(),
        // /bin/sh -c through the timing wrapper: prints the measured duration (cutover/timing.ts).
        interpreter: timedInterpreter(PHASES.parameterGroup),
        environment: pulumi
          .all([this.instance.identifier, args.parameterGroupName])
          .apply(([cloneIdentifier, parameterGroupName]) =>
            attachParameterGroupEnvironment({
              cloneIdentifier,
              parameterGroupName,
              engineVersion: args.engineVersion,
              caCertIdentifier: args.caCertIdentifier,
              timeoutSeconds,
              ...args.cli,
            }),
          ),
        // Runs again when the clone is replaced (new resource id), the group or the version changes; another CA
        // changes the environment, and the update runs the same (idempotent) script.
        triggers: [this.instance.resourceId, args.parameterGroupName, args.engineVersion],
        // Output is identifiers and states only; no credentials pass through this command.
        logging: 'stdoutAndStderr',
        addPreviousOutputInEnv: false,
      },
      {
        parent: this,
        dependsOn: [this.instance],
        customTimeouts: { create: formatDuration(timeoutSeconds), update: formatDuration(timeoutSeconds) },
      },
    );

    const ready = <T>(value: pulumi.Output<T>): pulumi.Output<T> =>
      pulumi.all([value, this.finish.stdout]).apply(([v]) => v) as pulumi.Output<T>;
    this.identifier = ready(this.instance.identifier);
    this.address = ready(this.instance.address);
    this.port = ready(this.instance.port);
    this.endpoint = ready(this.instance.endpoint);
    this.engineVersion = ready(this.instance.engineVersionActual);
    this.parameterGroupName = ready(pulumi.output(args.parameterGroupName));
    this.arn = this.instance.arn;
    this.registerOutputs({
      identifier: this.identifier,
      address: this.address,
      port: this.port,
      endpoint: this.endpoint,
      engineVersion: this.engineVersion,
      parameterGroupName: this.parameterGroupName,
    });
  }
}
