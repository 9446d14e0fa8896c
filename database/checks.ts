// Pure checks of what the AWS lookups return: the source must be an encrypted RDS for PostgreSQL 13 instance, and an
// existing snapshot must be an available, encrypted PostgreSQL 13 snapshot of it. Each problem is one line that
// names the config key and what to do.
import { PROJECT } from '../lib/stack';

/** The fields of aws.rds.GetInstanceResult the checks read. */
export interface SourceInstanceFacts {
  dbInstanceIdentifier: string;
  engine: string;
  engineVersion: string;
  storageEncrypted: boolean;
  dbClusterIdentifier?: string;
}

/** The fields of aws.rds.GetSnapshotResult the checks read. */
export interface SnapshotFacts {
  dbInstanceIdentifier?: string;
  engine: string;
  engineVersion: string;
  encrypted: boolean;
  status: string;
}

const ENCRYPT_HINT =
  'copy a snapshot with a KMS key (aws rds copy-db-snapshot --kms-key-id <key> ...) and restore from it with snapshot.mode "existing"';

export function checkSourceInstance(
  i: SourceInstanceFacts,
  identifier: string,
  opts: { requireEncrypted: boolean },
): string[] {
  const key = `${PROJECT}:source.identifier`;
  const problems: string[] = [];
  if (i.dbClusterIdentifier) {
    problems.push(
      `${key}: "${identifier}" is an instance of Aurora cluster "${i.dbClusterIdentifier}"; this program upgrades RDS for PostgreSQL instances only`,
    );
  } else if (i.engine !== 'postgres') {
    problems.push(
      `${key}: "${identifier}" runs engine "${i.engine}", not "postgres"; set source.identifier to the RDS for PostgreSQL 13 instance`,
    );
  }
  if (!/^13(\.|$)/.test(i.engineVersion)) {
    problems.push(
      `${key}: "${identifier}" runs PostgreSQL ${i.engineVersion}, not 13.x; this program upgrades PostgreSQL 13 to 16: set source.identifier to the 13.x instance`,
    );
  }
  if (opts.requireEncrypted && !i.storageEncrypted) {
    problems.push(
      `${key}: "${identifier}" has unencrypted storage, so a snapshot of it and the clone would be unencrypted too; ${ENCRYPT_HINT}`,
    );
  }
  return problems;
}

export function checkExistingSnapshot(
  s: SnapshotFacts,
  identifier: string,
  sourceIdentifier: string,
  opts: { sameInstance: boolean },
): string[] {
  const key = `${PROJECT}:snapshot.identifier`;
  const problems: string[] = [];
  if (s.status !== 'available') {
    problems.push(
      `${key}: snapshot "${identifier}" is "${s.status}", not "available"; wait until it is available or use another snapshot`,
    );
  }
  if (s.engine !== 'postgres' || !/^13(\.|$)/.test(s.engineVersion)) {
    problems.push(
      `${key}: snapshot "${identifier}" is ${s.engine} ${s.engineVersion}, not postgres 13.x; use a snapshot of the PostgreSQL 13 source`,
    );
  }
  if (!s.encrypted) {
    problems.push(`${key}: snapshot "${identifier}" is not encrypted, so the clone would not be; ${ENCRYPT_HINT}`);
  }
  if (opts.sameInstance && s.dbInstanceIdentifier !== sourceIdentifier) {
    problems.push(
      `${key}: snapshot "${identifier}" was taken of "${s.dbInstanceIdentifier ?? '?'}", not of source "${sourceIdentifier}"; use a snapshot of the source (or its ARN if it was shared from another account)`,
    );
  }
  return problems;
}

/** The fields of aws.rds.GetInstanceResult the restored-instance check reads. */
export interface RestoredInstanceFacts {
  engine: string;
  engineVersion: string;
  storageEncrypted: boolean;
  dbClusterIdentifier?: string;
}

/**
 * activeDatabase `restored`: an RDS for PostgreSQL instance (13 from the pre-upgrade snapshot, or 16 from a snapshot of
 * the clone), encrypted like everything it was restored from. Its CA is checked against the bundle by
 * the caller (the bundle is configuration).
 */
export function checkRestoredInstance(i: RestoredInstanceFacts, identifier: string): string[] {
  const key = `${PROJECT}:restoredInstance.identifier`;
  const problems: string[] = [];
  if (i.dbClusterIdentifier) {
    problems.push(
      `${key}: "${identifier}" is an instance of Aurora cluster "${i.dbClusterIdentifier}"; restore the snapshot as an RDS for PostgreSQL instance (aws rds restore-db-instance-from-db-snapshot)`,
    );
  } else if (i.engine !== 'postgres') {
    problems.push(
      `${key}: "${identifier}" runs engine "${i.engine}", not "postgres"; name the instance restored from the PostgreSQL snapshot`,
    );
  } else if (!/^(13|16)(\.|$)/.test(i.engineVersion)) {
    problems.push(
      `${key}: "${identifier}" runs PostgreSQL ${i.engineVersion}; ToolJet is pointed only at 13.x (the pre-upgrade snapshot) or 16.x (a snapshot of the clone)`,
    );
  }
  if (!i.storageEncrypted) {
    problems.push(
      `${key}: "${identifier}" has unencrypted storage; restore an encrypted snapshot (the pre-upgrade snapshot is)`,
    );
  }
  return problems;
}
