// Views and materialized views: kind, options (check_option, security_barrier, ...) and definition, source against
// target. PostgreSQL 13 and 16 print the same view differently (16 drops table qualifiers where only one table is in
// scope), so comparing pg_get_viewdef texts across servers would flag every unchanged view. Instead a definition that
// prints differently is deparsed again on the target itself: inside one transaction on the target's autocommit
// session, CREATE TEMP VIEW with the source's definition (printed with search_path = pg_catalog, so every name is
// qualified), pg_get_viewdef of that temporary view, ROLLBACK. The target server then prints both, and only a real
// change remains different. Nothing persists on the target: the temporary views never commit.
import type { Client } from 'pg';
import type { CompareCheck } from '../check';
import { qualifiedSql as Q } from '../read/names';
import { NOT_EXT, USER_NS, normalizeWhitespace } from '../read/schema';
import { check } from '../report';

interface ViewRow {
  key: string;
  kind: string;
  def: string;
  options: string;
}

export const VIEWS_SQL = `
SELECT ${Q('n.nspname', 'c.relname')} AS key,
       CASE c.relkind WHEN 'v' THEN 'view' ELSE 'materialized view' END AS kind,
       pg_catalog.pg_get_viewdef(c.oid) AS def,
       coalesce((SELECT string_agg(o, ', ' ORDER BY o COLLATE "C") FROM pg_catalog.unnest(c.reloptions) o), '') AS options
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('v', 'm') AND ${USER_NS('n')} AND ${NOT_EXT('pg_catalog.pg_class', 'c.oid')}`;

async function readViews(c: Client): Promise<Map<string, ViewRow>> {
  return new Map((await c.query<ViewRow>(VIEWS_SQL)).rows.map((r) => [r.key, r]));
}

/**
 * The target's own print of each source definition (undefined + the error when the target cannot create it, e.g. a
 * table it refers to is missing). One transaction on `admin`, a savepoint per view, always rolled back.
 */
export async function deparseOnTarget(
  admin: Client,
  definitions: string[],
): Promise<({ def: string } | { error: string })[]> {
  const out: ({ def: string } | { error: string })[] = [];
  if (!definitions.length) return out;
  await admin.query('BEGIN');
  try {
    await admin.query(`SET LOCAL search_path = pg_catalog`);
    for (const d of definitions) {
      await admin.query('SAVEPOINT tj_view');
      try {
        await admin.query(`CREATE TEMP VIEW tj_validate_view AS ${d.trim().replace(/;$/, '')}`);
        const r = await admin.query(
          `SELECT pg_catalog.pg_get_viewdef('pg_temp.tj_validate_view'::pg_catalog.regclass) AS d`,
        );
        out.push({ def: r.rows[0].d as string });
      } catch (err) {
        out.push({ error: (err as Error).message });
      }
      await admin.query('ROLLBACK TO SAVEPOINT tj_view');
    }
  } finally {
    await admin.query('ROLLBACK').catch(() => undefined);
  }
  return out;
}

const clip = (s: string, n = 160): string => {
  const t = normalizeWhitespace(s);
  return t.length > n ? `${t.slice(0, n - 3)}...` : t;
};

export const viewDefinitions: CompareCheck = {
  name: 'view definitions',
  reads: 'both',
  async run(ctx) {
    const name = 'schema: views';
    const [sv, tv] = [await readViews(ctx.source.clients[0]), await readViews(ctx.target.clients[0])];
    const problems: string[] = [];
    const reprint: { key: string; source: ViewRow; target: ViewRow }[] = [];
    for (const [k, s] of sv) {
      const t = tv.get(k);
      if (!t) problems.push(`missing on target: ${s.kind} ${k}`);
      else if (s.kind !== t.kind) problems.push(`differs: ${k}: ${s.kind} on the source, ${t.kind} on the target`);
      else if (s.options !== t.options)
        problems.push(`differs: ${k}: options source "${s.options || 'none'}" | target "${t.options || 'none'}"`);
      else if (normalizeWhitespace(s.def) !== normalizeWhitespace(t.def))
        reprint.push({ key: k, source: s, target: t });
    }
    for (const [k, t] of tv) if (!sv.has(k)) problems.push(`extra on target: ${t.kind} ${k}`);
    const reprinted = await deparseOnTarget(
      ctx.admin,
      reprint.map((r) => r.source.def),
    );
    reprint.forEach((r, i) => {
      const d = reprinted[i];
      if ('error' in d)
        problems.push(`differs: ${r.key}: the source's definition cannot be created on the target (${d.error})`);
      else if (normalizeWhitespace(d.def) !== normalizeWhitespace(r.target.def))
        problems.push(`differs: ${r.key}: source "${clip(d.def)}" | target "${clip(r.target.def)}"`);
    });
    problems.sort();
    const how = reprint.length
      ? `; ${reprint.length} printed differently by 13 and 16 and were compared by deparsing the source's definition on the target (a temporary view, rolled back)`
      : '';
    return problems.length
      ? [
          check(
            name,
            'fail',
            `${problems.length} difference(s) among ${sv.size} views and materialized views on the source${how}`,
            problems,
            ctx.label,
          ),
        ]
      : [
          check(
            name,
            'pass',
            `${sv.size} identical on source and target (definition and options)${how}`,
            [],
            ctx.label,
          ),
        ];
  },
};
