// Strategy replication's new RDS for PostgreSQL 16.9 instance: created empty (not restored from a snapshot), private,
// encrypted, in the source's subnet group and security groups, on its own postgres16 group with rds.force_ssl=1 and
// rds.logical_replication=1, with the source's RDS CA (a subscriber verifies its publisher against its own CA file:
// replication/commands.ts). Its master user is ToolJet's database user with dbPassword, so ToolJet and the commands
// log in as they do on the source; the password is a Pulumi secret in the inputs and in the state.
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { POSTGRES16_LOGICAL_REPLICATION_PARAMETERS, PostgresParameterGroup } from '../database/parameter-group';
import { instanceProtection } from '../database/protection';
import { formatDuration } from '../lib/durations';
import { PostgresLogGroup } from '../monitoring/log-group';

export interface ReplicationInstanceArgs {
  identifier: string;
  /** "16.9": pinned, autoMinorVersionUpgrade off (pulumi-facts: a pinned minor with auto upgrades drifts). */
  engineVersion: string;
  instanceClass: string;
  allocatedStorageGiB: number;
  parameterGroupName: string;
  /** The source's (see the header). */
  caCertIdentifier: string;
  port: number;
  /** The source's network. */
  dbSubnetGroupName?: string;
  vpcSecurityGroupIds: readonly string[];
  multiAz: boolean;
  backupRetentionPeriod: number;
  /** ToolJet's database user and password (secret). */
  username: string;
  password: pulumi.Output<string>;
  production: boolean;
  /** Production only. */
  finalSnapshotIdentifier?: string;
  createTimeoutSeconds: number;
  logRetentionDays: number;
  tags: Record<string, string>;
  parameterGroupTags: Record<string, string>;
  logGroupTags: Record<string, string>;
}

export class ReplicationInstance extends pulumi.ComponentResource {
  readonly instance: aws.rds.Instance;
  readonly parameterGroup: PostgresParameterGroup;
  readonly logGroup: PostgresLogGroup;
  readonly identifier: pulumi.Output<string>;
  readonly address: pulumi.Output<string>;
  readonly port: pulumi.Output<number>;
  readonly endpoint: pulumi.Output<string>;
  readonly engineVersion: pulumi.Output<string>;
  readonly resourceId: pulumi.Output<string>;

  constructor(name: string, args: ReplicationInstanceArgs, opts?: pulumi.ComponentResourceOptions) {
    super('tooljet-pg-upgrade:replication:ReplicationInstance', name, {}, opts);
    if (args.production && !args.finalSnapshotIdentifier)
      throw new Error('ReplicationInstance: a production instance needs finalSnapshotIdentifier');
    const dependsOn = opts?.dependsOn !== undefined ? { dependsOn: opts.dependsOn } : {};

    this.parameterGroup = new PostgresParameterGroup(
      `${name}-parameters`,
      {
        groupName: args.parameterGroupName,
        family: 'postgres16',
        parameters: POSTGRES16_LOGICAL_REPLICATION_PARAMETERS,
        production: args.production,
        tags: args.parameterGroupTags,
        description: 'ToolJet postgres16 parameters (TLS only, logical replication), managed by Pulumi',
      },
      { parent: this, ...dependsOn },
    );
    // Created before the instance: RDS would otherwise create it with no retention.
    this.logGroup = new PostgresLogGroup(
      `${name}-postgresql-log`,
      { instanceIdentifier: args.identifier, retentionInDays: args.logRetentionDays, tags: args.logGroupTags },
      { parent: this, ...dependsOn },
    );

    this.instance = new aws.rds.Instance(
      name,
      {
        identifier: args.identifier,
        engine: 'postgres',
        engineVersion: args.engineVersion,
        autoMinorVersionUpgrade: false,
        instanceClass: args.instanceClass,
        allocatedStorage: args.allocatedStorageGiB,
        storageType: 'gp3',
        storageEncrypted: true,
        publiclyAccessible: false,
        ...(args.dbSubnetGroupName !== undefined && { dbSubnetGroupName: args.dbSubnetGroupName }),
        vpcSecurityGroupIds: [...args.vpcSecurityGroupIds],
        // The group exists before the instance and is of its family: set at create (no follow-up attach needed).
        parameterGroupName: this.parameterGroup.name,
        caCertIdentifier: args.caCertIdentifier,
        port: args.port,
        username: args.username,
        password: args.password,
        multiAz: args.multiAz,
        backupRetentionPeriod: args.backupRetentionPeriod,
        applyImmediately: true,
        ...instanceProtection(args.production, args.finalSnapshotIdentifier),
        enabledCloudwatchLogsExports: ['postgresql'],
        tags: args.tags,
      },
      {
        parent: this,
        protect: args.production,
        dependsOn: [this.logGroup.logGroup, this.parameterGroup.group],
        // The master password stays a secret in the state whatever the provider returns.
        additionalSecretOutputs: ['password'],
        customTimeouts: {
          create: formatDuration(args.createTimeoutSeconds),
          update: formatDuration(args.createTimeoutSeconds),
        },
      },
    );
    this.identifier = this.instance.identifier;
    this.address = this.instance.address;
    this.port = this.instance.port;
    this.endpoint = this.instance.endpoint;
    this.engineVersion = this.instance.engineVersionActual;
    this.resourceId = this.instance.resourceId;
    this.registerOutputs({ identifier: this.identifier, endpoint: this.endpoint });
  }
}
