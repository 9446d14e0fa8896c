// Pure validation of the stack configuration: raw values in (as Pulumi hands them over: top-level scalars as
// strings, objects as JSON text or already-parsed objects), a fully typed and defaulted StackConfig out, or ONE
// ConfigError that lists every problem, one self-contained line each. No Pulumi, no AWS: testable on its own.
import * as fs from 'fs';
import * as path from 'path';
import { parseAftercare } from './aftercare';
import { CaBundleFile, checkRdsRoot, configProblem, readCaBundleFile, ReadFile } from '../lib/tls/ca-bundle';
import { environmentFromStackName, stackNameSaysProduction } from './environment';
import { ConfigError } from './errors';
import {
  checkExistingSnapshotIdentifier,
  checkInstanceIdentifier,
  checkParameterGroupName,
  checkSnapshotIdentifier,
  toRdsNamePart,
} from './identifiers';
import {
  ACTIVE_DATABASES,
  ActiveDatabase,
  CloneConfig,
  CloneTimeoutSeconds,
  DatabaseConfig,
  DEFAULTS,
  ENVIRONMENTS,
  Environment,
  RDS_CA_BUNDLE_URL,
  RestoredInstanceConfig,
  SnapshotConfig,
  StackConfig,
  SUB_KEYS,
  TOP_LEVEL_KEYS,
} from './types';
import { parseAppSecrets } from './app-secrets';
import { parseMaintenanceWindow } from './cutover';
import { parseTargets, parseTargetSettings } from './targets';
import { parseValidation } from './validation';
import { parseReplication } from './replication';
import { kindOf, Obj, Reader } from './reader';

export interface ParseOptions {
  /** Stack name (`pulumi.getStack()`). */
  stack: string;
  /** Project name = config namespace, used in messages (`tooljet-pg-upgrade:clone.engineVersion`). */
  project: string;
  /** Whether the top-level key (without namespace) is stored as a Pulumi secret. */
  isSecret: (key: string) => boolean;
  /** Directory relative paths (caBundle) are resolved against: the project directory. */
  baseDir: string;
  readFile?: ReadFile;
}

type Raw = Readonly<Record<string, unknown>>;

const PG_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const INSTANCE_CLASS = /^db\.[a-z0-9-]+\.[a-z0-9-]+$/;
const CA_CERT_IDENTIFIER = /^rds-ca-[a-z0-9-]+$/;
const AVAILABILITY_ZONE = /^[a-z]{2}(-[a-z]+)+-\d+[a-z]$/;
const SUBNET_GROUP = /^[A-Za-z0-9 ._-]{1,255}$/;
const SECURITY_GROUP = /^sg-[0-9a-f]{8}([0-9a-f]{9})?$/;

function parseEnvironment(
  r: Reader,
  raw: Raw,
  stack: string,
): { environment: Environment; source: 'config' | 'stack-name' } {
  const configured = r.oneOf('environment', raw.environment, ENVIRONMENTS);
  if (configured === undefined) return { environment: environmentFromStackName(stack), source: 'stack-name' };
  if (configured === 'staging' && stackNameSaysProduction(stack)) {
    r.problem(
      'environment',
      `"staging" contradicts the stack name "${stack}", which says production; remove the key (production is derived) or use a non-production stack`,
    );
  }
  return { environment: configured, source: 'config' };
}

function parseSnapshot(r: Reader, raw: Raw, sourceId: string | undefined, stack: string): SnapshotConfig {
  const o = r.object('snapshot', raw.snapshot) ?? {};
  r.unknownKeys('snapshot', o, SUB_KEYS.snapshot);
  const mode = r.oneOf('snapshot.mode', o.mode, ['create', 'existing'] as const) ?? 'create';
  if (mode === 'existing') {
    if (o.createTimeout !== undefined)
      r.problem('snapshot.createTimeout', 'is only used with snapshot.mode "create"; remove it');
    const identifier = r.named(
      'snapshot.identifier',
      o.identifier,
      checkExistingSnapshotIdentifier,
      'snapshot identifier, rds:<automated snapshot> or snapshot ARN',
    );
    if (o.identifier === undefined) {
      r.problem(
        'snapshot.identifier',
        'is required with snapshot.mode "existing": pulumi config set --path snapshot.identifier <existing snapshot identifier>',
      );
    }
    return { mode, identifier: identifier ?? '' };
  }
  const createTimeoutSeconds = r.duration(
    'snapshot.createTimeout',
    o.createTimeout,
    DEFAULTS.snapshotCreateTimeoutSeconds,
  );
  if (o.identifier !== undefined) {
    const identifier = r.named('snapshot.identifier', o.identifier, checkSnapshotIdentifier, 'snapshot identifier');
    return { mode, identifier: identifier ?? '', createTimeoutSeconds };
  }
  // Stable default: the same stack and source always give the same name (never the clock).
  const stackPart = toRdsNamePart(stack);
  const derived = sourceId ? `${sourceId}-pre-pg16${stackPart ? `-${stackPart}` : ''}` : '';
  if (derived) {
    const problem = checkSnapshotIdentifier(derived);
    if (problem)
      r.problem('snapshot.identifier', `the default "${derived}" ${problem}; set snapshot.identifier explicitly`);
  }
  return { mode, identifier: derived, createTimeoutSeconds };
}

