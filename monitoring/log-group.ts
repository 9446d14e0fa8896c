// The CloudWatch Logs group RDS exports an instance's PostgreSQL log to (/aws/rds/instance/<id>/postgresql),
// created by the stack BEFORE the instance so its retention is ours (RDS would create it with "never expire") and
// the connection-failure metric filter has something to attach to from the first run.
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { postgresLogGroupName } from './log-filter';

export interface PostgresLogGroupArgs {
  instanceIdentifier: string;
  retentionInDays: number;
  tags: Record<string, string>;
}

export class PostgresLogGroup extends pulumi.ComponentResource {
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly name: pulumi.Output<string>;

  constructor(name: string, args: PostgresLogGroupArgs, opts?: pulumi.ComponentResourceOptions) {
    super('tooljet-pg-upgrade:monitoring:PostgresLogGroup', name, {}, opts);
    this.logGroup = new aws.cloudwatch.LogGroup(
      name,
      { name: postgresLogGroupName(args.instanceIdentifier), retentionInDays: args.retentionInDays, tags: args.tags },
      // opts.dependsOn (strategy replication: the precheck) is given to the group itself too.
      { parent: this, ...(opts?.dependsOn !== undefined && { dependsOn: opts.dependsOn }) },
    );
    this.name = this.logGroup.name;
    this.registerOutputs({ name: this.name });
  }
}
