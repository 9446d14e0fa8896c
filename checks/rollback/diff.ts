// Which rows differ between the clone and the source, table by table, exactly and without moving whole tables:
// 1. count + sum of row hashes per table (as validate does): equal means identical, nothing more is read;
// 2. for a table that differs, the same two numbers per bucket (the low 10 bits of each row hash), so only the
//    buckets that differ are looked at;
// 3. in those buckets, the row hashes with their multiplicity on both sides; the multiset difference is the number
//    of rows only on the clone (inserted, or the new version of an updated row) and only on the source (deleted, or
//    the old version). An UPDATE therefore counts once on each side.
// The row hash is validate's (read/content.ts rowHashSql: the row's text form, or per column for rows over 1 GB)
// under pinned settings.
import type { Client } from 'pg';
import { key, pairSums, rowHashSql as rowHash, TableRef, TableSums } from '../read/content';
import { qi } from '../session';

type Hashing = 'row' | 'columns';

export const BUCKET_BITS = 10;
const BUCKETS = 1 << BUCKET_BITS;

function from(t: Pick<TableRef, 'schema' | 'name'>): string {
  return `ONLY ${qi(t.schema)}.${qi(t.name)} AS t`;
}

/** Per bucket: count and hash sum (as text), only buckets that hold rows. */
export function bucketSql(
  t: Pick<TableRef, 'schema' | 'name' | 'columns' | 'byteaColumns'>,
  hashing: Hashing = 'row',
): string {
  return `SELECT (h & ${BUCKETS - 1})::int AS b, count(*)::int8 AS n, sum(h)::text AS s FROM (SELECT ${rowHash(t, hashing)} AS h FROM ${from(t)}) x GROUP BY 1`;
}

/** Row hashes with multiplicity in the given buckets. */
export function rowHashSql(
  t: Pick<TableRef, 'schema' | 'name' | 'columns' | 'byteaColumns'>,
  hashing: Hashing = 'row',
): string {
  return `SELECT h::text AS h, count(*)::int8 AS n FROM (SELECT ${rowHash(t, hashing)} AS h FROM ${from(t)}) x WHERE (h & ${BUCKETS - 1})::int = ANY($1::int[]) GROUP BY h`;
}

export interface RowDelta {
  cloneRows: number;
  sourceRows: number;
  /** Rows on the clone that the source does not have (multiset difference). */
  onlyOnClone: number;
  /** Rows on the source that the clone does not have. */
  onlyOnSource: number;
}

async function buckets(c: Client, t: TableRef, hashing: Hashing): Promise<Map<number, string>> {
  const m = new Map<number, string>();
  for (const r of (await c.query(bucketSql(t, hashing))).rows) m.set(Number(r.b), `${r.n}:${r.s}`);
  return m;
}

async function rowHashes(c: Client, t: TableRef, which: number[], hashing: Hashing): Promise<Map<string, number>> {
  const m = new Map<string, number>();
  if (!which.length) return m;
  for (const r of (await c.query(rowHashSql(t, hashing), [which])).rows) m.set(String(r.h), Number(r.n));
  return m;
}

/** Count and hash sum on both sides (pairSums: per column on both when a row is too big for one text value). */
async function sums(
  clone: Client,
  source: Client,
  t: TableRef,
): Promise<{ hashing: Hashing; c: TableSums; s: TableSums }> {
  const [c, s] = await pairSums(clone, source, t);
  if ('error' in c) throw new Error(`${key(t)} on the clone: ${c.error}`);
  if ('error' in s) throw new Error(`${key(t)} on the source: ${s.error}`);
  return { hashing: c.hashing ?? 'row', c, s };
}

/** Exact row delta of one table between the clone and the source (both sessions already on their snapshots). */
export async function tableDelta(clone: Client, source: Client, t: TableRef): Promise<RowDelta> {
  const { hashing, c, s } = await sums(clone, source, t);
  const cloneRows = c.rows;
  const sourceRows = s.rows;
  if (cloneRows === sourceRows && c.sum === s.sum) return { cloneRows, sourceRows, onlyOnClone: 0, onlyOnSource: 0 };

  const [cb, sb] = await Promise.all([buckets(clone, t, hashing), buckets(source, t, hashing)]);
  const differing: number[] = [];
  for (let i = 0; i < BUCKETS; i++) if (cb.get(i) !== sb.get(i)) differing.push(i);
  const [ch, sh] = await Promise.all([
    rowHashes(clone, t, differing, hashing),
    rowHashes(source, t, differing, hashing),
  ]);
  let onlyOnClone = 0;
  let onlyOnSource = 0;
  for (const [h, n] of ch) onlyOnClone += Math.max(0, n - (sh.get(h) ?? 0));
  for (const [h, n] of sh) onlyOnSource += Math.max(0, n - (ch.get(h) ?? 0));
  return { cloneRows, sourceRows, onlyOnClone, onlyOnSource };
}

/** Timestamp columns that say when a row was written (ToolJet: created_at / updated_at). */
export const WRITE_TIME_COLUMNS = ['created_at', 'updated_at', 'createdAt', 'updatedAt'];

export const TIMESTAMP_COLUMNS_SQL = `
SELECT n.nspname AS schema, c.relname AS name, array_agg(a.attname::text ORDER BY a.attname) AS columns
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped AND a.attname = ANY($1::text[])
  AND a.atttypid IN ('pg_catalog.timestamptz'::pg_catalog.regtype, 'pg_catalog.timestamp'::pg_catalog.regtype)
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_temp_'
GROUP BY 1, 2`;

/**
 * Rows of `t` on the clone written after `since` by any of `columns`. `timestamp without time zone` columns are
 * read as UTC (the session's TimeZone is pinned to UTC; ToolJet writes now() on RDS, whose default zone is UTC).
 */
export async function rowsWrittenAfter(
  clone: Client,
  t: Pick<TableRef, 'schema' | 'name'>,
  columns: string[],
  since: string,
): Promise<number> {
  const cond = columns.map((c) => `t.${qi(c)} > $1::timestamptz`).join(' OR ');
  const r = await clone.query(`SELECT count(*)::int8 AS n FROM ${from(t)} WHERE ${cond}`, [since]);
  return Number(r.rows[0].n);
}