function parseClone(r: Reader, raw: Raw, environment: Environment, sourceId: string | undefined): CloneConfig {
  const o = r.object('clone', raw.clone) ?? {};
  r.unknownKeys('clone', o, SUB_KEYS.clone);

  let identifier = r.named('clone.identifier', o.identifier, checkInstanceIdentifier, 'DB instance identifier');
  if (o.identifier === undefined) {
    if (environment === 'staging') identifier = DEFAULTS.stagingCloneIdentifier;
    else if (sourceId) {
      identifier = `${sourceId}-pg16`;
      const problem = checkInstanceIdentifier(identifier);
      if (problem)
        r.problem('clone.identifier', `the default "${identifier}" ${problem}; set clone.identifier explicitly`);
    }
  }
  if (identifier && sourceId && identifier.toLowerCase() === sourceId.toLowerCase()) {
    r.problem('clone.identifier', `"${identifier}" is the source instance; the clone needs its own identifier`);
  }

  let engineVersion: string = DEFAULTS.engineVersion;
  if (o.engineVersion !== undefined) {
    const v = o.engineVersion;
    if (typeof v === 'number') {
      r.problem(
        'clone.engineVersion',
        `must be a quoted string like "16.9" (YAML reads ${v} as a number, and 16.10 would become 16.1)`,
      );
    } else if (typeof v !== 'string' || !/^\d+(\.\d+)*$/.test(v)) {
      r.problem(
        'clone.engineVersion',
        `${typeof v === 'string' ? `"${v}"` : kindOf(v)} is not a PostgreSQL version; use "16.9"`,
      );
    } else if (!v.startsWith('16')) {
      r.problem('clone.engineVersion', `"${v}" is not PostgreSQL 16; this program upgrades 13 to 16 only: use "16.9"`);
    } else if (!/^16\.\d+$/.test(v)) {
      r.problem(
        'clone.engineVersion',
        `"${v}" is not an exact 16.x minor version; pin one such as "16.9" (auto minor upgrades are off, so it cannot drift)`,
      );
    } else {
      engineVersion = v;
    }
  }

  const instanceClass =
    r.matching(
      'clone.instanceClass',
      o.instanceClass,
      INSTANCE_CLASS,
      'use an RDS instance class such as "db.t3.medium"',
    ) ?? DEFAULTS.instanceClass;
  // Unset: the source's CA (from the source lookup, programs/clone.ts via database/clone-settings.ts).
  const caCertIdentifier = r.matching(
    'clone.caCertIdentifier',
    o.caCertIdentifier,
    CA_CERT_IDENTIFIER,
    'use an RDS CA identifier such as "rds-ca-rsa2048-g1"',
  );

  let parameterGroupName = r.named(
    'clone.parameterGroupName',
    o.parameterGroupName,
    checkParameterGroupName,
    'DB parameter group name',
  );
  if (o.parameterGroupName === undefined && identifier) parameterGroupName = `${identifier}-postgres16`;

  const availabilityZone = r.matching(
    'clone.availabilityZone',
    o.availabilityZone,
    AVAILABILITY_ZONE,
    'use an availability zone such as "us-east-1a"',
  );
  const dbSubnetGroupName = r.matching(
    'clone.dbSubnetGroupName',
    o.dbSubnetGroupName,
    SUBNET_GROUP,
    'use the name of a DB subnet group',
  );

  let vpcSecurityGroupIds: string[] | undefined;
  if (o.vpcSecurityGroupIds !== undefined) {
    if (!Array.isArray(o.vpcSecurityGroupIds) || o.vpcSecurityGroupIds.length === 0) {
      r.problem(
        'clone.vpcSecurityGroupIds',
        `must be a non-empty list of security group ids (sg-...), got ${kindOf(o.vpcSecurityGroupIds)}; remove the key to use the source's`,
      );
    } else {
      vpcSecurityGroupIds = [];
      for (const [i, id] of o.vpcSecurityGroupIds.entries()) {
        const ok = r.matching(
          `clone.vpcSecurityGroupIds[${i}]`,
          id,
          SECURITY_GROUP,
          'use a security group id such as "sg-0123456789abcdef0"',
        );
        if (ok) vpcSecurityGroupIds.push(ok);
      }
    }
  }

  const multiAz = r.boolean('clone.multiAz', o.multiAz);
  if (availabilityZone !== undefined && multiAz === true) {
    // RestoreDBInstanceFromDBSnapshot, AvailabilityZone: "You can't specify the AvailabilityZone parameter if the DB
    // instance is a Multi-AZ deployment." (multiAz unset follows the source in production: checked with the lookup.)
    r.problem(
      'clone.availabilityZone',
      `"${availabilityZone}" cannot be combined with clone.multiAz: true (RDS refuses an AvailabilityZone for a Multi-AZ instance); remove clone.availabilityZone or set clone.multiAz: false`,
    );
  }
  const backupRetentionPeriod = r.integer('clone.backupRetentionPeriod', o.backupRetentionPeriod, 0, 35);
  if (environment === 'production' && backupRetentionPeriod === 0) {
    r.problem(
      'clone.backupRetentionPeriod',
      '0 turns off backups of what becomes the production database; use 1 to 35 days (or remove the key)',
    );
  }

  let finalSnapshotIdentifier: string | undefined;
  if (o.finalSnapshotIdentifier !== undefined) {
    finalSnapshotIdentifier = r.named(
      'clone.finalSnapshotIdentifier',
      o.finalSnapshotIdentifier,
      checkSnapshotIdentifier,
      'snapshot identifier',
    );
    if (environment === 'staging') {
      r.problem(
        'clone.finalSnapshotIdentifier',
        'is only used in production (a staging clone is destroyed without a final snapshot); remove it',
      );
    }
  } else if (environment === 'production' && identifier) {
    finalSnapshotIdentifier = `${identifier}-final`;
  }

  const t = r.object('clone.timeouts', o.timeouts) ?? {};
  r.unknownKeys('clone.timeouts', t, SUB_KEYS['clone.timeouts']);
  const timeoutSeconds: CloneTimeoutSeconds = {
    create: r.duration('clone.timeouts.create', t.create, DEFAULTS.cloneTimeoutSeconds.create),
    update: r.duration('clone.timeouts.update', t.update, DEFAULTS.cloneTimeoutSeconds.update),
    delete: r.duration('clone.timeouts.delete', t.delete, DEFAULTS.cloneTimeoutSeconds.delete),
  };

  return {
    identifier: identifier ?? '',
    instanceClass,
    engineVersion,
    parameterGroupName: parameterGroupName ?? '',
    ...(caCertIdentifier !== undefined && { caCertIdentifier }),
    ...(availabilityZone !== undefined && { availabilityZone }),
    ...(dbSubnetGroupName !== undefined && { dbSubnetGroupName }),
    ...(vpcSecurityGroupIds !== undefined && { vpcSecurityGroupIds }),
    ...(multiAz !== undefined && { multiAz }),
    ...(backupRetentionPeriod !== undefined && { backupRetentionPeriod }),
    ...(finalSnapshotIdentifier !== undefined && { finalSnapshotIdentifier }),
    timeoutSeconds,
  };
}

