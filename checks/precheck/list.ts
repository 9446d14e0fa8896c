// What `tj-pg-upgrade precheck` checks, in report order: a table, one entry per check. Each entry says where it
// looks (the cluster once, or every database), what it finds there (one line per object, from the SQL in sql.ts),
// and its verdict. Most are blockers of the same shape (objects found: fail with what and what to do; none: pass), so
// one file per check would be twenty copies of that shape around one query; the table keeps each check to its few
// lines. Adding a check: its SQL in sql.ts, one entry here, and its case in tests/checks/precheck/ (docs/layout.md).
import type { PrecheckCheck, PrecheckRun, SourceServer } from '../check';
import { check } from '../report';
import { classifyExtensions, ExtensionFindings, InstalledExtension } from './extensions';
import * as sql from './sql';
import { blocker } from './verdict';

const RELKIND: Record<string, string> = {
  r: 'table',
  m: 'materialized view',
  i: 'index',
  v: 'view',
  p: 'partitioned table',
};

type ColumnRow = { nspname: string; relname: string; attname: string; relkind: string; type: string };

/** One line per stored column: "db: schema.table.column (type[, in <relkind>])". */
const column =
  (db: string) =>
  (r: ColumnRow): string =>
    `${db}: ${r.nspname}.${r.relname}.${r.attname} (${r.type}${r.relkind !== 'r' ? `, in ${RELKIND[r.relkind] ?? r.relkind}` : ''})`;

/** A database check that fails on every stored column whose type uses `base` (directly or nested). */
function typeUsage(
  name: string,
  base: string,
  what: string,
  action: string,
  none: string,
  notApplicable?: (s: SourceServer) => string | undefined,
): PrecheckCheck {
  return {
    name,
    scope: 'database',
    notApplicable,
    async find(ctx) {
      return (await ctx.client.query<ColumnRow>(sql.columnsUsingTypes(base))).rows.map(column(ctx.database));
    },
    verdict: (found) => blocker(name, found, what, action, none),
  };
}

/** The installed extensions of the database, classified once and shared by the extension checks. */
function extensions(ctx: Parameters<NonNullable<PrecheckCheck['find']>>[0]): Promise<ExtensionFindings> {
  return ctx.once('extensions', async () =>
    classifyExtensions(ctx.database, (await ctx.client.query<InstalledExtension>(sql.EXTENSIONS)).rows),
  );
}

const only13 = (s: SourceServer): string | undefined =>
  s.num < 140000 ? undefined : 'only sources up to 13 are affected';

const sourceVersion: PrecheckCheck = {
  name: 'source version',
  scope: 'cluster',
  verdict(_found, { server }) {
    const major = Math.floor(server.num / 10000);
    if (major === 13)
      return check('source version', 'pass', `PostgreSQL ${server.version}: checks for an upgrade 13 -> 16`);
    if (major >= 16)
      return check(
        'source version',
        'warn',
        `PostgreSQL ${server.version} is already 16 or newer: there is no 13 -> 16 upgrade to check`,
      );
    return check(
      'source version',
      'warn',
      `PostgreSQL ${server.version}: these checks are written for a 13 source; results for ${major} may be incomplete`,
    );
  },
};

const preparedTransactions: PrecheckCheck = {
  name: 'prepared transactions',
  scope: 'cluster',
  async find({ client }) {
    return (await client.query(sql.PREPARED_TRANSACTIONS)).rows.map(
      (r) => `gid '${r.gid}' in database ${r.database} (owner ${r.owner}, prepared ${r.prepared})`,
    );
  },
  verdict: (found) =>
    blocker(
      'prepared transactions',
      found,
      'Prepared transactions exist (pg_upgrade refuses while any is open).',
      "Finish each: COMMIT PREPARED 'gid' or ROLLBACK PREPARED 'gid', connected to its database.",
      'no prepared transactions in the cluster',
    ),
};

const connectionSettings: PrecheckCheck = {
  name: 'database connection settings',
  scope: 'cluster',
  async find({ databases }) {
    return databases.flatMap((d) => {
      if (d.datname === 'template0') return d.datallowconn ? ['template0 allows connections'] : [];
      if (Number(d.datconnlimit) === -2) return []; // an invalid database: its own check
      return d.datallowconn ? [] : [`database ${d.datname} does not allow connections`];
    });
  },
  verdict: (found) =>
    blocker(
      'database connection settings',
      found,
      'pg_upgrade needs template0 to refuse connections and every other database to accept them.',
      'Fix with ALTER DATABASE name ALLOW_CONNECTIONS true (or drop the database); template0: ALLOW_CONNECTIONS false.',
      'template0 refuses connections, every other database accepts them',
    ),
};

