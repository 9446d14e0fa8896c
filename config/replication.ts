// Pure validation of `replication` and `replicationPassword` (strategy replication: a new 16.9 instance fed by
// logical replication, docs/strategies.md) and how they combine with the rest of the stack. One self-contained line
// per problem. Which phase a `pulumi up` runs is not configured: it follows from activeDatabase, cutoverAt and
// replication.teardown (plan/build.ts), so the cutover and the rollback are each one config change.
import { configuredKinds, TargetConfigs } from '../targets';
import { checkInstanceIdentifier, checkParameterGroupName } from './identifiers';
import type { Reader } from './reader';
import { ActiveDatabase, DEFAULTS, Environment, ReplicationConfig, Strategy, SUB_KEYS } from './types';
import type { ValidationConfig } from './validation';

type Raw = Readonly<Record<string, unknown>>;

const INSTANCE_CLASS = /^db\.[a-z0-9-]+\.[a-z0-9-]+$/;
/** A PostgreSQL role name this program puts on a command line: plain identifiers only. */
const ROLE = /^[a-z_][a-z0-9_]{0,62}$/;

export interface ReplicationContext {
  strategy: Strategy;
  environment: Environment;
  sourceId: string | undefined;
  activeDatabase: ActiveDatabase;
  cutoverAt: string | undefined;
  targets: TargetConfigs;
  validation: ValidationConfig;
  /** Whether a key of this project is stored as a Pulumi secret. */
  isSecret: (key: string) => boolean;
}

function refuseOutside(r: Reader, raw: Raw): undefined {
  if (raw.replication !== undefined)
    r.problem('replication', `is only used with strategy "replication"; remove it, or set strategy: replication`);
  if (raw.replicationPassword !== undefined)
    r.problem(
      'replicationPassword',
      `is only used with strategy "replication"; remove it (pulumi config rm replicationPassword)`,
    );
  return undefined;
}