/**
 * `restoredInstance`: required with activeDatabase `restored`, refused otherwise (docs/cutover-and-rollback.md
 * "Second path: restore from the pre-upgrade snapshot").
 */
function parseRestoredInstance(
  r: Reader,
  raw: Raw,
  activeDatabase: ActiveDatabase,
  ids: { sourceId: string | undefined; cloneId: string },
): RestoredInstanceConfig | undefined {
  const o = r.object('restoredInstance', raw.restoredInstance);
  if (activeDatabase !== 'restored') {
    if (o !== undefined)
      r.problem(
        'restoredInstance',
        'is only used with activeDatabase: restored; remove it (pulumi config rm restoredInstance)',
      );
    return undefined;
  }
  const m = o ?? {};
  r.unknownKeys('restoredInstance', m, SUB_KEYS.restoredInstance);
  if (m.identifier === undefined) {
    r.problem(
      'restoredInstance.identifier',
      'not set; activeDatabase: restored points ToolJet at an instance you restored from a snapshot: pulumi config set --path restoredInstance.identifier <restored instance identifier>',
    );
    return undefined;
  }
  const identifier = r.named(
    'restoredInstance.identifier',
    m.identifier,
    checkInstanceIdentifier,
    'DB instance identifier',
  );
  if (identifier === undefined) return undefined;
  for (const [what, id] of [
    ['source.identifier (for the source use activeDatabase: source)', ids.sourceId],
    ['clone.identifier (for the clone use activeDatabase: clone)', ids.cloneId],
  ] as const) {
    if (id && id.toLowerCase() === identifier.toLowerCase())
      r.problem('restoredInstance.identifier', `"${identifier}" is ${what}; name the instance you restored`);
  }
  return { identifier };
}

