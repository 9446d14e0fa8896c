// Tags of everything the program creates. The policy pack keys off the clone's tags: keep these keys exactly.
import { Environment, PROJECT } from '../lib/stack';

export const TAG_KEYS = {
  name: 'Name',
  purpose: 'tooljet:purpose',
  sourceInstance: 'tooljet:source-instance',
  sourceSnapshot: 'tooljet:source-snapshot',
  deleteAfter: 'tooljet:delete-after',
  environment: 'tooljet:environment',
  managedBy: 'tooljet:managed-by',
} as const;

export const MANAGED_BY = `pulumi/${PROJECT}`;

export const PURPOSES = {
  clone: 'pg16-upgrade-clone',
  snapshot: 'pg16-upgrade-source-snapshot',
  parameterGroup: 'pg16-upgrade-parameter-group',
  monitoring: 'pg16-upgrade-monitoring',
} as const;

interface Common {
  sourceIdentifier: string;
  environment: Environment;
  userTags: Readonly<Record<string, string>>;
}

function tags(
  common: Common,
  name: string,
  purpose: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  // User tags first: the program's own keys always win (parseStackConfig already refuses reserved keys).
  return {
    ...common.userTags,
    [TAG_KEYS.name]: name,
    [TAG_KEYS.purpose]: purpose,
    [TAG_KEYS.sourceInstance]: common.sourceIdentifier,
    ...extra,
    [TAG_KEYS.environment]: common.environment,
    [TAG_KEYS.managedBy]: MANAGED_BY,
  };
}

export function cloneTags(c: Common & { cloneIdentifier: string; snapshotIdentifier: string }): Record<string, string> {
  return tags(c, c.cloneIdentifier, PURPOSES.clone, { [TAG_KEYS.sourceSnapshot]: c.snapshotIdentifier });
}

/**
 * Strategy replication's new 16.9 instance: the upgrade clone's purpose (it becomes the production database at the
 * cutover, so the policy pack's clone rules apply to it), without a source snapshot (it is filled by replication).
 */
export function replicaTags(c: Common & { identifier: string }): Record<string, string> {
  return tags(c, c.identifier, PURPOSES.clone);
}

/** `deleteAfter` (YYYY-MM-DD, from config, never the clock) adds the tag `tooljet:delete-after`. */
export function snapshotTags(c: Common & { snapshotIdentifier: string; deleteAfter?: string }): Record<string, string> {
  return tags(
    c,
    c.snapshotIdentifier,
    PURPOSES.snapshot,
    c.deleteAfter ? { [TAG_KEYS.deleteAfter]: c.deleteAfter } : {},
  );
}

export function parameterGroupTags(c: Common & { parameterGroupName: string }): Record<string, string> {
  return tags(c, c.parameterGroupName, PURPOSES.parameterGroup);
}

export function monitoringTags(c: Common & { name: string }): Record<string, string> {
  return tags(c, c.name, PURPOSES.monitoring);
}
