// Tables on the target that hold rows but have no optimizer statistics (a major upgrade does not carry them), and
// with --analyze the ANALYZE that fixes it: a write on the target, recorded in ctx.writes, then read again.
import type { Client } from 'pg';
import type { TargetCheck } from '../check';
import { qualified } from '../read/names';
import { check } from '../report';
import { qi } from '../session';

/**
 * Tables (and partitioned parents, and materialized views) that hold rows but have no statistics in pg_stats.
 * An empty table has no statistics even after ANALYZE, so emptiness is checked, cheaply, with EXISTS.
 */
export const UNANALYZED_SQL = `
SELECT n.nspname AS schema, c.relname AS name, c.relkind::text AS relkind
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'm') AND (c.relkind <> 'm' OR c.relispopulated)
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_temp_' AND n.nspname !~ '^pg_toast'
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_stats s WHERE s.schemaname = n.nspname AND s.tablename = c.relname)
ORDER BY 1, 2`;

export async function tablesWithoutStatistics(
  client: Client,
): Promise<{ schema: string; name: string; relkind: string }[]> {
  const candidates = (await client.query(UNANALYZED_SQL)).rows as { schema: string; name: string; relkind: string }[];
  const out: typeof candidates = [];
  for (const t of candidates) {
    const has = (await client.query(`SELECT EXISTS (SELECT 1 FROM ${qi(t.schema)}.${qi(t.name)}) AS has`)).rows[0].has;
    if (has) out.push(t);
  }
  return out;
}

/** ANALYZE the given tables on the target (the only write validate makes besides --fix-sequences). */
export async function analyzeTables(client: Client, tables: { schema: string; name: string }[]): Promise<string[]> {
  const done: string[] = [];
  for (const t of tables) {
    await client.query(`ANALYZE ${qi(t.schema)}.${qi(t.name)}`);
    done.push(`ANALYZE ${qualified(t.schema, t.name)} on target`);
  }
  return done;
}

export const statistics: TargetCheck = {
  name: 'statistics',
  reads: 'target',
  async run(ctx) {
    const { admin, label } = ctx;
    let missing = await tablesWithoutStatistics(admin);
    if (missing.length && ctx.options.analyze) {
      ctx.progress(`${label}: ANALYZE on target (${missing.length} tables)`);
      const done = await analyzeTables(admin, missing);
      ctx.writes.push(...done.map((d) => `${label}: ${d}`));
      const before = missing.length;
      missing = await tablesWithoutStatistics(admin);
      if (missing.length) {
        return [
          check(
            'statistics',
            'warn',
            `ran ANALYZE on ${before} table(s); ${missing.length} still have no statistics`,
            missing.map((t) => qualified(t.schema, t.name)),
            label,
          ),
        ];
      }
      return [
        check(
          'statistics',
          'pass',
          `--analyze ran ANALYZE on ${before} target table(s) that had no statistics`,
          done,
          label,
        ),
      ];
    }
    if (missing.length) {
      return [
        check(
          'statistics',
          'warn',
          `${missing.length} target table(s) with rows have no optimizer statistics (a major upgrade does not carry them): rerun with --analyze, or run ANALYZE in this database`,
          missing.map((t) => `${qualified(t.schema, t.name)}${t.relkind === 'p' ? ' (partitioned parent)' : ''}`),
          label,
        ),
      ];
    }
    return [check('statistics', 'pass', 'every target table with rows has statistics', [], label)];
  },
};