const invalidDatabases: PrecheckCheck = {
  name: 'invalid databases',
  scope: 'cluster',
  async find({ databases }) {
    return databases
      .filter((d) => d.datname !== 'template0' && Number(d.datconnlimit) === -2)
      .map((d) => `database ${d.datname}`);
  },
  verdict: (found) =>
    blocker(
      'invalid databases',
      found,
      'Databases left invalid by an interrupted DROP DATABASE (datconnlimit = -2); RDS refuses to upgrade with them.',
      'Finish the drop: DROP DATABASE name.',
      'no invalid databases',
    ),
};

const replicationSlots: PrecheckCheck = {
  name: 'logical replication slots',
  scope: 'cluster',
  async find({ client }) {
    return (await client.query(sql.LOGICAL_SLOTS)).rows.map(
      (r) =>
        `slot ${r.slot_name} (${r.slot_type}, plugin ${r.plugin}, database ${r.database}${r.active ? ', active' : ''})`,
    );
  },
  verdict: (found) =>
    blocker(
      'logical replication slots',
      found,
      'Logical replication slots exist; RDS requires them dropped before a major upgrade (they survive upgrades only from 17).',
      "Drop each: SELECT pg_drop_replication_slot('name'); re-create subscriptions after the upgrade.",
      'no logical replication slots',
    ),
};

const regTypes = typeUsage(
  'reg* data types',
  sql.TYPE_BASES.reg,
  `Stored columns use ${sql.UNSTABLE_REG_TYPES.join('/')} (directly or via a domain, array, composite or range); pg_upgrade cannot keep the OIDs they point to.`,
  'Change them to text (ALTER TABLE ... ALTER COLUMN ... TYPE text) or drop them before upgrading.',
  'no stored column uses an OID-unstable reg* type',
);

const systemComposites = typeUsage(
  'system composite types',
  sql.TYPE_BASES.systemComposite,
  'Stored columns use a system-defined composite type (directly or nested); its OID changes between versions.',
  'Drop the columns or store the values as text/jsonb before upgrading.',
  'no stored column uses a system composite type',
);

const aclitem = typeUsage(
  'aclitem data type',
  sql.TYPE_BASES.aclitem,
  'Stored columns use aclitem (directly or nested); its internal format changed in 16.',
  'Change them to text (col::text) or drop them before upgrading.',
  'no stored column uses aclitem',
  (s) => (s.num < 160000 ? undefined : 'aclitem format is the same from 16 on'),
);

const encodingConversions: PrecheckCheck = {
  name: 'encoding conversions',
  scope: 'database',
  notApplicable: only13,
  async find({ client, database }) {
    return (await client.query(sql.ENCODING_CONVERSIONS)).rows.map(
      (r) =>
        `${database}: ${r.nspname}.${r.conname} (${r.source_encoding} -> ${r.target_encoding}, function ${r.function})`,
    );
  },
  verdict: (found) =>
    blocker(
      'encoding conversions',
      found,
      'User-defined encoding conversions exist; the conversion function signature changed in 14.',
      'DROP CONVERSION each before upgrading; re-create it afterwards with a function using the 14+ signature.',
      'no user-defined encoding conversions',
    ),
};

const postfixOperators: PrecheckCheck = {
  name: 'postfix operators',
  scope: 'database',
  notApplicable: only13,
  async find({ client, database }) {
    return (await client.query(sql.POSTFIX_OPERATORS)).rows.map(
      (r) => `${database}: operator ${r.nspname}.${r.oprname} (${r.left_type}, NONE)`,
    );
  },
  verdict: (found) =>
    blocker(
      'postfix operators',
      found,
      'User-defined postfix operators exist; PostgreSQL 14 removed postfix operators.',
      'Drop them (DROP OPERATOR name (type, NONE)) and use a prefix operator or a function call instead.',
      'no user-defined postfix operators',
    ),
};

const polymorphicFunctions: PrecheckCheck = {
  name: 'polymorphic functions',
  scope: 'database',
  notApplicable: only13,
  async find({ client, database }) {
    return (await client.query(sql.incompatiblePolymorphics())).rows.map(
      (r) => `${database}: ${r.kind} ${r.name} (uses ${r.uses})`,
    );
  },
  verdict: (found) =>
    blocker(
      'polymorphic functions',
      found,
      'User aggregates/operators are built on array functions whose anyarray/anyelement signatures became anycompatible* in 14.',
      'Drop them before upgrading and re-create them afterwards on the new signatures (e.g. array_append(anycompatiblearray, anycompatible)).',
      'no user aggregates or operators on the changed polymorphic functions',
    ),
};