/** `replication` (defaulted) with strategy replication; refuses the keys elsewhere and what has no meaning here. */
export function parseReplication(r: Reader, raw: Raw, ctx: ReplicationContext): ReplicationConfig | undefined {
  if (ctx.strategy !== 'replication') return refuseOutside(r, raw);
  const o = r.object('replication', raw.replication) ?? {};
  r.unknownKeys('replication', o, SUB_KEYS.replication);

  let identifier = r.named('replication.identifier', o.identifier, checkInstanceIdentifier, 'DB instance identifier');
  if (o.identifier === undefined && ctx.sourceId) {
    identifier = `${ctx.sourceId}-pg16`;
    const problem = checkInstanceIdentifier(identifier);
    if (problem) r.problem('replication.identifier', `the default "${identifier}" ${problem}; set it explicitly`);
  }
  if (identifier && ctx.sourceId && identifier.toLowerCase() === ctx.sourceId.toLowerCase())
    r.problem(
      'replication.identifier',
      `"${identifier}" is the source instance; the new 16.9 instance needs its own identifier`,
    );

  const instanceClass = r.matching(
    'replication.instanceClass',
    o.instanceClass,
    INSTANCE_CLASS,
    'use an RDS instance class such as "db.m6g.large" (unset: the source\'s class)',
  );
  const allocatedStorageGiB = r.integer('replication.allocatedStorage', o.allocatedStorage, 20, 65536);
  let parameterGroupName = r.named(
    'replication.parameterGroupName',
    o.parameterGroupName,
    checkParameterGroupName,
    'DB parameter group name',
  );
  if (o.parameterGroupName === undefined && identifier) parameterGroupName = `${identifier}-postgres16`;
  const multiAz = r.boolean('replication.multiAz', o.multiAz);
  const backupRetentionPeriod =
    r.integer('replication.backupRetentionPeriod', o.backupRetentionPeriod, 0, 35) ??
    DEFAULTS.replicationBackupRetentionPeriod;
  let finalSnapshotIdentifier = r.named(
    'replication.finalSnapshotIdentifier',
    o.finalSnapshotIdentifier,
    checkInstanceIdentifier,
    'snapshot identifier',
  );
  if (finalSnapshotIdentifier !== undefined && ctx.environment !== 'production')
    r.problem(
      'replication.finalSnapshotIdentifier',
      'is only used in production (staging skips the final snapshot); remove it',
    );
  // Production: the new instance becomes the production database, so deleting it leaves a final snapshot.
  if (o.finalSnapshotIdentifier === undefined && ctx.environment === 'production' && identifier)
    finalSnapshotIdentifier = `${identifier}-final`;
  const user = r.matching(
    'replication.user',
    o.user,
    ROLE,
    'use a PostgreSQL role name such as "tj_replicator" (lower case, digits, _)',
  );
  const teardown = r.boolean('replication.teardown', o.teardown) ?? false;
  const catchUpDeadlineSeconds = r.duration(
    'replication.catchUpDeadline',
    o.catchUpDeadline,
    DEFAULTS.replicationCatchUpDeadlineSeconds,
  );
  const createTimeoutSeconds = r.duration(
    'replication.createTimeout',
    o.createTimeout,
    DEFAULTS.replicationCreateTimeoutSeconds,
  );
  const setupTimeoutSeconds = r.duration(
    'replication.setupTimeout',
    o.setupTimeout,
    DEFAULTS.replicationSetupTimeoutSeconds,
  );

  // The replication role's password: only as a secret, only with replication.user.
  if (user !== undefined && raw.replicationPassword === undefined) {
    r.problem(
      'replicationPassword',
      `not set; replication.user "${user}" needs its password as a secret: pulumi config set --secret replicationPassword <password>`,
    );
  } else if (raw.replicationPassword !== undefined && o.user === undefined) {
    r.problem(
      'replicationPassword',
      'is only used with replication.user (unset, the subscription connects as database.username with dbPassword); set replication.user or remove it',
    );
  } else if (raw.replicationPassword !== undefined && !ctx.isSecret('replicationPassword')) {
    r.problem(
      'replicationPassword',
      'is stored in plain text; make it a secret: pulumi config rm replicationPassword && pulumi config set --secret replicationPassword <password> (and rotate it)',
    );
  }

  // What the other strategies configure has no meaning here; refusing it beats ignoring it silently.
  if (raw.clone !== undefined)
    r.problem(
      'clone',
      'is not used with strategy "replication" (the new instance is configured under replication); remove the clone section',
    );
  if (raw.snapshot !== undefined)
    r.problem(
      'snapshot',
      'is not used with strategy "replication" (the new instance is filled by logical replication, not from a snapshot); remove it',
    );
  if (ctx.activeDatabase === 'restored')
    r.problem(
      'activeDatabase',
      '"restored" has no meaning with strategy "replication": use clone (the new 16.9 instance, the cutover) or source (before it, or the rollback)',
    );

  // The cutover and the rollback stop ToolJet, catch up and compare: they need targets and the exact validation.
  const windowed = !teardown && (ctx.activeDatabase === 'clone' || ctx.cutoverAt !== undefined);
  if (windowed && configuredKinds(ctx.targets).length === 0)
    r.problem(
      'targets',
      `none is configured, but strategy "replication" stops ToolJet for the ${ctx.activeDatabase === 'clone' ? 'cutover' : 'rollback'} and starts it on the other instance; add targets.<kind>`,
    );
  if (!teardown && ctx.activeDatabase === 'clone' && !ctx.validation.enabled)
    r.problem(
      'validation.enabled',
      'false is refused with strategy "replication" and activeDatabase clone: the exact comparison of the stopped source with the caught-up 16.9 instance is what makes it safe to start ToolJet there; give the machine running pulumi up network reach to both instances',
    );

  return {
    identifier: identifier ?? '',
    ...(instanceClass !== undefined && { instanceClass }),
    ...(allocatedStorageGiB !== undefined && { allocatedStorageGiB }),
    parameterGroupName: parameterGroupName ?? '',
    ...(multiAz !== undefined && { multiAz }),
    backupRetentionPeriod,
    ...(finalSnapshotIdentifier !== undefined && { finalSnapshotIdentifier }),
    ...(user !== undefined && { user }),
    catchUpDeadlineSeconds,
    createTimeoutSeconds,
    setupTimeoutSeconds,
    teardown,
  };
}
