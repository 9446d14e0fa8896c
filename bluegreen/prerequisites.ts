// Pure check of what RDS Blue/Green needs before a 13 -> 16 major upgrade, over facts looked up from AWS (never
// from the database). Every missing prerequisite is one line that says what to do; the program refuses to start
// with any of them, before anything is created or imported.
import { PROJECT } from '../lib/stack';

/** The engine version strategy blue-green upgrades to (the clone strategy's default, and only supported, 16.9). */
export const BLUE_GREEN_TARGET_VERSION = '16.9';

/** What the check reads: aws.rds.getInstance plus what only the RDS API (AWS CLI) returns. */
export interface BlueGreenSourceFacts {
  identifier: string;
  engine: string;
  engineVersion: string;
  dbClusterIdentifier?: string;
  /** Set when the source is itself a read replica. */
  replicateSourceDb?: string;
  backupRetentionPeriod: number;
  readReplicas: readonly string[];
  /** The instance's DB parameter group and whether its parameters are applied (`in-sync`) or wait for a reboot. */
  parameterGroup: { name: string; applyStatus: string };
  /** Value of rds.logical_replication in that group (undefined: not listed). */
  logicalReplication?: string;
  /** Master password managed in Secrets Manager (blue/green does not support it). */
  managedMasterPassword: boolean;
}

/** The oldest 13.x RDS supports for a blue/green MAJOR version upgrade (logical replication). */
export const MIN_BLUE_GREEN_13 = [13, 12] as const;

function minorOf(version: string): [number, number] | undefined {
  const m = /^(\d+)\.(\d+)/.exec(version);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

export interface PrerequisiteOptions {
  phase: 'import' | 'upgrade';
  /** The version the upgrade goes to ("16.9"). A source already there has switched over: nothing left to check. */
  targetVersion: string;
}

/** Problems that stop strategy blue-green, one line each; empty when it may go ahead. */
export function checkBlueGreenPrerequisites(f: BlueGreenSourceFacts, opts: PrerequisiteOptions): string[] {
  const key = `${PROJECT}:strategy`;
  const id = f.identifier;
  const out: string[] = [];
  if (f.dbClusterIdentifier) {
    return [
      `${key}: "${id}" is an instance of Aurora cluster "${f.dbClusterIdentifier}"; this program upgrades RDS for PostgreSQL instances only`,
    ];
  }
  if (f.engine !== 'postgres') return [`${key}: "${id}" runs engine "${f.engine}", not "postgres"`];

  if (f.engineVersion === opts.targetVersion) {
    // Switched over already (a rerun after the upgrade): the instance is the new one, there is nothing to prepare.
    if (opts.phase === 'import') {
      out.push(
        `${key}: "${id}" already runs PostgreSQL ${f.engineVersion}: the blue/green upgrade is done; keep blueGreen.phase: upgrade`,
      );
    }
    return out;
  }
  const v = minorOf(f.engineVersion);
  if (!v || v[0] !== 13) {
    return [
      `${key}: "${id}" runs PostgreSQL ${f.engineVersion}, not 13.x; strategy blue-green upgrades PostgreSQL 13 to ${opts.targetVersion}`,
    ];
  }
  if (v[1] < MIN_BLUE_GREEN_13[1]) {
    out.push(
      `${key}: "${id}" runs PostgreSQL ${f.engineVersion}; RDS blue/green major version upgrades need 13.${MIN_BLUE_GREEN_13[1]} or later: upgrade the minor version first (aws rds modify-db-instance --db-instance-identifier ${id} --engine-version 13.<latest> --apply-immediately) or use strategy: clone`,
    );
  }
  if (f.backupRetentionPeriod <= 0) {
    out.push(
      `${key}: "${id}" has automated backups off (backup retention 0 days); blue/green needs them: aws rds modify-db-instance --db-instance-identifier ${id} --backup-retention-period 7 --apply-immediately`,
    );
  }
  if (f.replicateSourceDb) {
    out.push(`${key}: "${id}" is a read replica of "${f.replicateSourceDb}"; upgrade the primary instead`);
  }
  if (f.readReplicas.length > 0) {
    out.push(
      `${key}: "${id}" has read replica(s) ${f.readReplicas.join(', ')}; the provider's blue/green update handles the primary only: delete them (re-create after the upgrade) or use strategy: clone`,
    );
  }
  if (f.managedMasterPassword) {
    out.push(
      `${key}: "${id}" manages its master password in AWS Secrets Manager, which RDS blue/green deployments do not support; use strategy: clone`,
    );
  }
  out.push(...logicalReplicationProblems(f, key, 'a blue/green major upgrade replicates logically'));
  return out;
}

/**
 * Whether rds.logical_replication=1 is set AND applied on the instance's parameter group (one line when not, saying
 * what to do), from the facts describe-source.sh reads. Shared by every strategy that replicates logically (blue-green,
 * replication); `why` ends the line that asks for the parameter.
 */
export function logicalReplicationProblems(
  f: Pick<BlueGreenSourceFacts, 'identifier' | 'parameterGroup' | 'logicalReplication'>,
  key: string,
  why: string,
): string[] {
  const id = f.identifier;
  const group = f.parameterGroup.name;
  if (group.startsWith('default.')) {
    return [
      `${key}: "${id}" uses the default parameter group ${group}, where rds.logical_replication cannot be set: create a custom postgres13 group with rds.logical_replication=1, attach it (aws rds modify-db-instance --db-parameter-group-name <group>) and reboot in a maintenance window`,
    ];
  }
  if (f.logicalReplication !== '1') {
    return [
      `${key}: parameter group ${group} of "${id}" has rds.logical_replication=${f.logicalReplication ?? 'unset'}; ${why}: aws rds modify-db-parameter-group --db-parameter-group-name ${group} --parameters ParameterName=rds.logical_replication,ParameterValue=1,ApplyMethod=pending-reboot, then reboot "${id}" in a maintenance window`,
    ];
  }
  if (f.parameterGroup.applyStatus !== 'in-sync') {
    return [
      `${key}: rds.logical_replication=1 is set in ${group} but not applied to "${id}" (parameter status ${f.parameterGroup.applyStatus}): reboot it in a maintenance window (aws rds reboot-db-instance --db-instance-identifier ${id})`,
    ];
  }
  return [];
}
