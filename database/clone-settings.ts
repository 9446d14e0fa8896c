// What the clone takes from the source unless it is configured, and what RDS would refuse only after the snapshot is
// taken. Pure: programs/clone.ts calls it with the source lookup, which also runs during `pulumi preview`, so a
// refused combination fails the preview in one line per problem.
//   - port: the source's. The clone keeps the source's subnet group and security groups, which admit the source's
//     port; a clone on 5432 next to a source on another port would be unreachable for ToolJet.
//   - caCertIdentifier: the source's, the CA ToolJet already verifies (its root must be in caBundle). The provider's
//     restore does not send it (terraform-provider-aws #33572, #35711); the finishing step sets and verifies it.
//   - multiAz with availabilityZone: RDS refuses it ("You can't specify the AvailabilityZone parameter if the DB
//     instance is a Multi-AZ deployment.", RestoreDBInstanceFromDBSnapshot). clone.multiAz: true with a zone is
//     refused by the configuration; an unset multiAz follows a Multi-AZ source in production, checked here.
import { PROJECT } from '../lib/stack';
import { CaBundle, checkRdsRoot } from '../lib/tls/ca-bundle';

export interface CloneSourceInput {
  /** database.port, when configured. */
  port?: number;
  /** clone.caCertIdentifier, when configured (then already checked against caBundle). */
  caCertIdentifier?: string;
  /** clone.multiAz, when configured. */
  multiAz?: boolean;
  availabilityZone?: string;
  production: boolean;
}

export interface CloneSourceFacts {
  identifier: string;
  port: number;
  caCertIdentifier: string;
  multiAz: boolean;
}

export interface CloneSourceSettings {
  port: number;
  caCertIdentifier: string;
  multiAz: boolean;
}

/** The clone's port, CA and Multi-AZ setting, or the problems (one line each) that stop the program. */
export function cloneSourceSettings(
  c: CloneSourceInput,
  source: CloneSourceFacts,
  caBundle: CaBundle,
  /** caBundle as configured, for the message. */
  caBundlePath: string,
): { settings: CloneSourceSettings; problems: string[] } {
  const problems: string[] = [];
  const multiAz = c.multiAz ?? (c.production ? source.multiAz : false);
  if (c.availabilityZone !== undefined && multiAz) {
    const why =
      c.multiAz === undefined
        ? `clone.multiAz is unset, so a production clone follows the source "${source.identifier}", which is Multi-AZ`
        : 'clone.multiAz: true';
    problems.push(
      `${PROJECT}:clone.availabilityZone: "${c.availabilityZone}" cannot be used for a Multi-AZ clone (${why}), and RDS refuses an AvailabilityZone for a Multi-AZ instance; remove clone.availabilityZone or set clone.multiAz: false`,
    );
  }
  const caCertIdentifier = c.caCertIdentifier ?? source.caCertIdentifier;
  if (c.caCertIdentifier === undefined) {
    const problem = checkRdsRoot(caBundle, source.caCertIdentifier, caBundlePath);
    if (problem) {
      problems.push(
        `${PROJECT}:caBundle: the clone takes the RDS CA of the source "${source.identifier}" (clone.caCertIdentifier unset): ${problem}; or set clone.caCertIdentifier to a CA whose root caBundle holds`,
      );
    }
  }
  return { settings: { port: c.port ?? source.port, caCertIdentifier, multiAz }, problems };
}
