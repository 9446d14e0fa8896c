// The snapshot the clone is restored from, and the rollback's safety net: either a new manual snapshot of the source
// (aws.rds.Snapshot, kept on destroy) or an existing one that was looked up by its exact identifier.
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { ExistingSnapshot } from './lookups';

export type SourceSnapshotArgs =
  | {
      mode: 'create';
      sourceIdentifier: string;
      /** Stable: from config or `<source>-pre-pg16-<stack>`, never from the clock. */
      snapshotIdentifier: string;
      /** Provider default is 20m; a big database needs hours. */
      createTimeout: string;
      production: boolean;
      tags: Record<string, string>;
      /** What must finish before the snapshot is taken (the maintenance window's stop of ToolJet). */
      dependsOn?: pulumi.Resource[];
    }
  | { mode: 'existing'; existing: ExistingSnapshot };

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
          customTimeouts: { create: args.createTimeout },
          ...(args.dependsOn && args.dependsOn.length > 0 && { dependsOn: args.dependsOn }),
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
