// `tj-pg-upgrade precheck`: everything pg_upgrade --check (old cluster 13, new 16) and RDS's pre-upgrade check stop
// on, plus warnings, read from a live PostgreSQL 13 cluster. Cluster-wide checks run once; per-database checks run
// in every database that accepts connections. Every query runs inside a READ ONLY transaction; nothing is written.
import { Client } from 'pg';
import { connect, ConnectionError, ConnectionTarget, resolveTarget, withDatabase } from '../../lib/pg/connection';
import { check, CheckResult, exitCodeFor } from '../report';
import { READ_ONLY } from '../settings';
import { classifyExtensions, InstalledExtension } from './extensions';
import * as sql from './sql';

export interface PrecheckOptions {
  /** libpq URL / keyword string (PG* environment fills the gaps), or an already resolved target. */
  source: string | ConnectionTarget | undefined;
  /** Accept plain-text connections for sslmode disable/allow/prefer. */
  insecure?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Total large objects at or above which a warning is raised (default 1,000,000). */
  largeObjectWarnThreshold?: number;
  /** Progress messages (the CLI prints them to stderr). */
  onProgress?: (message: string) => void;
}

export interface PrecheckResult {
  source: { display: string; version: string; versionNum: number; user: string; superuser: boolean };
  databases: { checked: string[]; skipped: { name: string; reason: string }[] };
  checks: CheckResult[];
  notices: string[];
  exitCode: 0 | 1;
}

const RELKIND: Record<string, string> = { r: 'table', m: 'materialized view', i: 'index', v: 'view', p: 'partitioned table' };

/** Findings collected per check across databases. */
class Findings {
  private map = new Map<string, string[]>();
  add(id: string, ...objects: string[]): void {
    const list = this.map.get(id) ?? [];
    list.push(...objects);
    this.map.set(id, list);
  }
  get(id: string): string[] {
    return this.map.get(id) ?? [];
  }
}

async function readOnly<T>(client: Client, fn: () => Promise<T>): Promise<T> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    return await fn();
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
  }
}

/** Per-database checks: appends to `f`. */
async function checkDatabase(client: Client, db: string, versionNum: number, f: Findings): Promise<void> {
  const col = (r: { nspname: string; relname: string; attname: string; relkind: string; type: string }): string =>
    `${db}: ${r.nspname}.${r.relname}.${r.attname} (${r.type}${r.relkind !== 'r' ? `, in ${RELKIND[r.relkind] ?? r.relkind}` : ''})`;
  await readOnly(client, async () => {
    for (const r of (await client.query(sql.columnsUsingTypes(sql.TYPE_BASES.reg))).rows) f.add('reg', col(r));
    for (const r of (await client.query(sql.columnsUsingTypes(sql.TYPE_BASES.systemComposite))).rows) f.add('composite', col(r));
    if (versionNum < 160000) {
      for (const r of (await client.query(sql.columnsUsingTypes(sql.TYPE_BASES.aclitem))).rows) f.add('aclitem', col(r));
    }
    if (versionNum < 140000) {
      for (const r of (await client.query(sql.ENCODING_CONVERSIONS)).rows) {
        f.add('conversions', `${db}: ${r.nspname}.${r.conname} (${r.source_encoding} -> ${r.target_encoding}, function ${r.function})`);
      }
      for (const r of (await client.query(sql.POSTFIX_OPERATORS)).rows) {
        f.add('postfix', `${db}: operator ${r.nspname}.${r.oprname} (${r.left_type}, NONE)`);
      }
      for (const r of (await client.query(sql.incompatiblePolymorphics())).rows) {
        f.add('polymorphics', `${db}: ${r.kind} ${r.name} (uses ${r.uses})`);
      }
    }
    const ext = classifyExtensions(db, (await client.query<InstalledExtension>(sql.EXTENSIONS)).rows);
    f.add('ext-unsupported', ...ext.unsupported);
    f.add('postgis-outdated', ...ext.postgisOutdated);
    f.add('postgis-current', ...ext.postgisCurrent);
    f.add('pg_repack', ...ext.pgRepack);
    f.add('ext-update', ...ext.updateAfter);
    for (const r of (await client.query(sql.VIEWS_ON_PG_STAT_ACTIVITY)).rows) {
      f.add('stat-activity', `${db}: ${RELKIND[r.relkind] ?? r.relkind} ${r.nspname}.${r.relname}`);
    }
    const pub = (await client.query(sql.PUBLIC_SCHEMA)).rows[0];
    if (pub && pub.public_create) {
      const others = (pub.other_owners as string[]).length ? `; objects there owned by ${(pub.other_owners as string[]).join(', ')}` : '';
      f.add('public-schema', `${db}: schema public (owner ${pub.owner}) lets PUBLIC create${others}`);
    }
    const lo = Number((await client.query(sql.LARGE_OBJECTS)).rows[0].n);
    if (lo > 0) f.add('large-objects', `${db}: ${lo} large objects`);
  });
}

