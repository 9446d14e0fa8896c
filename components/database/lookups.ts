// Reads (never writes) the source instance and an existing snapshot. Both run during preview too (they are
// invokes), so a wrong source fails `pulumi preview` before anything is created.
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { isSnapshotArn } from '../../config/identifiers';
import { PROJECT } from '../../config/types';
import { oneLine } from '../../lib/commands';
import { checkExistingSnapshot, checkSourceInstance } from './checks';

export interface SourceInstance {
  readonly identifier: string;
  readonly arn: string;
  readonly address: string;
  readonly port: number;
  readonly endpoint: string;
  readonly engineVersion: string;
  readonly dbSubnetGroup?: string;
  readonly vpcSecurityGroups: readonly string[];
  readonly multiAz: boolean;
  /** GiB (the clone restored from a snapshot of it gets the same). */
  readonly allocatedStorage: number;
  /** Log types the source exports to CloudWatch Logs (read, never changed). */
  readonly logExports: readonly string[];
}

export interface ExistingSnapshot {
  /** As configured (a name, rds:<name> or an ARN): what the clone restores from. */
  readonly identifier: string;
  readonly arn: string;
  readonly engineVersion: string;
}


export async function lookupSourceInstance(identifier: string, opts: { requireEncrypted: boolean }): Promise<SourceInstance> {
  let i: aws.rds.GetInstanceResult;
  try {
    i = await aws.rds.getInstance({ dbInstanceIdentifier: identifier });
  } catch (err) {
    throw new pulumi.RunError(
      `${PROJECT}:source.identifier: RDS instance "${identifier}" could not be read (${oneLine(err)}); check the identifier, aws:region and your AWS credentials`,
    );
  }
  const problems = checkSourceInstance(i, identifier, opts);
  if (problems.length > 0) throw new pulumi.RunError(problems.join('\n'));
  return {
    identifier: i.dbInstanceIdentifier,
    arn: i.dbInstanceArn,
    address: i.address,
    port: i.port,
    endpoint: i.endpoint,
    engineVersion: i.engineVersion,
    ...(i.dbSubnetGroup ? { dbSubnetGroup: i.dbSubnetGroup } : {}),
    vpcSecurityGroups: i.vpcSecurityGroups ?? [],
    multiAz: i.multiAz,
    allocatedStorage: i.allocatedStorage,
    logExports: i.enabledCloudwatchLogsExports ?? [],
  };
}

/** Looks the snapshot up by its exact identifier: never `mostRecent`, so the clone's input cannot move by itself. */
export async function lookupExistingSnapshot(identifier: string, sourceIdentifier: string): Promise<ExistingSnapshot> {
  let s: aws.rds.GetSnapshotResult;
  try {
    s = await aws.rds.getSnapshot({ dbSnapshotIdentifier: identifier, ...(isSnapshotArn(identifier) ? { includeShared: true } : {}) });
  } catch (err) {
    throw new pulumi.RunError(
      `${PROJECT}:snapshot.identifier: snapshot "${identifier}" could not be read (${oneLine(err)}); check the identifier and aws:region`,
    );
  }
  const problems = checkExistingSnapshot(s, identifier, sourceIdentifier, { sameInstance: !isSnapshotArn(identifier) });
  if (problems.length > 0) throw new pulumi.RunError(problems.join('\n'));
  return { identifier, arn: s.dbSnapshotArn, engineVersion: s.engineVersion };
}
