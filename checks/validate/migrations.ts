// ToolJet's TypeORM migrations table (public.migrations: id, timestamp, name) must list the same migrations on both
// sides: the application decides from it which schema it runs against.
import type { Client } from 'pg';
import type { CompareCheck } from '../check';
import { dataDifference } from '../check';
import { diffMaps, diffObjects } from '../read/schema';
import { check } from '../report';

/** The migrations as "id timestamp name", in id order, or undefined when the table is absent or not TypeORM's. */
export async function readMigrations(client: Client): Promise<string[] | undefined> {
  const exists = (await client.query(`SELECT pg_catalog.to_regclass('public.migrations') IS NOT NULL AS e`)).rows[0].e;
  if (!exists) return undefined;
  const cols = (
    await client.query(
      `SELECT array_agg(attname::text) AS c FROM pg_catalog.pg_attribute WHERE attrelid = 'public.migrations'::pg_catalog.regclass AND attnum > 0 AND NOT attisdropped`,
    )
  ).rows[0].c as string[];
  if (!['id', 'timestamp', 'name'].every((c) => cols.includes(c))) return undefined;
  const rows = (
    await client.query(
      `SELECT id::text AS id, "timestamp"::text AS ts, name FROM public.migrations ORDER BY migrations.id`,
    )
  ).rows;
  return rows.map((r) => `${r.id} ${r.ts} ${r.name}`);
}

export const migrations: CompareCheck = {
  name: 'ToolJet migrations',
  reads: 'both',
  async run(ctx) {
    const { label } = ctx;
    const name = 'ToolJet migrations';
    const [sm, tm] = [await readMigrations(ctx.source.clients[0]), await readMigrations(ctx.target.clients[0])];
    if (!sm && !tm)
      return [check(name, 'pass', 'no ToolJet migrations table (public.migrations) on either side', [], label)];
    if (!sm || !tm)
      return [check(name, 'fail', `public.migrations exists only on the ${sm ? 'source' : 'target'}`, [], label)];
    const d = diffMaps(new Map(sm.map((m) => [m, ''])), new Map(tm.map((m) => [m, ''])));
    if (d.missing.length || d.extra.length) {
      const diff = dataDifference(ctx.options);
      return [
        check(
          name,
          diff.status,
          `migrations differ: ${d.missing.length} missing on target, ${d.extra.length} extra on target${diff.since}`,
          diffObjects(d),
          label,
        ),
      ];
    }
    return [
      check(
        name,
        'pass',
        `${sm.length} migrations identical${sm.length ? `, latest ${sm[sm.length - 1].split(' ').slice(2).join(' ')}` : ''}`,
        [],
        label,
      ),
    ];
  },
};
