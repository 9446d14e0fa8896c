// A DB parameter group of one PostgreSQL family. Each family gets its own resource and name (`...-postgres16`):
// changing `family` in place would replace the group, and a group cannot be deleted while an instance uses it.
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

export interface Parameter {
  name: string;
  value: string;
  applyMethod: 'immediate' | 'pending-reboot';
}

/** What the clone's postgres16 group sets: TLS only (ToolJet connects with PGSSLMODE=verify-full + the RDS CA). */
export const POSTGRES16_PARAMETERS: readonly Parameter[] = [
  { name: 'rds.force_ssl', value: '1', applyMethod: 'pending-reboot' },
];

/**
 * A postgres16 group that also publishes and subscribes logically: the blue/green green instance and strategy
 * replication's new instance (which subscribes to the source, and publishes to it after the cutover).
 */
export const POSTGRES16_LOGICAL_REPLICATION_PARAMETERS: readonly Parameter[] = [
  ...POSTGRES16_PARAMETERS,
  { name: 'rds.logical_replication', value: '1', applyMethod: 'pending-reboot' },
];

export interface PostgresParameterGroupArgs {
  /** AWS name of the group. */
  groupName: string;
  family: 'postgres16';
  parameters: readonly Parameter[];
  production: boolean;
  tags: Record<string, string>;
  /** Default: "ToolJet <family> parameters (TLS only), managed by Pulumi". */
  description?: string;
}

export class PostgresParameterGroup extends pulumi.ComponentResource {
  readonly name: pulumi.Output<string>;
  readonly family: string;
  readonly group: aws.rds.ParameterGroup;

  constructor(name: string, args: PostgresParameterGroupArgs, opts?: pulumi.ComponentResourceOptions) {
    super('tooljet-pg-upgrade:database:PostgresParameterGroup', name, {}, opts);
    this.family = args.family;
    this.group = new aws.rds.ParameterGroup(
      `${name}-${args.family}`,
      {
        name: args.groupName,
        family: args.family,
        description: args.description ?? `ToolJet ${args.family} parameters (TLS only), managed by Pulumi`,
        parameters: args.parameters.map((p) => ({ ...p })),
        tags: args.tags,
      },
      // opts.dependsOn (strategy replication: the precheck) is given to the group itself too.
      { parent: this, protect: args.production, ...(opts?.dependsOn !== undefined && { dependsOn: opts.dependsOn }) },
    );
    this.name = this.group.name;
    this.registerOutputs({ name: this.name, family: this.family });
  }
}
