// Looks the blue/green source up, read-only, during preview too: aws.rds.getInstance, plus the RDS API facts the
// data source lacks (read replicas, parameter apply status, rds.logical_replication, deletion protection, ...),
// read with the AWS CLI through command.local.run (describe-source.sh). Parsing is pure and tested on its own.
import * as aws from '@pulumi/aws';
import * as command from '@pulumi/command';
import * as fs from 'fs';
import * as path from 'path';
import * as pulumi from '@pulumi/pulumi';
import { PROJECT } from '../lib/stack';
import { awsCliEnvironment, oneLine } from '../lib/commands';
import { MirrorFacts } from './mirror';
import { BlueGreenSourceFacts } from './prerequisites';

export const DESCRIBE_SOURCE_SCRIPT = path.join(__dirname, 'describe-source.sh');

export function describeSourceScript(): string {
  return fs.readFileSync(DESCRIBE_SOURCE_SCRIPT, 'utf8');
}

/** What describe-source.sh prints. */
export interface DescribedSource {
  instance: {
    readReplicas: string[] | null;
    parameterGroups: { name: string; status: string }[] | null;
    deletionProtection: boolean;
    copyTagsToSnapshot: boolean;
    iamDatabaseAuthenticationEnabled: boolean;
    performanceInsightsEnabled: boolean;
  };
  parameters: { name: string; value?: string | null }[] | null;
}

export interface BlueGreenSource extends BlueGreenSourceFacts, MirrorFacts {
  arn: string;
  address: string;
  port: number;
  endpoint: string;
  allocatedStorage: number;
  resourceId: string;
  /** The RDS CA of its server certificate (strategy replication gives the new instance the same one). */
  caCertIdentifier: string;
  /** Its network (strategy replication puts the new instance there). */
  dbSubnetGroup?: string;
  vpcSecurityGroups: string[];
  multiAz: boolean;
}

/** Combines the two lookups into the facts the checks and the mirror read. Throws on output it cannot read. */
export function combineFacts(i: aws.rds.GetInstanceResult, described: string): BlueGreenSource {
  let d: DescribedSource;
  try {
    d = JSON.parse(described) as DescribedSource;
  } catch {
    throw new Error(`unexpected output of describe-source.sh: ${described.slice(0, 200)}`);
  }
  if (!d || typeof d.instance !== 'object' || d.instance === null)
    throw new Error(`unexpected output of describe-source.sh: ${described.slice(0, 200)}`);
  const group = d.instance.parameterGroups?.[0] ?? { name: i.dbParameterGroups?.[0] ?? '', status: 'unknown' };
  const logical = (d.parameters ?? []).find((p) => p.name === 'rds.logical_replication');
  return {
    identifier: i.dbInstanceIdentifier,
    arn: i.dbInstanceArn,
    address: i.address,
    port: i.port,
    endpoint: i.endpoint,
    resourceId: i.resourceId,
    engine: i.engine,
    engineVersion: i.engineVersion,
    ...(i.dbClusterIdentifier ? { dbClusterIdentifier: i.dbClusterIdentifier } : {}),
    ...(i.replicateSourceDb ? { replicateSourceDb: i.replicateSourceDb } : {}),
    backupRetentionPeriod: i.backupRetentionPeriod,
    readReplicas: d.instance.readReplicas ?? [],
    parameterGroup: { name: group.name, applyStatus: group.status },
    ...(logical?.value !== undefined && logical.value !== null ? { logicalReplication: String(logical.value) } : {}),
    managedMasterPassword: (i.masterUserSecrets ?? []).length > 0,
    instanceClass: i.dbInstanceClass,
    parameterGroupName: group.name,
    autoMinorVersionUpgrade: i.autoMinorVersionUpgrade,
    copyTagsToSnapshot: d.instance.copyTagsToSnapshot === true,
    deletionProtection: d.instance.deletionProtection === true,
    iamDatabaseAuthenticationEnabled: d.instance.iamDatabaseAuthenticationEnabled === true,
    performanceInsightsEnabled: d.instance.performanceInsightsEnabled === true,
    publiclyAccessible: i.publiclyAccessible,
    storageEncrypted: i.storageEncrypted,
    monitoringInterval: i.monitoringInterval ?? 0,
    maxAllocatedStorage: i.maxAllocatedStorage ?? 0,
    enabledCloudwatchLogsExports: i.enabledCloudwatchLogsExports ?? [],
    tags: { ...(i.tags ?? {}) },
    allocatedStorage: i.allocatedStorage,
    caCertIdentifier: i.caCertIdentifier,
    ...(i.dbSubnetGroup ? { dbSubnetGroup: i.dbSubnetGroup } : {}),
    vpcSecurityGroups: [...(i.vpcSecurityGroups ?? [])],
    multiAz: i.multiAz,
  };
}

/** `strategy`: whose prerequisites the facts are read for (the message of a failed read names it). */
export async function lookupBlueGreenSource(
  identifier: string,
  cli: { region?: string; profile?: string },
  strategy: 'blue-green' | 'replication' = 'blue-green',
): Promise<BlueGreenSource> {
  let i: aws.rds.GetInstanceResult;
  try {
    i = await aws.rds.getInstance({ dbInstanceIdentifier: identifier });
  } catch (err) {
    throw new pulumi.RunError(
      `${PROJECT}:source.identifier: RDS instance "${identifier}" could not be read (${oneLine(err)}); check the identifier, aws:region and your AWS credentials`,
    );
  }
  let described: command.local.RunResult;
  try {
    described = await command.local.run({
      command: describeSourceScript(),
      interpreter: ['/bin/sh', '-c'],
      environment: {
        TJ_SOURCE_ID: identifier,
        TJ_PARAMETER_GROUP: i.dbParameterGroups?.[0] ?? '',
        ...awsCliEnvironment(cli),
      },
      logging: 'stderr',
    });
  } catch (err) {
    throw new pulumi.RunError(
      `${PROJECT}:strategy: the ${strategy} prerequisites of "${identifier}" could not be read with the AWS CLI (${oneLine(err)}); install AWS CLI v2 and allow rds:DescribeDBInstances and rds:DescribeDBParameters`,
    );
  }
  try {
    return combineFacts(i, described.stdout);
  } catch (err) {
    throw new pulumi.RunError(`${PROJECT}:strategy: ${oneLine(err)}`);
  }
}
