// The floor for any content check: every row of every table rendered to text once. `text` is the definition,
// `sum(length(t::text))`; `octets` is `sum(octet_length(t::text))`, the same rendering without length()'s character
// counting (in a UTF8 database length() walks every character, which on wide JSON rows costs as much as the
// rendering itself), so it is the tighter floor; `count` is plain count(*), the I/O-only floor. Both servers are read
// at the same time, tables scheduled as validate schedules them.
import { Client } from 'pg';
import { TableRef } from '../checks/read/content';
import { qi } from '../checks/session';
import { ConnectionTarget } from '../lib/pg/connection';
import { forEachTable, openPairedSessions } from './pairs';
import { timed } from './stats';

export type ScanKind = 'text' | 'octets' | 'count';

export function scanSql(t: Pick<TableRef, 'schema' | 'name'>, kind: ScanKind): string {
  const what = {
    text: 'coalesce(sum(length(t::text)), 0)',
    octets: 'coalesce(sum(octet_length(t::text)), 0)',
    count: 'count(*)',
  }[kind];
  return `SELECT ${what}::int8 AS v FROM ONLY ${qi(t.schema)}.${qi(t.name)} AS t`;
}

export interface ScanResult {
  kind: ScanKind;
  seconds: number;
  tables: number;
  /** Per side: characters (text) or bytes (octets) of row text, or rows (count). */
  source: number;
  target: number;
  /** Tables whose figure differs between the sides (should be none: the bench copies the data). */
  mismatches: string[];
  /** Per table (schema.table): the figure and the query's milliseconds, each as [source, target]. */
  perTable: Map<string, { value: [number, number]; ms: [number, number] }>;
}

async function timedQuery(c: Client, sql: string): Promise<{ v: number; ms: number }> {
  const started = process.hrtime.bigint();
  const r = await c.query(sql);
  return { v: Number(r.rows[0].v), ms: Number(process.hrtime.bigint() - started) / 1e6 };
}

export async function scanBoth(
  src: ConnectionTarget,
  tgt: ConnectionTarget,
  kind: ScanKind,
  jobs: number,
): Promise<ScanResult> {
  const s = await openPairedSessions(src, tgt, jobs);
  try {
    const { value, seconds } = await timed(() =>
      forEachTable(s, async (t, a, b) => {
        const sql = scanSql(t, kind);
        const [x, y] = await Promise.all([timedQuery(a, sql), timedQuery(b, sql)]);
        return { value: [x.v, y.v] as [number, number], ms: [x.ms, y.ms] as [number, number] };
      }),
    );
    const per = [...value.entries()].map(([k, r]) => [k, r.value] as const);
    return {
      kind,
      seconds,
      tables: per.length,
      source: per.reduce((n, [, v]) => n + v[0], 0),
      target: per.reduce((n, [, v]) => n + v[1], 0),
      mismatches: per.filter(([, v]) => v[0] !== v[1]).map(([k, v]) => `${k}: ${v[0]} vs ${v[1]}`),
      perTable: value,
    };
  } finally {
    await s.close();
  }
}
