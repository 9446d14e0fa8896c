// What keeps a 16.9 instance's data when Pulumi would delete it, the same for the clone (database/clone.ts) and
// strategy replication's new instance (replication/instance.ts): in production, deletion protection, a final
// snapshot and the automated backups kept; elsewhere (staging) a delete is clean. Snapshots carry the tags. Pure.

export interface InstanceProtection {
  copyTagsToSnapshot: true;
  deletionProtection: boolean;
  skipFinalSnapshot: boolean;
  finalSnapshotIdentifier?: string;
  deleteAutomatedBackups: boolean;
}

/** `finalSnapshotIdentifier` is required in production: the callers refuse a production instance without one. */
export function instanceProtection(production: boolean, finalSnapshotIdentifier?: string): InstanceProtection {
  return {
    copyTagsToSnapshot: true,
    deletionProtection: production,
    skipFinalSnapshot: !production,
    ...(production && { finalSnapshotIdentifier }),
    deleteAutomatedBackups: !production,
  };
}
