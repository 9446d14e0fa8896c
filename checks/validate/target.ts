// Target-only follow-ups after a major upgrade: extensions still at their old version, tables without optimizer
// statistics (not carried over by pg_upgrade), and the optional ANALYZE that fixes the latter.
import { Client } from 'pg';
import { qi } from './session';

export const OUTDATED_EXTENSIONS_SQL = `
SELECT name, installed_version AS installed, default_version AS available
FROM pg_catalog.pg_available_extensions
WHERE installed_version IS NOT NULL AND installed_version <> default_version
ORDER BY name`;

export async function outdatedExtensions(client: Client): Promise<string[]> {
  const rows = (await client.query(OUTDATED_EXTENSIONS_SQL)).rows;
  return rows.map((r) => `${r.name} ${r.installed} -> ${r.available}: ALTER EXTENSION ${qi(r.name)} UPDATE;`);
}

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

export async function tablesWithoutStatistics(client: Client): Promise<{ schema: string; name: string; relkind: string }[]> {
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
    done.push(`ANALYZE ${t.schema}.${t.name} on target`);
  }
  return done;
}

/** ToolJet's TypeORM migrations table (id serial, timestamp bigint, name varchar), or undefined when absent. */
export async function readMigrations(client: Client): Promise<string[] | undefined> {
  const exists = (await client.query(`SELECT pg_catalog.to_regclass('public.migrations') IS NOT NULL AS e`)).rows[0].e;
  if (!exists) return undefined;
  const cols = (await client.query(
    `SELECT array_agg(attname::text) AS c FROM pg_catalog.pg_attribute WHERE attrelid = 'public.migrations'::pg_catalog.regclass AND attnum > 0 AND NOT attisdropped`,
  )).rows[0].c as string[];
  if (!['id', 'timestamp', 'name'].every((c) => cols.includes(c))) return undefined;
  const rows = (await client.query(`SELECT id::text AS id, "timestamp"::text AS ts, name FROM public.migrations ORDER BY migrations.id`)).rows;
  return rows.map((r) => `${r.id} ${r.ts} ${r.name}`);
}
