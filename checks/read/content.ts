// Row counts and order-independent content checksums, computed on the server so only two numbers per table cross
// the wire. Per table: count(*) and the SUM of a 64-bit hash of each row's text form.
//
// Why a sum and not XOR: XOR cancels pairs, so two identical rows (or a duplicated row added twice) would vanish;
// a sum counts every row, and any single changed, missing or extra row shifts it unless two 64-bit hashes collide.
// The row text is built from the columns in name order (ROW(c1, c2, ...)::text), not t::text, so a table whose
// physical column order differs (e.g. a partition re-created by pg_dump) still compares equal. The hash is
// hashtextextended(text, 0), the server's own 64-bit hash (PostgreSQL 11+); tests prove it is identical on 13.21
// and 16.9 for the same bytes. Session settings that change text forms are pinned (see session.ts).
import type { Client } from 'pg';
import { qi } from '../session';
import { qualified } from './names';

export interface TableRef {
  schema: string;
  name: string;
  kind: 'table' | 'materialized view';
  /** Column names sorted by code point. */
  columns: string[];
  /** The columns of type bytea (or a domain over it): hashed from their bytes when rows are hashed per column. */
  byteaColumns?: string[];
  /** Size estimate used to start big tables first. */
  pages: number;
  /** False for materialized views that were never populated (they cannot be read). */
  populated: boolean;
  /**
   * Set when row-level security would hide rows of this table from the validating role (RLS enabled and the role
   * neither its owner nor BYPASSRLS, or FORCE ROW LEVEL SECURITY for a role without BYPASSRLS): the fix, in one line.
   */
  hidden?: string;
}

export interface TableSums {
  rows: number;
  /** Sum of the row hashes, as decimal text (numeric). */
  sum: string;
  ms: number;
  /** How rows were hashed: whole row text (the default), or per column (rows too big for one text value). */
  hashing?: 'row' | 'columns';
}

export interface TableComparison {
  table: string;
  source?: TableSums;
  target?: TableSums;
  /** Why the table was not compared (missing on one side, columns differ, not readable, hidden by RLS). */
  skipped?: string;
  /** Nothing to compare and nothing missing: a materialized view populated on neither side. */
  note?: string;
}

/** The table's name as keys and reports show it (read/names.ts: unambiguous whatever the names contain). */
export const key = (t: { schema: string; name: string }): string => qualified(t.schema, t.name);

/** Tables and materialized views whose rows are compared (partitioned parents are covered by their partitions). */
export const TABLES_SQL = `
WITH me AS (SELECT r.rolsuper OR r.rolbypassrls AS bypass FROM pg_catalog.pg_roles r WHERE r.rolname = current_user)
SELECT n.nspname AS schema, c.relname AS name, c.relkind::text AS relkind, c.relpages::int8 AS pages, c.relispopulated AS populated,
       coalesce(array_agg(a.attname::text) FILTER (WHERE a.attname IS NOT NULL), '{}') AS columns,
       coalesce(array_agg(a.attname::text) FILTER (WHERE a.attname IS NOT NULL AND
         (SELECT coalesce(nullif(ty.typbasetype, 0), ty.oid) FROM pg_catalog.pg_type ty WHERE ty.oid = a.atttypid) = 'pg_catalog.bytea'::pg_catalog.regtype), '{}') AS bytea_columns,
       c.relrowsecurity AND NOT (SELECT bypass FROM me)
         AND (c.relforcerowsecurity OR NOT pg_catalog.pg_has_role(c.relowner, 'USAGE')) AS hidden,
       c.relforcerowsecurity AS forced, pg_catalog.pg_get_userbyid(c.relowner) AS owner, current_user AS me
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE c.relkind IN ('r', 'm')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_temp_' AND n.nspname !~ '^pg_toast'
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x WHERE x.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND x.objid = c.oid AND x.deptype = 'e')
GROUP BY n.nspname, c.relname, c.relkind, c.relpages, c.relispopulated, c.relrowsecurity, c.relforcerowsecurity, c.relowner`;

const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The one-line fix when row-level security hides rows of a table from the validating role. */
export function hiddenByRls(me: string, owner: string, forced: boolean): string {
  return forced
    ? `row-level security is forced on this table (FORCE ROW LEVEL SECURITY), so ${me} sees only the rows its policies allow: validate as a role with BYPASSRLS (or a superuser)`
    : `row-level security hides rows from ${me}, which neither owns the table nor has BYPASSRLS: validate as the owner (${owner}) or a role with BYPASSRLS`;
}

export async function listTables(client: Client): Promise<Map<string, TableRef>> {
  const rows = (await client.query(TABLES_SQL)).rows;
  const out = new Map<string, TableRef>();
  for (const r of rows) {
    const t: TableRef = {
      schema: r.schema,
      name: r.name,
      kind: r.relkind === 'm' ? 'materialized view' : 'table',
      columns: [...(r.columns as string[])].sort(byCodePoint),
      byteaColumns: [...(r.bytea_columns as string[])].sort(byCodePoint),
      pages: Number(r.pages),
      populated: r.populated !== false,
    };
    if (r.hidden) t.hidden = hiddenByRls(r.me, r.owner, r.forced);
    out.set(key(t), t);
  }
  return out;
}

