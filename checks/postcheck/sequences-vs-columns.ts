// Sequences checked against the columns they feed, on ONE database. After an RDS blue/green switchover the old
// instance is deleted, so there is no source to compare with; but logical replication copies the rows (with the ids
// the old instance generated) and not the sequence advances, so the symptom is visible on the new instance alone:
// a sequence whose next value is not beyond the largest value already in its column, which makes the next INSERT
// fail with a duplicate key. Fix: setval(sequence, max(column)).
// With --fix-sequences each lagging sequence is moved past its columns (a write, recorded in ctx.writes).
import type { Client } from 'pg';
import type { TargetCheck } from '../check';
import { qualified } from '../read/names';
import { nextValue, SequenceValue } from '../read/sequences';
import { check } from '../report';
import { qi } from '../session';

/**
 * Sequences and the integer columns that use them: OWNED BY / identity columns (pg_depend 'a'/'i' from the
 * sequence to the column) and columns whose DEFAULT calls nextval on it (pg_depend 'n' from the default).
 * Sequences that belong to extensions are left out.
 */
export const SEQUENCE_COLUMNS_SQL = `
WITH uses AS (
  SELECT d.objid AS seq, d.refobjid AS tbl, d.refobjsubid AS col
  FROM pg_catalog.pg_depend d
  WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
    AND d.deptype IN ('a', 'i') AND d.refobjsubid > 0
  UNION
  SELECT d.refobjid, ad.adrelid, ad.adnum
  FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_attrdef ad ON ad.oid = d.objid
  WHERE d.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
)
SELECT sn.nspname AS seq_schema, sc.relname AS seq_name, s.seqincrement::text AS increment,
       tn.nspname AS schema, tc.relname AS "table", a.attname AS "column"
FROM uses u
JOIN pg_catalog.pg_sequence s ON s.seqrelid = u.seq
JOIN pg_catalog.pg_class sc ON sc.oid = u.seq
JOIN pg_catalog.pg_namespace sn ON sn.oid = sc.relnamespace
JOIN pg_catalog.pg_class tc ON tc.oid = u.tbl AND tc.relkind IN ('r', 'p')
JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace
JOIN pg_catalog.pg_attribute a ON a.attrelid = u.tbl AND a.attnum = u.col AND NOT a.attisdropped
WHERE a.atttypid IN ('pg_catalog.int2'::pg_catalog.regtype, 'pg_catalog.int4'::pg_catalog.regtype, 'pg_catalog.int8'::pg_catalog.regtype, 'pg_catalog.numeric'::pg_catalog.regtype)
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x WHERE x.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND x.objid = u.seq AND x.deptype = 'e')
ORDER BY 1, 2, 4, 5, 6`;

export interface SequenceUse {
  sequence: SequenceValue;
  /** `schema.table.column` of every column that draws from it. */
  columns: string[];
  /** Largest (smallest, for a descending sequence) value in those columns; undefined when they are all empty. */
  extreme?: bigint;
  /** The next value the sequence hands out would collide (or is below what the columns hold). */
  lagging: boolean;
}

/** Reads every sequence that feeds a column, its state and its columns' max (min), and decides whether it lags. */
export async function readSequenceUses(client: Client): Promise<SequenceUse[]> {
  const rows = (await client.query(SEQUENCE_COLUMNS_SQL)).rows as {
    seq_schema: string;
    seq_name: string;
    increment: string;
    schema: string;
    table: string;
    column: string;
  }[];
  const bySeq = new Map<string, typeof rows>();
  for (const r of rows) {
    const k = qualified(r.seq_schema, r.seq_name);
    bySeq.set(k, [...(bySeq.get(k) ?? []), r]);
  }
  const out: SequenceUse[] = [];
  for (const [, uses] of bySeq) {
    const first = uses[0];
    const state = (
      await client.query(`SELECT last_value::text AS v, is_called FROM ${qi(first.seq_schema)}.${qi(first.seq_name)}`)
    ).rows[0];
    const sequence: SequenceValue = {
      schema: first.seq_schema,
      name: first.seq_name,
      lastValue: BigInt(state.v),
      isCalled: state.is_called,
      increment: BigInt(first.increment),
    };
    const ascending = sequence.increment > 0n;
    let extreme: bigint | undefined;
    for (const u of uses) {
      const v = (
        await client.query(
          `SELECT ${ascending ? 'max' : 'min'}(${qi(u.column)})::text AS v FROM ${qi(u.schema)}.${qi(u.table)}`,
        )
      ).rows[0].v;
      if (v === null) continue;
      const n = BigInt(String(v).split('.')[0]);
      if (extreme === undefined || (ascending ? n > extreme : n < extreme)) extreme = n;
    }
    const next = nextValue(sequence);
    const lagging = extreme !== undefined && (ascending ? next <= extreme : next >= extreme);
    out.push({
      sequence,
      columns: uses.map((u) => `${u.schema}.${u.table}.${u.column}`),
      ...(extreme !== undefined && { extreme }),
      lagging,
    });
  }
  return out;
}

export function describeUse(u: SequenceUse): string {
  const s = u.sequence;
  return `${s.schema}.${s.name}: next value ${nextValue(s)} but ${u.columns.join(', ')} already ${s.increment > 0n ? 'reaches' : 'goes down to'} ${u.extreme}`;
}

/** setval(sequence, extreme): the next nextval() is beyond every value in its columns. Returns what was done. */
export async function fixSequenceUse(client: Client, u: SequenceUse): Promise<string> {
  const s = u.sequence;
  await client.query('SELECT pg_catalog.setval($1::pg_catalog.regclass, $2::int8, true)', [
    `${qi(s.schema)}.${qi(s.name)}`,
    u.extreme!.toString(),
  ]);
  return `setval('${s.schema}.${s.name}', ${u.extreme}, true) (was next value ${nextValue(s)})`;
}

export const sequencesVsColumns: TargetCheck = {
  name: 'sequences vs columns',
  reads: 'target',
  async run(ctx) {
    const { admin, label } = ctx;
    const name = 'sequences vs columns';
    const uses = await readSequenceUses(admin);
    const lagging = uses.filter((u) => u.lagging);
    if (!lagging.length) {
      return [
        check(
          name,
          'pass',
          `${uses.length} sequence(s) feeding columns all hand out values beyond what their columns hold`,
          [],
          label,
        ),
      ];
    }
    if (ctx.options.fixSequences) {
      const done: string[] = [];
      for (const u of lagging) {
        const w = await fixSequenceUse(admin, u);
        done.push(w);
        ctx.writes.push(`${label}: ${w}`);
      }
      return [
        check(
          name,
          'warn',
          `--fix-sequences moved ${done.length} sequence(s) past the largest value in their columns (logical replication does not carry sequences)`,
          done,
          label,
        ),
      ];
    }
    return [
      check(
        name,
        'fail',
        `${lagging.length} sequence(s) would hand out values their columns already hold (the next INSERT fails with a duplicate key): rerun with --fix-sequences`,
        lagging.map(describeUse),
        label,
      ),
    ];
  },
};