function parseCaBundle(r: Reader, raw: Raw, baseDir: string, readFile: ReadFile): CaBundleFile | undefined {
  if (raw.caBundle === undefined) {
    r.problem(
      'caBundle',
      `not set; download the RDS CA bundle (curl -fsSLo certs/global-bundle.pem ${RDS_CA_BUNDLE_URL}) and run: pulumi config set caBundle certs/global-bundle.pem`,
    );
    return undefined;
  }
  const configured = r.string('caBundle', raw.caBundle, 'set it to the path of global-bundle.pem');
  if (configured === undefined) return undefined;
  const file = path.resolve(baseDir, configured);
  const result = readCaBundleFile(file, readFile);
  if (!result.ok) {
    r.problem('caBundle', configProblem(result.problem, configured, file));
    return undefined;
  }
  return result.bundle;
}

function parseDatabase(r: Reader, raw: Raw): DatabaseConfig {
  const o = r.object('database', raw.database) ?? {};
  r.unknownKeys('database', o, SUB_KEYS.database);
  const nameFix =
    'use a PostgreSQL name: letters, digits and underscores, starting with a letter or underscore, at most 63';
  const username = r.matching('database.username', o.username, PG_NAME, nameFix);
  if (o.username === undefined) {
    r.problem(
      'database.username',
      "not set; set ToolJet's database user (PG_USER): pulumi config set --path database.username <user>",
    );
  }
  const name = r.matching('database.name', o.name, PG_NAME, nameFix) ?? DEFAULTS.databaseName;
  const tooljetDbName =
    r.matching('database.tooljetDbName', o.tooljetDbName, PG_NAME, nameFix) ?? DEFAULTS.tooljetDbName;
  if (name === tooljetDbName) {
    r.problem(
      'database.tooljetDbName',
      `"${tooljetDbName}" equals database.name; ToolJet needs TOOLJET_DB to differ from PG_DB`,
    );
  }
  // Unset: the source's port (the clone keeps the source's security groups, which admit that port).
  const port = r.integer('database.port', o.port, 1150, 65535);
  return { username: username ?? '', name, tooljetDbName, ...(port !== undefined && { port }) };
}

function parseTags(r: Reader, raw: Raw): Record<string, string> {
  const o = r.object('tags', raw.tags) ?? {};
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) {
    if (k === 'Name' || k.startsWith('tooljet:') || k.toLowerCase().startsWith('aws:')) {
      r.problem(
        `tags.${k}`,
        'is reserved (Name and tooljet:* are set by the program, aws:* by AWS); use another tag key',
      );
    } else if (k.length > 128) {
      r.problem(`tags.${k.slice(0, 20)}...`, 'tag keys are at most 128 characters');
    } else if (typeof v !== 'string' || v.length > 256) {
      r.problem(
        `tags.${k}`,
        `must be a string of at most 256 characters, got ${kindOf(v)}${typeof v === 'number' || typeof v === 'boolean' ? ' (quote it in YAML)' : ''}`,
      );
    } else {
      tags[k] = v;
    }
  }
  return tags;
}