/** Runs every pre-upgrade check against the source cluster. Connection problems reject with ConnectionError. */
export async function runPrecheck(opts: PrecheckOptions): Promise<PrecheckResult> {
  const progress = opts.onProgress ?? (() => undefined);
  const target =
    typeof opts.source === 'object' && opts.source
      ? opts.source
      : resolveTarget(opts.source, { env: opts.env, insecure: opts.insecure, applicationName: 'tj-pg-upgrade precheck' });
  const threshold = opts.largeObjectWarnThreshold ?? 1_000_000;
  const f = new Findings();
  const checked: string[] = [];
  const skipped: { name: string; reason: string }[] = [];

  progress(`connecting to ${target.display}`);
  const main = await connect(target, { settings: READ_ONLY });
  let server: { version: string; num: number; user: string; superuser: boolean };
  let databases: { datname: string; datallowconn: boolean; datconnlimit: number }[];
  try {
    ({ server, databases } = await readOnly(main, async () => {
      const s = (await main.query(sql.SERVER)).rows[0];
      const dbs = (await main.query(sql.DATABASES)).rows;
      for (const r of (await main.query(sql.PREPARED_TRANSACTIONS)).rows) {
        f.add('prepared', `gid '${r.gid}' in database ${r.database} (owner ${r.owner}, prepared ${r.prepared})`);
      }
      for (const r of (await main.query(sql.LOGICAL_SLOTS)).rows) {
        f.add('slots', `slot ${r.slot_name} (${r.slot_type}, plugin ${r.plugin}, database ${r.database}${r.active ? ', active' : ''})`);
      }
      return { server: { version: s.version, num: s.num, user: s.user, superuser: !!s.superuser }, databases: dbs };
    }));

    for (const d of databases) {
      if (d.datname === 'template0') {
        if (d.datallowconn) f.add('datallowconn', `template0 allows connections`);
        continue;
      }
      if (Number(d.datconnlimit) === -2) {
        f.add('invalid', `database ${d.datname}`);
        skipped.push({ name: d.datname, reason: 'invalid database (interrupted DROP DATABASE)' });
        continue;
      }
      if (!d.datallowconn) {
        f.add('datallowconn', `database ${d.datname} does not allow connections`);
        skipped.push({ name: d.datname, reason: 'datallowconn = false' });
        continue;
      }
      progress(`checking database ${d.datname}`);
      let client: Client | undefined;
      try {
        client = d.datname === target.database ? main : await connect(withDatabase(target, d.datname), { settings: READ_ONLY });
        await checkDatabase(client, d.datname, server.num, f);
        checked.push(d.datname);
      } catch (err) {
        if (!(err instanceof ConnectionError)) throw err;
        skipped.push({ name: d.datname, reason: err.message });
      } finally {
        if (client && client !== main) await client.end().catch(() => undefined);
      }
    }
  } finally {
    await main.end().catch(() => undefined);
  }

  const checks = buildChecks(f, server, checked, skipped, threshold);
  return {
    source: { display: target.display, version: server.version, versionNum: server.num, user: server.user, superuser: server.superuser },
    databases: { checked, skipped },
    checks,
    notices: target.notices,
    exitCode: exitCodeFor(checks),
  };
}

