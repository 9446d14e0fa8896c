// The snapshot the clone is restored from, and the rollback's safety net: either a new manual snapshot of the source
// (aws.rds.Snapshot, kept on destroy) or an existing one that was looked up by its exact identifier.
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { formatDuration } from '../lib/durations';
import { ExistingSnapshot } from './lookups';

export type SourceSnapshotArgs =
  | {
      mode: 'create';
      sourceIdentifier: string;
      /** Stable: from config or `<source>-pre-pg16-<stack>`, never from the clock. */
      snapshotIdentifier: string;
      /** Create timeout in seconds (the provider's default is 20 minutes; a big database needs hours). */
      createTimeoutSeconds: number;
      /** Production: the snapshot is protected (Pulumi `protect`). */
      production: boolean;
      tags: Record<string, string>;
    }
  | { mode: 'existing'; existing: ExistingSnapshot };

/**
 * `opts.dependsOn`: what must finish before the snapshot is taken (the maintenance window's stop of ToolJet); the
 * snapshot itself waits for it too, so the engine records the order on the resource that does the work.
 */
export class SourceSnapshot extends pulumi.ComponentResource {
  /** What the clone restores from. For a created snapshot this is the resource's output (so the clone waits for it). */
  readonly identifier: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;
  /** The aws.rds.Snapshot, when this stack created one. */
  readonly snapshot?: aws.rds.Snapshot;

  constructor(name: string, args: SourceSnapshotArgs, opts?: pulumi.ComponentResourceOptions) {
    super('tooljet-pg-upgrade:database:SourceSnapshot', name, {}, opts);
    if (args.mode === 'create') {
      this.snapshot = new aws.rds.Snapshot(
        name,
        { dbInstanceIdentifier: args.sourceIdentifier, dbSnapshotIdentifier: args.snapshotIdentifier, tags: args.tags },
        {
          parent: this,
          // Destroying the stack (or replacing this resource) must never delete the snapshot the rollback needs.
          retainOnDelete: true,
          protect: args.production,
          customTimeouts: { create: formatDuration(args.createTimeoutSeconds) },
          ...(opts?.dependsOn !== undefined && { dependsOn: opts.dependsOn }),
        },
      );
      this.identifier = this.snapshot.dbSnapshotIdentifier;
      this.arn = this.snapshot.dbSnapshotArn;
    } else {
      this.identifier = pulumi.output(args.existing.identifier);
      this.arn = pulumi.output(args.existing.arn);
    }
    this.registerOutputs({ identifier: this.identifier, arn: this.arn });
  }
}
