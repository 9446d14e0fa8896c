// Reads (never writes) the source instance and an existing snapshot. Both run during preview too (they are
// invokes), so a wrong source fails `pulumi preview` before anything is created.
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { isSnapshotArn } from '../config/identifiers';
import { PROJECT } from '../lib/stack';
import { oneLine } from '../lib/commands';
import type { SnapshotPresence } from '../cutover/fresh-snapshot';
import { CaBundle, checkRdsRoot } from '../lib/tls/ca-bundle';
import { checkExistingSnapshot, checkRestoredInstance, checkSourceInstance } from './checks';

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
  /** The RDS CA of its server certificate (the clone's, unless clone.caCertIdentifier is set). */
  readonly caCertIdentifier: string;
}

export interface ExistingSnapshot {
  /** As configured (a name, rds:<name> or an ARN): what the clone restores from. */
  readonly identifier: string;
  readonly arn: string;
  readonly engineVersion: string;
}

export async function lookupSourceInstance(
  identifier: string,
  opts: { requireEncrypted: boolean; restoring?: boolean },
): Promise<SourceInstance> {
  let i: aws.rds.GetInstanceResult;
  try {
    i = await aws.rds.getInstance({ dbInstanceIdentifier: identifier });
  } catch (err) {
    // With activeDatabase restored the source is still read (the snapshot and the clone's network come from it).
    const restoring = opts.restoring
      ? '; if the source instance was deleted, restore the snapshot under its identifier and use activeDatabase: source instead (docs/cutover-and-rollback.md "Second path: restore from the pre-upgrade snapshot")'
      : '';
    throw new pulumi.RunError(
      `${PROJECT}:source.identifier: RDS instance "${identifier}" could not be read (${oneLine(err)}); check the identifier, aws:region and your AWS credentials${restoring}`,
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
    caCertIdentifier: i.caCertIdentifier,
  };
}

/** activeDatabase `restored`: the instance ToolJet is pointed at instead of the clone or the source (never modified). */
export interface RestoredInstance {
  readonly identifier: string;
  readonly address: string;
  readonly port: number;
  readonly endpoint: string;
  readonly engineVersion: string;
  readonly logExports: readonly string[];
}

/**
 * Reads the restored instance (an invoke: also during preview). It must be an encrypted RDS for PostgreSQL 13/16
 * instance whose server certificate authority has a root in the stack's CA bundle (ToolJet verifies it).
 */
export async function lookupRestoredInstance(identifier: string, caBundle: CaBundle): Promise<RestoredInstance> {
  const key = `${PROJECT}:restoredInstance.identifier`;
  let i: aws.rds.GetInstanceResult;
  try {
    i = await aws.rds.getInstance({ dbInstanceIdentifier: identifier });
  } catch (err) {
    throw new pulumi.RunError(
      `${key}: RDS instance "${identifier}" could not be read (${oneLine(err)}); restore it first (docs/cutover-and-rollback.md "Second path: restore from the pre-upgrade snapshot") and check the identifier and aws:region`,
    );
  }
  const problems = checkRestoredInstance(i, identifier);
  if (checkRdsRoot(caBundle, i.caCertIdentifier, 'caBundle') !== undefined) {
    problems.push(
      `${key}: "${identifier}" uses the RDS CA ${i.caCertIdentifier}, and caBundle holds no root of it, so ToolJet could not verify it; use the global bundle (docs/configuration.md, caBundle) or move the instance to rds-ca-rsa2048-g1 (aws rds modify-db-instance --db-instance-identifier ${identifier} --ca-certificate-identifier rds-ca-rsa2048-g1 --apply-immediately)`,
    );
  }
  if (problems.length > 0) throw new pulumi.RunError(problems.join('\n'));
  return {
    identifier: i.dbInstanceIdentifier,
    address: i.address,
    port: i.port,
    endpoint: i.endpoint,
    engineVersion: i.engineVersion,
    logExports: i.enabledCloudwatchLogsExports ?? [],
  };
}

/**
 * Whether a snapshot with exactly this identifier exists, without failing when it does not (aws.rds.getSnapshots
 * with the `db-snapshot-id` filter answers an empty list; getSnapshot would fail). An invoke: also during preview.
 */
export async function findSnapshot(identifier: string): Promise<SnapshotPresence> {
  try {
    const r = await aws.rds.getSnapshots({ filters: [{ name: 'db-snapshot-id', values: [identifier] }] });
    const s = (r.snapshots ?? []).find((x) => x.dbSnapshotIdentifier === identifier);
    return s
      ? { exists: true, createTime: s.snapshotCreateTime ?? '', instance: s.dbInstanceIdentifier ?? '' }
      : { exists: false };
  } catch (err) {
    return { exists: 'unknown', error: oneLine(err) };
  }
}

/** Looks the snapshot up by its exact identifier: never `mostRecent`, so the clone's input cannot move by itself. */
export async function lookupExistingSnapshot(identifier: string, sourceIdentifier: string): Promise<ExistingSnapshot> {
  let s: aws.rds.GetSnapshotResult;
  try {
    s = await aws.rds.getSnapshot({
      dbSnapshotIdentifier: identifier,
      ...(isSnapshotArn(identifier) ? { includeShared: true } : {}),
    });
  } catch (err) {
    throw new pulumi.RunError(
      `${PROJECT}:snapshot.identifier: snapshot "${identifier}" could not be read (${oneLine(err)}); check the identifier and aws:region`,
    );
  }
  const problems = checkExistingSnapshot(s, identifier, sourceIdentifier, { sameInstance: !isSnapshotArn(identifier) });
  if (problems.length > 0) throw new pulumi.RunError(problems.join('\n'));
  return { identifier, arn: s.dbSnapshotArn, engineVersion: s.engineVersion };
}