const unsupportedExtensions: PrecheckCheck = {
  name: 'unsupported extensions',
  scope: 'database',
  find: async (ctx) => (await extensions(ctx)).unsupported,
  verdict: (found) =>
    blocker(
      'unsupported extensions',
      found,
      'Extensions that PostgreSQL 16 does not have are installed.',
      'Drop them (DROP EXTENSION name) after moving their uses to the replacement named.',
      'no unsupported extensions',
    ),
};

const postgis: PrecheckCheck<{ line: string; outdated: boolean }> = {
  name: 'PostGIS extensions',
  scope: 'database',
  async find(ctx) {
    const e = await extensions(ctx);
    return [
      ...e.postgisOutdated.map((line) => ({ line, outdated: true })),
      ...e.postgisCurrent.map((line) => ({ line, outdated: false })),
    ];
  },
  verdict(found) {
    const outdated = found.filter((f) => f.outdated).map((f) => f.line);
    const current = found.filter((f) => !f.outdated).map((f) => f.line);
    if (outdated.length) {
      return check(
        'PostGIS extensions',
        'fail',
        'PostGIS-family extensions are behind the newest version this server offers; RDS requires them updated before a major upgrade. Run SELECT postgis_extensions_upgrade(); in each database first.',
        [...outdated, ...current],
      );
    }
    if (current.length) {
      return check(
        'PostGIS extensions',
        'warn',
        'PostGIS-family extensions are installed and current. Confirm RDS 16.9 supports this PostGIS version; after the upgrade run SELECT postgis_extensions_upgrade();',
        current,
      );
    }
    return check('PostGIS extensions', 'pass', 'no PostGIS-family extensions');
  },
};

const pgRepack: PrecheckCheck = {
  name: 'pg_repack',
  scope: 'database',
  find: async (ctx) => (await extensions(ctx)).pgRepack,
  verdict: (found) =>
    blocker(
      'pg_repack',
      found,
      'pg_repack is installed; it must be dropped before a major upgrade.',
      'DROP EXTENSION pg_repack before upgrading; CREATE EXTENSION pg_repack after.',
      'pg_repack is not installed',
    ),
};

const viewsOnPgStatActivity: PrecheckCheck = {
  name: 'views on pg_stat_activity',
  scope: 'database',
  async find({ client, database }) {
    return (await client.query(sql.VIEWS_ON_PG_STAT_ACTIVITY)).rows.map(
      (r) => `${database}: ${RELKIND[r.relkind] ?? r.relkind} ${r.nspname}.${r.relname}`,
    );
  },
  verdict: (found) =>
    blocker(
      'views on pg_stat_activity',
      found,
      "Views depend on pg_stat_activity (directly or through other views); RDS's pre-upgrade check stops on them.",
      'Save their definitions (pg_get_viewdef), drop them before upgrading and re-create them after.',
      'no views depend on pg_stat_activity',
    ),
};

const extensionUpdates: PrecheckCheck = {
  name: 'extension updates',
  scope: 'database',
  find: async (ctx) => (await extensions(ctx)).updateAfter,
  verdict: (found) =>
    found.length
      ? check(
          'extension updates',
          'warn',
          'Extensions are not updated by a major upgrade. After it, run ALTER EXTENSION name UPDATE in each database (validate lists what is still outdated on the target).',
          found,
        )
      : check('extension updates', 'pass', 'no installed extension needs an update for 16.9'),
};

const publicSchema: PrecheckCheck = {
  name: 'public schema privileges',
  scope: 'database',
  async find({ client, database }) {
    const pub = (await client.query(sql.PUBLIC_SCHEMA)).rows[0];
    if (!pub || !pub.public_create) return [];
    const others = (pub.other_owners as string[]).length
      ? `; objects there owned by ${(pub.other_owners as string[]).join(', ')}`
      : '';
    return [`${database}: schema public (owner ${pub.owner}) lets PUBLIC create${others}`];
  },
  verdict: (found) =>
    found.length
      ? check(
          'public schema privileges',
          'warn',
          'PostgreSQL 15 stopped letting PUBLIC create in schema public of new databases. An in-place upgrade keeps these grants, but databases created on 16 (ToolJet creates its ToolJet Database if missing) and dump/restores get the new default: GRANT USAGE, CREATE ON SCHEMA public TO <app user> explicitly where the app creates tables.',
          found,
        )
      : check('public schema privileges', 'pass', 'no database relies on PUBLIC having CREATE on schema public'),
};

