// Sequence values on both sides. Logical replication does not carry sequences and a dump taken while the source
// still writes can lag, so a target sequence behind the source would hand out ids that already exist.
import type { Client } from 'pg';
import { qi } from '../session';
import { qualified } from './names';

export interface SequenceValue {
  schema: string;
  name: string;
  lastValue: bigint;
  isCalled: boolean;
  increment: bigint;
}

export const SEQUENCES_SQL = `
SELECT n.nspname AS schema, c.relname AS name, s.seqincrement::text AS increment
FROM pg_catalog.pg_sequence s
JOIN pg_catalog.pg_class c ON c.oid = s.seqrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_temp_'
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x WHERE x.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND x.objid = c.oid AND x.deptype = 'e')
ORDER BY 1, 2`;

/** Reads last_value/is_called of every user sequence (one round trip per 200 sequences). */
export async function readSequences(client: Client): Promise<Map<string, SequenceValue>> {
  const list = (await client.query(SEQUENCES_SQL)).rows as { schema: string; name: string; increment: string }[];
  const out = new Map<string, SequenceValue>();
  for (let i = 0; i < list.length; i += 200) {
    const chunk = list.slice(i, i + 200);
    const q = chunk
      .map((s, j) => `SELECT ${j} AS i, last_value::text AS v, is_called FROM ${qi(s.schema)}.${qi(s.name)}`)
      .join(' UNION ALL ');
    for (const r of (await client.query(q)).rows) {
      const s = chunk[r.i];
      out.set(qualified(s.schema, s.name), {
        schema: s.schema,
        name: s.name,
        lastValue: BigInt(r.v),
        isCalled: r.is_called,
        increment: BigInt(s.increment),
      });
    }
  }
  return out;
}

/** The value nextval() would return next. */
export function nextValue(s: SequenceValue): bigint {
  return s.isCalled ? s.lastValue + s.increment : s.lastValue;
}

export interface SequenceDiff {
  key: string;
  source: SequenceValue;
  target: SequenceValue;
  /** behind: target would hand out values the source already used. */
  direction: 'behind' | 'ahead' | 'state';
}

export function compareSequences(
  source: Map<string, SequenceValue>,
  target: Map<string, SequenceValue>,
): SequenceDiff[] {
  const out: SequenceDiff[] = [];
  for (const [k, s] of source) {
    const t = target.get(k);
    if (!t) continue; // reported by schema parity
    if (s.lastValue === t.lastValue && s.isCalled === t.isCalled) continue;
    const ns = nextValue(s);
    const nt = nextValue(t);
    const asc = s.increment > 0n;
    const behind = asc ? nt < ns : nt > ns;
    out.push({ key: k, source: s, target: t, direction: ns === nt ? 'state' : behind ? 'behind' : 'ahead' });
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export function describeSequence(d: SequenceDiff): string {
  const v = (s: SequenceValue): string => `last_value ${s.lastValue}${s.isCalled ? '' : ' (not yet called)'}`;
  const what =
    d.direction === 'behind'
      ? 'target behind (would reuse ids)'
      : d.direction === 'ahead'
        ? 'target ahead'
        : 'same next value, different state';
  return `${d.key}: ${what}: source ${v(d.source)}, target ${v(d.target)}`;
}

/** setval on the target to the source's value (the --fix-sequences write). Returns what was done. */
export async function fixSequence(target: Client, d: SequenceDiff): Promise<string> {
  await target.query(`SELECT pg_catalog.setval($1::pg_catalog.regclass, $2::int8, $3)`, [
    `${qi(d.source.schema)}.${qi(d.source.name)}`,
    d.source.lastValue.toString(),
    d.source.isCalled,
  ]);
  return `setval('${d.key}', ${d.source.lastValue}, ${d.source.isCalled}) on target (was last_value ${d.target.lastValue})`;
}