function checkPassword(r: Reader, raw: Raw, isSecret: (key: string) => boolean, stack: string): void {
  const value = raw.dbPassword;
  if (value === undefined) {
    r.problem(
      'dbPassword',
      "not set; set ToolJet's database password as a secret: pulumi config set --secret dbPassword <password>",
    );
  } else if (!isSecret('dbPassword')) {
    // Never echo the value.
    r.problem(
      'dbPassword',
      `is stored in plain text; make it a secret: pulumi config rm dbPassword && pulumi config set --secret dbPassword <password> (and rotate it if Pulumi.${stack}.yaml was shared)`,
    );
  } else if (typeof value !== 'string' || value.length === 0) {
    r.problem('dbPassword', 'is empty; pulumi config set --secret dbPassword <password>');
  }
}

/** Validates and defaults the raw configuration of one stack. Throws one ConfigError listing every problem. */
export function parseStackConfig(raw: Raw, opts: ParseOptions): StackConfig {
  const r = new Reader(opts.project);
  const readFile: ReadFile = opts.readFile ?? ((f) => fs.readFileSync(f, 'utf8'));

  r.unknownKeys('', raw as Obj, TOP_LEVEL_KEYS);
  const { environment, source: environmentSource } = parseEnvironment(r, raw, opts.stack);

  const sourceObj = r.object('source', raw.source) ?? {};
  r.unknownKeys('source', sourceObj, SUB_KEYS.source);
  const sourceId = r.named(
    'source.identifier',
    sourceObj.identifier,
    checkInstanceIdentifier,
    'DB instance identifier',
  );
  if (sourceObj.identifier === undefined) {
    r.problem(
      'source.identifier',
      'not set; set the RDS identifier of the PostgreSQL 13 instance to clone: pulumi config set --path source.identifier <identifier>',
    );
  }

  const snapshot = parseSnapshot(r, raw, sourceId, opts.stack);
  const clone = parseClone(r, raw, environment, sourceId);
  const activeDatabase: ActiveDatabase =
    r.oneOf('activeDatabase', raw.activeDatabase, ACTIVE_DATABASES) ?? DEFAULTS.activeDatabase;
  const restoredInstance = parseRestoredInstance(r, raw, activeDatabase, { sourceId, cloneId: clone.identifier });
  const caBundle = parseCaBundle(r, raw, opts.baseDir, readFile);
  if (caBundle && clone.caCertIdentifier !== undefined) {
    // The clone ends on clone.caCertIdentifier: its root must be in the bundle every target trusts. (Unset: the
    // source's, checked against the bundle once the source is looked up.)
    const problem = checkRdsRoot(caBundle, clone.caCertIdentifier, String(raw.caBundle));
    if (problem) r.problem('caBundle', problem);
  }
  const database = parseDatabase(r, raw);
  const tags = parseTags(r, raw);
  checkPassword(r, raw, opts.isSecret, opts.stack);
  const aftercare = parseAftercare(r, raw, { environment, sourceId, activeDatabase, snapshotMode: snapshot.mode });
  const appSecrets = parseAppSecrets(r, raw, opts.isSecret, opts.stack);
  const targets = parseTargetSettings(r, parseTargets(r, raw.targets), {
    project: opts.project,
    stack: opts.stack,
    environment,
    baseDir: opts.baseDir,
    appSecrets,
  });
  const validation = parseValidation(r, raw.validation);
  const window = parseMaintenanceWindow(r, raw, {
    environment,
    strategy: aftercare.strategy,
    activeDatabase,
    snapshotMode: snapshot.mode,
    validation,
    cleanupEnabled: aftercare.cleanup.enabled,
    cutoverAt: aftercare.cutoverAt,
    targets,
  });

  const replication = parseReplication(r, raw, {
    strategy: aftercare.strategy,
    environment,
    sourceId,
    activeDatabase,
    cutoverAt: aftercare.cutoverAt,
    targets,
    validation,
    isSecret: opts.isSecret,
  });

  if (r.problems.length > 0 || !sourceId || !caBundle) throw new ConfigError(r.problems);
  return {
    project: opts.project,
    stack: opts.stack,
    environment,
    environmentSource,
    source: { identifier: sourceId },
    snapshot,
    clone,
    activeDatabase,
    caBundle,
    targets,
    appSecrets: [...appSecrets],
    validation,
    database,
    tags,
    ...aftercare,
    ...window,
    ...(restoredInstance !== undefined && { restoredInstance }),
    ...(replication !== undefined && { replication }),
  };
}
