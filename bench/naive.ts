// The naive baseline, written only for the benchmark: what row-hash tools such as Google's Data Validation Tool do
// (row validation: a SHA-256 of each row computed by each database, every (primary key, hash) pair fetched to the
// client and matched there). It compares for real: a changed, missing or extra row is reported with its key.
// Same pinned session settings as validate, so equal rows hash equally on 13.21 and 16.9.
import { Client } from 'pg';
import { key, TableRef } from '../checks/read/content';
import { qi } from '../checks/session';
import { ConnectionTarget } from '../lib/pg/connection';
import { forEachTable, openPairedSessions } from './pairs';
import { timed } from './stats';

export type NaiveDiffKind = 'changed' | 'missing on target' | 'extra on target';

export interface NaiveDiff {
  table: string;
  /** Primary key value(s) as text. */
  key: string;
  kind: NaiveDiffKind;
}

export interface NaiveResult {
  seconds: number;
  tables: number;
  /** (key, hash) pairs fetched from each side. */
  sourceRows: number;
  targetRows: number;
  diffs: NaiveDiff[];
  /** Per table (schema.table): milliseconds until each side's pairs had arrived, [source, target]. */
  perTableMs: Map<string, [number, number]>;
}

/** Primary key columns (in key order) of a table; empty when it has none. */
export async function primaryKey(c: Client, t: Pick<TableRef, 'schema' | 'name'>): Promise<string[]> {
  const r = await c.query(
    `SELECT a.attname::text AS col
     FROM pg_catalog.pg_index i
     CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
     JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
     WHERE i.indisprimary AND i.indrelid = (pg_catalog.quote_ident($1) || '.' || pg_catalog.quote_ident($2))::pg_catalog.regclass
     ORDER BY k.ord`,
    [t.schema, t.name],
  );
  return r.rows.map((x) => x.col as string);
}

/** One (key, sha256 hex) pair per row: the key as text, the hash of the row's text (columns in name order). */
export function naiveSql(t: Pick<TableRef, 'schema' | 'name' | 'columns'>, pk: string[]): string {
  if (!pk.length)
    throw new Error(`naive baseline: ${t.schema}.${t.name} has no primary key (row-hash tools need one to match rows)`);
  const k = pk.length === 1 ? `t.${qi(pk[0])}::text` : `ROW(${pk.map((c) => `t.${qi(c)}`).join(', ')})::text`;
  const row = `ROW(${t.columns.map((c) => `t.${qi(c)}`).join(', ')})::text`;
  return `SELECT ${k} AS k, pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(${row}, 'UTF8')), 'hex') AS h FROM ONLY ${qi(t.schema)}.${qi(t.name)} AS t`;
}

/** Matches the pairs of both sides by key: every changed, missing and extra row. */
export function comparePairs(
  table: string,
  source: ReadonlyArray<readonly [string, string]>,
  target: ReadonlyArray<readonly [string, string]>,
): NaiveDiff[] {
  const bySource = new Map<string, string>();
  for (const [k, h] of source) {
    if (bySource.has(k)) throw new Error(`naive baseline: duplicate key ${k} in ${table} on the source`);
    bySource.set(k, h);
  }
  const diffs: NaiveDiff[] = [];
  const seen = new Set<string>();
  for (const [k, h] of target) {
    if (seen.has(k)) throw new Error(`naive baseline: duplicate key ${k} in ${table} on the target`);
    seen.add(k);
    const s = bySource.get(k);
    if (s === undefined) diffs.push({ table, key: k, kind: 'extra on target' });
    else {
      if (s !== h) diffs.push({ table, key: k, kind: 'changed' });
      bySource.delete(k);
    }
  }
  for (const k of bySource.keys()) diffs.push({ table, key: k, kind: 'missing on target' });
  return diffs;
}

/** Compares every table of source and target the naive way. */
export async function naiveCompare(src: ConnectionTarget, tgt: ConnectionTarget, jobs: number): Promise<NaiveResult> {
  const s = await openPairedSessions(src, tgt, jobs);
  try {
    const pks = new Map<string, string[]>();
    for (const t of s.tables) pks.set(key(t), await primaryKey(s.source[0], t));
    const { value, seconds } = await timed(() =>
      forEachTable(s, async (t, a, b) => {
        const q = { text: naiveSql(t, pks.get(key(t))!), rowMode: 'array' as const };
        const started = process.hrtime.bigint();
        const fetch = async (c: Client): Promise<{ rows: Array<[string, string]>; ms: number }> => {
          const r = await c.query<[string, string]>(q);
          return { rows: r.rows, ms: Number(process.hrtime.bigint() - started) / 1e6 };
        };
        const [x, y] = await Promise.all([fetch(a), fetch(b)]);
        return {
          rows: [x.rows.length, y.rows.length],
          diffs: comparePairs(key(t), x.rows, y.rows),
          ms: [x.ms, y.ms] as [number, number],
        };
      }),
    );
    const per = [...value.values()];
    return {
      seconds,
      tables: per.length,
      sourceRows: per.reduce((n, r) => n + r.rows[0], 0),
      targetRows: per.reduce((n, r) => n + r.rows[1], 0),
      diffs: per.flatMap((r) => r.diffs),
      perTableMs: new Map([...value.entries()].map(([k, r]) => [k, r.ms])),
    };
  } finally {
    await s.close();
  }
}