const largeObjects: PrecheckCheck<{ line: string; count: number }> = {
  name: 'large objects',
  scope: 'database',
  async find({ client, database }) {
    const count = Number((await client.query(sql.LARGE_OBJECTS)).rows[0].n);
    return count > 0 ? [{ line: `${database}: ${count} large objects`, count }] : [];
  },
  verdict(found, run: PrecheckRun) {
    const total = found.reduce((s, f) => s + f.count, 0);
    const lines = found.map((f) => f.line);
    return total >= run.largeObjectWarnThreshold
      ? check(
          'large objects',
          'warn',
          `${total} large objects: pg_upgrade needs memory for each (AWS: about 32 GB for 25-30 million); size the instance class for the upgrade.`,
          lines,
        )
      : check('large objects', 'pass', `${total} large objects (warning from ${run.largeObjectWarnThreshold})`, lines);
  },
};

/** The per-database checks: what is unknown for a database precheck could not enter. */
const perDatabase = (): string[] => PRECHECK_CHECKS.filter((c) => c.scope === 'database').map((c) => c.name);

const databasesChecked: PrecheckCheck = {
  name: 'databases checked',
  scope: 'cluster',
  verdict(_found, { checked, skipped, server }) {
    // Skipped for reasons with their own blocker (datallowconn = false, invalid), or RDS's own database, which no
    // customer role may enter and which RDS upgrades itself: listed, not failed. Anything else was not checked.
    const own = (s: { name: string; reason: string }): boolean =>
      /datallowconn|invalid database/.test(s.reason) || (s.name === 'rdsadmin' && !!server.rds);
    const unchecked = skipped.filter((s) => !own(s));
    const objects = [
      ...checked.map((d) => `checked: ${d}`),
      ...skipped
        .filter(own)
        .map((s) =>
          s.name === 'rdsadmin' && server.rds
            ? `not checked: rdsadmin (RDS's own database: no customer role may enter it, RDS upgrades it itself)`
            : `not checked: ${s.name} (${s.reason})`,
        ),
      ...unchecked.map((s) => `NOT CHECKED: ${s.name} (${s.reason}); unknown there: ${perDatabase().join(', ')}`),
    ];
    return unchecked.length
      ? check(
          'databases checked',
          'fail',
          `checked ${checked.length} database(s), but ${unchecked.length} could not be checked, so their blockers are unknown: connect as a role allowed into every database (RDS: the master user), or GRANT CONNECT ON DATABASE <name> TO the role precheck uses`,
          objects,
        )
      : check('databases checked', 'pass', `checked ${checked.length} database(s)`, objects);
  },
};

/** What removedInSixteen finds per database: objects depending on what 16 removed (exact), bodies naming it (text). */
type RemovedUse = { line: string; exact: boolean };

const removedInSixteen: PrecheckCheck<RemovedUse> = {
  name: 'objects using what 16 removed',
  scope: 'database',
  notApplicable: (s) => (s.num < 160000 ? undefined : 'the source already is 16 or newer'),
  async find({ client, database }) {
    const r = sql.REMOVED_IN_16;
    const deps = (
      await client.query<{ object: string; what: string }>(sql.USES_OF_REMOVED, [
        r.functions,
        r.operators,
        r.columns.map(([t]) => t),
        r.columns.map(([, c]) => c),
      ])
    ).rows.map((x) => ({ line: `${database}: ${x.object} uses ${x.what}`, exact: true }));
    const bodies = (
      await client.query<{ nspname: string; proname: string; args: string; lanname: string; mentions: string[] }>(
        sql.BODIES_NAMING_REMOVED,
        [sql.removedNamesPattern()],
      )
    ).rows
      .filter((x) => x.mentions.length)
      .map((x) => ({
        line: `${database}: function ${x.nspname}.${x.proname}(${x.args}) (${x.lanname}) mentions ${x.mentions.join(', ')}`,
        exact: false,
      }));
    return [...deps, ...bodies];
  },
  verdict(found) {
    const how =
      'Found from the catalog (the stored expression trees of views, rules, constraints, defaults, indexes, triggers and policies; a text search of function bodies), not by a restore: `tj-pg-upgrade rehearse` replays pg_dump --schema-only into 16.9, the exact check ("schema restore on 16.9").';
    const deps = found.filter((f) => f.exact).map((f) => f.line);
    const bodies = found.filter((f) => !f.exact).map((f) => f.line);
    if (deps.length)
      return check(
        'objects using what 16 removed',
        'fail',
        `Objects use functions, operators or catalog columns that PostgreSQL 14-16 removed (factorial ! !! numeric_fac, geometric @ and ~, pg_start_backup/pg_stop_backup, datlastsysoid, ...): the schema restore into 16 fails on them. Rewrite them first (n! -> factorial(n), a @ b -> a <@ b, a ~ b -> a @> b, pg_start_backup -> pg_backup_start). ${how}`,
        [...deps, ...bodies],
      );
    if (bodies.length)
      return check(
        'objects using what 16 removed',
        'warn',
        `Function bodies name functions or operators that PostgreSQL 14-16 removed: the restore succeeds (bodies are not checked then), the call fails on 16. Rewrite them. ${how}`,
        bodies,
      );
    return check('objects using what 16 removed', 'pass', `no object uses what 14-16 removed. ${how}`);
  },
};