/**
 * The 64-bit hash of one row of `t` (alias t), as SQL.
 * - 'row': hashtextextended(ROW(columns in name order)::text, 0): one text value per row, the fast way.
 * - 'columns': each column hashed on its own (bytea from its bytes, md5, never as hex text), then the row of those
 *   hashes hashed. For rows whose text form would exceed 1 GB ("invalid memory alloc request size"): no value
 *   larger than one column is ever built. Both sides of one table always use the same form.
 */
export function rowHashSql(t: Pick<TableRef, 'columns' | 'byteaColumns'>, hashing: 'row' | 'columns' = 'row'): string {
  if (hashing === 'row')
    return `pg_catalog.hashtextextended(ROW(${t.columns.map((c) => `t.${qi(c)}`).join(', ')})::text, 0)`;
  const bytea = new Set(t.byteaColumns ?? []);
  const parts = t.columns.map((c) =>
    bytea.has(c)
      ? `pg_catalog.hashtextextended(pg_catalog.md5(t.${qi(c)}), 0)`
      : `pg_catalog.hashtextextended(t.${qi(c)}::text, 0)`,
  );
  return `pg_catalog.hashtextextended(ROW(${parts.join(', ')})::text, 0)`;
}

/** The checksum query for one table: count and sum of the row hashes (rowHashSql). */
export function checksumSql(
  t: Pick<TableRef, 'schema' | 'name' | 'columns' | 'byteaColumns'>,
  hashing: 'row' | 'columns' = 'row',
): string {
  return `SELECT count(*)::int8 AS n, coalesce(sum(${rowHashSql(t, hashing)}), 0)::text AS s FROM ONLY ${qi(t.schema)}.${qi(t.name)} AS t`;
}

/** The server could not build a row's text form: over 1 GB (MaxAllocSize) or out of memory. */
export function isRowTooBig(error: string): boolean {
  return /invalid memory alloc request size|Cannot enlarge string buffer|out of memory/i.test(error);
}

/**
 * Count and hash sum of one table. Runs inside a savepoint so that a table this role may not read fails alone
 * (the error is returned) and the session's snapshot transaction stays usable.
 */
export async function tableSums(
  client: Client,
  t: Pick<TableRef, 'schema' | 'name' | 'columns' | 'byteaColumns'>,
  hashing: 'row' | 'columns' = 'row',
): Promise<TableSums | { error: string }> {
  const started = Date.now();
  let savepoint = true;
  try {
    await client.query('SAVEPOINT tj_table');
  } catch (err) {
    // 25P01: not in a transaction block (a plain session); then an error cannot hurt anything else.
    if ((err as { code?: string }).code !== '25P01') throw err;
    savepoint = false;
  }
  try {
    const r = (await client.query(checksumSql(t, hashing))).rows[0];
    if (savepoint) await client.query('RELEASE SAVEPOINT tj_table');
    return { rows: Number(r.n), sum: String(r.s), ms: Date.now() - started, hashing };
  } catch (err) {
    if (savepoint) await client.query('ROLLBACK TO SAVEPOINT tj_table');
    return { error: (err as Error).message };
  }
}

/**
 * Count and hash sum of one table on both sides: whole rows first; if either side cannot build a row's text (over
 * 1 GB), both sides again per column, so the two sums always come from the same form.
 */
export async function pairSums(
  source: Client,
  target: Client,
  t: TableRef,
): Promise<[TableSums | { error: string }, TableSums | { error: string }]> {
  const first = await Promise.all([tableSums(source, t), tableSums(target, t)]);
  if (!first.some((x) => 'error' in x && isRowTooBig(x.error))) return first;
  return Promise.all([tableSums(source, t, 'columns'), tableSums(target, t, 'columns')]);
}

/** Which tables to compare, in the order to start them (largest first), and which cannot be compared and why. */
export function planComparison(
  source: Map<string, TableRef>,
  target: Map<string, TableRef>,
): { work: TableRef[]; skipped: TableComparison[]; empty: TableComparison[] } {
  const work: TableRef[] = [];
  const skipped: TableComparison[] = [];
  const empty: TableComparison[] = [];
  for (const [k, s] of source) {
    const t = target.get(k);
    if (!t) skipped.push({ table: k, skipped: 'missing on target' });
    else if (s.columns.join('\u0000') !== t.columns.join('\u0000'))
      skipped.push({ table: k, skipped: 'columns differ (see schema columns)' });
    else if (!s.populated && !t.populated)
      empty.push({ table: k, note: 'materialized view populated on neither side: no rows to compare' });
    else if (!s.populated || !t.populated)
      skipped.push({ table: k, skipped: `materialized view not populated on ${!s.populated ? 'source' : 'target'}` });
    else if (s.hidden) skipped.push({ table: k, skipped: `on the source: ${s.hidden}` });
    else if (t.hidden) skipped.push({ table: k, skipped: `on the target: ${t.hidden}` });
    else work.push(s);
  }
  for (const k of target.keys()) if (!source.has(k)) skipped.push({ table: k, skipped: 'extra on target' });
  work.sort((a, b) => b.pages - a.pages || byCodePoint(key(a), key(b)));
  return { work, skipped, empty };
}
