// Pure check of what strategy replication needs of the source before anything is created, over the facts strategy
// blue-green reads too (bluegreen/facts.ts: aws.rds.getInstance + describe-source.sh, during preview as well). Every
// missing prerequisite is one line that says what to do. What only the database can tell (replica identity, large
// objects, unlogged tables, the replication role, wal_level) is `tj-pg-upgrade precheck --strategy replication`, the
// first command of the graph (replication/steps.ts).
import { logicalReplicationProblems } from '../bluegreen/prerequisites';
import { PROJECT } from '../lib/stack';
import { CaBundle, checkRdsRoot } from '../lib/tls/ca-bundle';
import type { BlueGreenSourceFacts } from '../bluegreen/prerequisites';

/** The version the new instance runs. */
export const REPLICATION_TARGET_VERSION = '16.9';

export interface ReplicationSourceFacts extends BlueGreenSourceFacts {
  /** The RDS CA of the source's server certificate: the new instance gets the same (see below). */
  caCertIdentifier: string;
}

export interface ReplicationPrerequisiteOptions {
  /** The stack's CA bundle (ToolJet verifies the new instance, which gets the source's CA, against it). */
  caBundle: CaBundle;
  /** caBundle as configured, for the message. */
  caBundlePath: string;
}

/**
 * Problems that stop strategy replication, one line each; empty when it may go ahead.
 *
 * - RDS for PostgreSQL 13.x, not Aurora, not a read replica (a PostgreSQL 13 standby cannot hold a logical slot).
 * - rds.logical_replication=1 set and applied on the source's parameter group (the check blue-green uses).
 * - The source's CA is one this program knows, with a root in caBundle. The new instance gets the source's
 *   caCertIdentifier because each subscriber verifies its publisher with sslmode=verify-full against its OWN server
 *   certificate file (/rdsdbdata/rds-metadata/server-cert.pem: AWS Knowledge Center
 *   "root-certificate-file-rds-postgresql"), which chains to its own CA only; the region is the same by construction
 *   (one provider looks the source up and creates the new instance).
 */
export function checkReplicationPrerequisites(
  f: ReplicationSourceFacts,
  opts: ReplicationPrerequisiteOptions,
): string[] {
  const key = `${PROJECT}:strategy`;
  const id = f.identifier;
  if (f.dbClusterIdentifier) {
    return [
      `${key}: "${id}" is an instance of Aurora cluster "${f.dbClusterIdentifier}"; this program upgrades RDS for PostgreSQL instances only`,
    ];
  }
  if (f.engine !== 'postgres') return [`${key}: "${id}" runs engine "${f.engine}", not "postgres"`];
  if (!/^13\.\d+/.test(f.engineVersion)) {
    return [
      `${key}: "${id}" runs PostgreSQL ${f.engineVersion}, not 13.x; strategy replication replicates a PostgreSQL 13 source into a new ${REPLICATION_TARGET_VERSION} instance`,
    ];
  }
  const out: string[] = [];
  if (f.replicateSourceDb) {
    out.push(
      `${key}: "${id}" is a read replica of "${f.replicateSourceDb}"; PostgreSQL 13 cannot publish from a standby: set source.identifier to the primary`,
    );
  }
  out.push(...logicalReplicationProblems(f, key, 'strategy replication publishes from it'));
  const ca = checkRdsRoot(opts.caBundle, f.caCertIdentifier, opts.caBundlePath);
  if (ca !== undefined) {
    out.push(
      `${key}: "${id}" uses the RDS CA ${f.caCertIdentifier}, which the new instance gets too (each side verifies the other against its own CA file), and ${opts.caBundlePath} holds no root of it, so ToolJet could not verify the new instance; use the global bundle (README "caBundle") or move the source to rds-ca-rsa2048-g1 (aws rds modify-db-instance --db-instance-identifier ${id} --ca-certificate-identifier rds-ca-rsa2048-g1, then reboot)`,
    );
  }
  return out;
}
