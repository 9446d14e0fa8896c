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

export interface TableRef {
  schema: string;
  name: string;
  kind: 'table' | 'materialized view';
  /** Column names sorted by code point. */
  columns: string[];
  /** Size estimate used to start big tables first. */
  pages: number;
  /** False for materialized views that were never populated (they cannot be read). */
  populated: boolean;
}

export interface TableSums {
  rows: number;
  /** Sum of the row hashes, as decimal text (numeric). */
  sum: string;
  ms: number;
}

export interface TableComparison {
  table: string;
  source?: TableSums;
  target?: TableSums;
  /** Why the table was not compared (missing on one side, columns differ, not populated). */
  skipped?: string;
}

export const key = (t: { schema: string; name: string }): string => `${t.schema}.${t.name}`;

/** Tables and materialized views whose rows are compared (partitioned parents are covered by their partitions). */
export const TABLES_SQL = `
SELECT n.nspname AS schema, c.relname AS name, c.relkind::text AS relkind, c.relpages::int8 AS pages, c.relispopulated AS populated,
       coalesce(array_agg(a.attname::text) FILTER (WHERE a.attname IS NOT NULL), '{}') AS columns
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE c.relkind IN ('r', 'm')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_temp_' AND n.nspname !~ '^pg_toast'
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x WHERE x.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND x.objid = c.oid AND x.deptype = 'e')
GROUP BY n.nspname, c.relname, c.relkind, c.relpages, c.relispopulated`;

const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export async function listTables(client: Client): Promise<Map<string, TableRef>> {
  const rows = (await client.query(TABLES_SQL)).rows;
  const out = new Map<string, TableRef>();
  for (const r of rows) {
    const t: TableRef = {
      schema: r.schema,
      name: r.name,
      kind: r.relkind === 'm' ? 'materialized view' : 'table',
      columns: [...(r.columns as string[])].sort(byCodePoint),
      pages: Number(r.pages),
      populated: r.populated !== false,
    };
    out.set(key(t), t);
  }
  return out;
}

/** The checksum query for one table: count and sum of hashtextextended(ROW(columns in name order)::text, 0). */
export function checksumSql(t: Pick<TableRef, 'schema' | 'name' | 'columns'>): string {
  const row = `ROW(${t.columns.map((c) => `t.${qi(c)}`).join(', ')})`;
  return `SELECT count(*)::int8 AS n, coalesce(sum(pg_catalog.hashtextextended(${row}::text, 0)), 0)::text AS s FROM ONLY ${qi(t.schema)}.${qi(t.name)} AS t`;
}

/**
 * Count and hash sum of one table. Runs inside a savepoint so that a table this role may not read fails alone
 * (the error is returned) and the session's snapshot transaction stays usable.
 */
export async function tableSums(
  client: Client,
  t: Pick<TableRef, 'schema' | 'name' | 'columns'>,
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
    const r = (await client.query(checksumSql(t))).rows[0];
    if (savepoint) await client.query('RELEASE SAVEPOINT tj_table');
    return { rows: Number(r.n), sum: String(r.s), ms: Date.now() - started };
  } catch (err) {
    if (savepoint) await client.query('ROLLBACK TO SAVEPOINT tj_table');
    return { error: (err as Error).message };
  }
}

/** Which tables to compare, in the order to start them (largest first), and which cannot be compared and why. */
export function planComparison(
  source: Map<string, TableRef>,
  target: Map<string, TableRef>,
): { work: TableRef[]; skipped: TableComparison[] } {
  const work: TableRef[] = [];
  const skipped: TableComparison[] = [];
  for (const [k, s] of source) {
    const t = target.get(k);
    if (!t) skipped.push({ table: k, skipped: 'missing on target' });
    else if (s.columns.join('\u0000') !== t.columns.join('\u0000'))
      skipped.push({ table: k, skipped: 'columns differ (see schema columns)' });
    else if (!s.populated || !t.populated)
      skipped.push({ table: k, skipped: `materialized view not populated on ${!s.populated ? 'source' : 'target'}` });
    else work.push(s);
  }
  for (const k of target.keys()) if (!source.has(k)) skipped.push({ table: k, skipped: 'extra on target' });
  work.sort((a, b) => b.pages - a.pages || byCodePoint(key(a), key(b)));
  return { work, skipped };
}