const unloggedTables: PrecheckCheck = {
  name: 'unlogged tables',
  scope: 'database',
  async find({ client, database }) {
    return (
      await client.query<{ nspname: string; relname: string; relkind: string; estimated_rows: string | null }>(
        sql.UNLOGGED_TABLES,
      )
    ).rows.map(
      (r) =>
        `${database}: ${RELKIND[r.relkind] ?? r.relkind} ${r.nspname}.${r.relname}${r.estimated_rows !== null && Number(r.estimated_rows) >= 0 ? ` (about ${r.estimated_rows} rows)` : ''}`,
    );
  },
  verdict: (found) =>
    found.length
      ? check(
          'unlogged tables',
          'warn',
          'Unlogged tables are not in the WAL: crash recovery, and so a restored snapshot (the clone) or a replica, starts with them EMPTY. validate will then fail their rows. Make them logged first (ALTER TABLE ... SET LOGGED) if their rows must survive, or accept that they come back empty.',
          found,
        )
      : check('unlogged tables', 'pass', 'no unlogged tables'),
};

/**
 * Replaying pg_dump --schema-only into a scratch database on a 16.9 server: the exact schema-restore check. Run
 * only when the caller has a 16.9 server (rehearse); find() gets nothing to do otherwise, and the verdict says so.
 */
const schemaRestore: PrecheckCheck<{ line: string; failed: boolean; ran: boolean }> = {
  name: 'schema restore on 16.9',
  scope: 'cluster',
  async find(ctx) {
    const replay = ctx.replay;
    if (!replay) return [{ line: '', failed: false, ran: false }];
    const out: { line: string; failed: boolean; ran: boolean }[] = [];
    for (const d of ctx.databases) {
      if (d.datname === 'template0' || !d.datallowconn || Number(d.datconnlimit) === -2) continue;
      const r = await replay(d.datname);
      out.push({ line: `${d.datname}: ${r.ok ? 'restored' : r.error}`, failed: !r.ok, ran: true });
    }
    return out;
  },
  verdict(found) {
    if (!found.some((f) => f.ran))
      return check(
        'schema restore on 16.9',
        'pass',
        'not run: precheck alone has no 16.9 server to restore into, so "objects using what 16 removed" was checked from the catalog instead; `tj-pg-upgrade rehearse` replays pg_dump --schema-only of every database into 16.9 (the exact check)',
      );
    const failed = found.filter((f) => f.failed).map((f) => f.line);
    return failed.length
      ? check(
          'schema restore on 16.9',
          'fail',
          'pg_dump --schema-only of the source, replayed into a scratch database on PostgreSQL 16.9 (one transaction, ON_ERROR_STOP), failed: the upgrade would fail the same way. Fix the object named in the error.',
          [...failed, ...found.filter((f) => !f.failed).map((f) => f.line)],
        )
      : check(
          'schema restore on 16.9',
          'pass',
          `pg_dump --schema-only of ${found.length} database(s) replayed into scratch databases on PostgreSQL 16.9 without an error (the exact check)`,
          found.map((f) => f.line),
        );
  },
};

export const PRECHECK_CHECKS: readonly PrecheckCheck<unknown>[] = [
  sourceVersion,
  preparedTransactions,
  connectionSettings,
  invalidDatabases,
  replicationSlots,
  regTypes,
  systemComposites,
  aclitem,
  encodingConversions,
  postfixOperators,
  polymorphicFunctions,
  unsupportedExtensions,
  postgis,
  pgRepack,
  viewsOnPgStatActivity,
  removedInSixteen,
  schemaRestore,
  extensionUpdates,
  publicSchema,
  largeObjects,
  unloggedTables,
  databasesChecked,
];