function blocker(name: string, found: string[], what: string, action: string, none: string): CheckResult {
  return found.length ? check(name, 'fail', `${what} ${action}`, found) : check(name, 'pass', none);
}

function buildChecks(
  f: Findings,
  server: { version: string; num: number },
  checked: string[],
  skipped: { name: string; reason: string }[],
  loThreshold: number,
): CheckResult[] {
  const major = Math.floor(server.num / 10000);
  const out: CheckResult[] = [];
  const only13 = server.num < 140000;
  const notApplicable = (name: string, why: string): CheckResult => check(name, 'pass', `not applicable: ${why} (source is ${server.version})`);

  if (major === 13) out.push(check('source version', 'pass', `PostgreSQL ${server.version}: checks for an upgrade 13 -> 16`));
  else if (major >= 16) out.push(check('source version', 'warn', `PostgreSQL ${server.version} is already 16 or newer: there is no 13 -> 16 upgrade to check`));
  else out.push(check('source version', 'warn', `PostgreSQL ${server.version}: these checks are written for a 13 source; results for ${major} may be incomplete`));

  out.push(blocker('prepared transactions', f.get('prepared'),
    'Prepared transactions exist (pg_upgrade refuses while any is open).',
    "Finish each: COMMIT PREPARED 'gid' or ROLLBACK PREPARED 'gid', connected to its database.",
    'no prepared transactions in the cluster'));
  out.push(blocker('database connection settings', f.get('datallowconn'),
    'pg_upgrade needs template0 to refuse connections and every other database to accept them.',
    'Fix with ALTER DATABASE name ALLOW_CONNECTIONS true (or drop the database); template0: ALLOW_CONNECTIONS false.',
    'template0 refuses connections, every other database accepts them'));
  out.push(blocker('invalid databases', f.get('invalid'),
    'Databases left invalid by an interrupted DROP DATABASE (datconnlimit = -2); RDS refuses to upgrade with them.',
    'Finish the drop: DROP DATABASE name.',
    'no invalid databases'));
  out.push(blocker('logical replication slots', f.get('slots'),
    'Logical replication slots exist; RDS requires them dropped before a major upgrade (they survive upgrades only from 17).',
    "Drop each: SELECT pg_drop_replication_slot('name'); re-create subscriptions after the upgrade.",
    'no logical replication slots'));
  out.push(blocker('reg* data types', f.get('reg'),
    `Stored columns use ${sql.UNSTABLE_REG_TYPES.join('/')} (directly or via a domain, array, composite or range); pg_upgrade cannot keep the OIDs they point to.`,
    'Change them to text (ALTER TABLE ... ALTER COLUMN ... TYPE text) or drop them before upgrading.',
    'no stored column uses an OID-unstable reg* type'));
  out.push(blocker('system composite types', f.get('composite'),
    'Stored columns use a system-defined composite type (directly or nested); its OID changes between versions.',
    'Drop the columns or store the values as text/jsonb before upgrading.',
    'no stored column uses a system composite type'));
  out.push(server.num < 160000
    ? blocker('aclitem data type', f.get('aclitem'),
      "Stored columns use aclitem (directly or nested); its internal format changed in 16.",
      'Change them to text (col::text) or drop them before upgrading.',
      'no stored column uses aclitem')
    : notApplicable('aclitem data type', 'aclitem format is the same from 16 on'));
  if (only13) {
    out.push(blocker('encoding conversions', f.get('conversions'),
      'User-defined encoding conversions exist; the conversion function signature changed in 14.',
      'DROP CONVERSION each before upgrading; re-create it afterwards with a function using the 14+ signature.',
      'no user-defined encoding conversions'));
    out.push(blocker('postfix operators', f.get('postfix'),
      'User-defined postfix operators exist; PostgreSQL 14 removed postfix operators.',
      'Drop them (DROP OPERATOR name (type, NONE)) and use a prefix operator or a function call instead.',
      'no user-defined postfix operators'));
    out.push(blocker('polymorphic functions', f.get('polymorphics'),
      'User aggregates/operators are built on array functions whose anyarray/anyelement signatures became anycompatible* in 14.',
      'Drop them before upgrading and re-create them afterwards on the new signatures (e.g. array_append(anycompatiblearray, anycompatible)).',
      'no user aggregates or operators on the changed polymorphic functions'));
  } else {
    out.push(notApplicable('encoding conversions', 'only sources up to 13 are affected'));
    out.push(notApplicable('postfix operators', 'only sources up to 13 are affected'));
    out.push(notApplicable('polymorphic functions', 'only sources up to 13 are affected'));
  }
  out.push(blocker('unsupported extensions', f.get('ext-unsupported'),
    'Extensions that PostgreSQL 16 does not have are installed.',
    'Drop them (DROP EXTENSION name) after moving their uses to the replacement named.',
    'no unsupported extensions'));
  const outdated = f.get('postgis-outdated');
  const current = f.get('postgis-current');
  out.push(outdated.length
    ? check('PostGIS extensions', 'fail', 'PostGIS-family extensions are behind the newest version this server offers; RDS requires them updated before a major upgrade. Run SELECT postgis_extensions_upgrade(); in each database first.', [...outdated, ...current])
    : current.length
      ? check('PostGIS extensions', 'warn', 'PostGIS-family extensions are installed and current. Confirm RDS 16.9 supports this PostGIS version; after the upgrade run SELECT postgis_extensions_upgrade();', current)
      : check('PostGIS extensions', 'pass', 'no PostGIS-family extensions'));
  out.push(blocker('pg_repack', f.get('pg_repack'),
    'pg_repack is installed; it must be dropped before a major upgrade.',
    'DROP EXTENSION pg_repack before upgrading; CREATE EXTENSION pg_repack after.',
    'pg_repack is not installed'));
  out.push(blocker('views on pg_stat_activity', f.get('stat-activity'),
    "Views depend on pg_stat_activity (directly or through other views); RDS's pre-upgrade check stops on them.",
    'Save their definitions (pg_get_viewdef), drop them before upgrading and re-create them after.',
    'no views depend on pg_stat_activity'));

  const upd = f.get('ext-update');
  out.push(upd.length
    ? check('extension updates', 'warn', 'Extensions are not updated by a major upgrade. After it, run ALTER EXTENSION name UPDATE in each database (validate lists what is still outdated on the target).', upd)
    : check('extension updates', 'pass', 'no installed extension needs an update for 16.9'));
  const pub = f.get('public-schema');
  out.push(pub.length
    ? check('public schema privileges', 'warn', "PostgreSQL 15 stopped letting PUBLIC create in schema public of new databases. An in-place upgrade keeps these grants, but databases created on 16 (ToolJet creates its ToolJet Database if missing) and dump/restores get the new default: GRANT USAGE, CREATE ON SCHEMA public TO <app user> explicitly where the app creates tables.", pub)
    : check('public schema privileges', 'pass', 'no database relies on PUBLIC having CREATE on schema public'));
  const lo = f.get('large-objects');
  const total = lo.reduce((s, o) => s + Number(/: (\d+) large objects/.exec(o)?.[1] ?? 0), 0);
  out.push(total >= loThreshold
    ? check('large objects', 'warn', `${total} large objects: pg_upgrade needs memory for each (AWS: about 32 GB for 25-30 million); size the instance class for the upgrade.`, lo)
    : check('large objects', 'pass', `${total} large objects (warning from ${loThreshold})`, lo));
  out.push(skipped.some((s) => !/datallowconn|invalid database/.test(s.reason))
    ? check('databases checked', 'warn', `checked ${checked.length} database(s); some could not be checked: connect as a role allowed into every database (RDS: the master user; rdsadmin is RDS-internal and expected here)`, [...checked.map((d) => `checked: ${d}`), ...skipped.map((s) => `not checked: ${s.name} (${s.reason})`)])
    : check('databases checked', 'pass', `checked ${checked.length} database(s)`, [...checked.map((d) => `checked: ${d}`), ...skipped.map((s) => `not checked: ${s.name} (${s.reason})`)]));
  return out;
}
