// The aws.rds.Instance arguments that describe the source EXACTLY as it is, so importing it changes nothing (phase
// `import`: the preview shows "= import" with no diff), and the deliberate changes of phase `upgrade`. Pure.
//
// Which arguments: the provider's required one (instanceClass), every optional argument that has a default instead
// of being computed from AWS (omitting those would be a diff against a source that differs from the default), the
// two values the provider's importer sets itself (skipFinalSnapshot and deleteAutomatedBackups: true), and the
// identity (identifier, engine, engineVersion, parameterGroupName). Arguments AWS computes (storage, network,
// windows, KMS key, ...) are left out: an omitted computed argument is never a diff.

export interface MirrorFacts {
  identifier: string;
  engineVersion: string;
  instanceClass: string;
  parameterGroupName: string;
  autoMinorVersionUpgrade: boolean;
  copyTagsToSnapshot: boolean;
  deletionProtection: boolean;
  iamDatabaseAuthenticationEnabled: boolean;
  performanceInsightsEnabled: boolean;
  publiclyAccessible: boolean;
  storageEncrypted: boolean;
  monitoringInterval: number;
  /** 0: storage autoscaling off. */
  maxAllocatedStorage: number;
  enabledCloudwatchLogsExports: readonly string[];
  tags: Readonly<Record<string, string>>;
}

/** The facts as the instance's arguments: the same fields, plus the engine and the importer's two values. */
export type MirroredInstanceArgs = Omit<
  MirrorFacts,
  'maxAllocatedStorage' | 'enabledCloudwatchLogsExports' | 'tags'
> & {
  engine: 'postgres';
  maxAllocatedStorage?: number;
  enabledCloudwatchLogsExports: string[];
  tags: Record<string, string>;
  skipFinalSnapshot: true;
  deleteAutomatedBackups: true;
};

export function mirrorSourceInstance(f: MirrorFacts): MirroredInstanceArgs {
  return {
    identifier: f.identifier,
    engine: 'postgres',
    engineVersion: f.engineVersion,
    instanceClass: f.instanceClass,
    parameterGroupName: f.parameterGroupName,
    autoMinorVersionUpgrade: f.autoMinorVersionUpgrade,
    copyTagsToSnapshot: f.copyTagsToSnapshot,
    deletionProtection: f.deletionProtection,
    iamDatabaseAuthenticationEnabled: f.iamDatabaseAuthenticationEnabled,
    performanceInsightsEnabled: f.performanceInsightsEnabled,
    publiclyAccessible: f.publiclyAccessible,
    storageEncrypted: f.storageEncrypted,
    monitoringInterval: f.monitoringInterval,
    ...(f.maxAllocatedStorage > 0 && { maxAllocatedStorage: f.maxAllocatedStorage }),
    enabledCloudwatchLogsExports: [...f.enabledCloudwatchLogsExports].sort(),
    // AWS-reserved tags (aws:*) are not the user's to set; the provider leaves them out of `tags` too.
    tags: Object.fromEntries(Object.entries(f.tags).filter(([k]) => !k.toLowerCase().startsWith('aws:'))),
    // What the provider's importer records (neither can be read from AWS): the import stays diff-free. The stack
    // never deletes this instance anyway (protect + retainOnDelete).
    skipFinalSnapshot: true,
    deleteAutomatedBackups: true,
  };
}

export interface UpgradeChanges {
  engineVersion: string;
  parameterGroupName: string;
}

/**
 * Phase `upgrade`: the mirror plus the changes that make the provider run create-green -> upgrade -> switchover ->
 * delete-old (engineVersion and parameterGroupName become the green's TargetEngineVersion and
 * TargetDBParameterGroupName). autoMinorVersionUpgrade goes off so the pinned 16.9 cannot drift into a "downgrade".
 */
export function upgradeSourceInstance(mirror: MirroredInstanceArgs, changes: UpgradeChanges) {
  return {
    ...mirror,
    engineVersion: changes.engineVersion,
    parameterGroupName: changes.parameterGroupName,
    autoMinorVersionUpgrade: false,
    allowMajorVersionUpgrade: true,
    applyImmediately: true,
    blueGreenUpdate: { enabled: true },
  };
}
