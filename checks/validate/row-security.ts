// Row-level security, source against target: per table whether RLS is enabled (relrowsecurity) and forced on its
// owner too (relforcerowsecurity), and every policy (pg_policy): permissive or restrictive, the command, the roles it
// applies to by name, and its USING and WITH CHECK expressions as the server prints them (pg_get_expr; the same text
// on 13 and 16). RLS disabled or a policy dropped on the target would show rows a role must not see, or hide rows it
// must. Whether the validating role itself can see every row is the row-content check's business (it fails closed).
import type { Client } from 'pg';
import type { CompareCheck } from '../check';
import { identSql, qualifiedSql as Q } from '../read/names';
import { diffMaps, diffObjects, NOT_EXT, USER_NS } from '../read/schema';
import { check } from '../report';

export const ROW_SECURITY_SQL = `
SELECT 'table ' || ${Q('n.nspname', 'c.relname')} AS key,
       CASE WHEN c.relrowsecurity THEN 'row level security enabled' ELSE 'row level security disabled' END
       || CASE WHEN c.relforcerowsecurity THEN ', forced for the owner' ELSE '' END AS def
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND ${USER_NS('n')} AND ${NOT_EXT('pg_catalog.pg_class', 'c.oid')}
UNION ALL
SELECT 'policy ' || ${identSql('p.polname')} || ' on ' || ${Q('n.nspname', 'c.relname')},
       CASE WHEN p.polpermissive THEN 'permissive' ELSE 'restrictive' END
       || ' for ' || CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END
       || ' to ' || (SELECT string_agg(CASE WHEN r = 0 THEN 'PUBLIC' ELSE ${identSql('pg_catalog.pg_get_userbyid(r)')} END, ', '
                                       ORDER BY CASE WHEN r = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(r)::text END COLLATE "C")
                     FROM pg_catalog.unnest(p.polroles) r)
       || coalesce(' using (' || pg_catalog.pg_get_expr(p.polqual, p.polrelid) || ')', '')
       || coalesce(' with check (' || pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) || ')', '')
FROM pg_catalog.pg_policy p
JOIN pg_catalog.pg_class c ON c.oid = p.polrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE ${USER_NS('n')} AND ${NOT_EXT('pg_catalog.pg_class', 'c.oid')}`;

async function read(c: Client): Promise<Map<string, string>> {
  return new Map((await c.query<{ key: string; def: string }>(ROW_SECURITY_SQL)).rows.map((r) => [r.key, r.def]));
}

export const rowSecurity: CompareCheck = {
  name: 'row-level security',
  reads: 'both',
  async run(ctx) {
    const [s, t] = [await read(ctx.source.clients[0]), await read(ctx.target.clients[0])];
    // Tables on one side only are schema parity's; policies on one side only are this check's.
    for (const m of [s, t]) {
      const other = m === s ? t : s;
      for (const k of [...m.keys()]) if (k.startsWith('table ') && !other.has(k)) m.delete(k);
    }
    const d = diffMaps(s, t);
    const tables = [...s.keys()].filter((k) => k.startsWith('table ')).length;
    const enabled = [...s.entries()].filter(
      ([k, v]) => k.startsWith('table ') && v.startsWith('row level security enabled'),
    ).length;
    const policies = s.size - tables;
    const what = `${tables} tables (${enabled} with RLS enabled) and ${policies} policies`;
    return d.missing.length || d.extra.length || d.changed.length
      ? [
          check(
            'row-level security',
            'fail',
            `row-level security differs: ${d.missing.length} missing on target, ${d.extra.length} extra on target, ${d.changed.length} different, among ${what} on the source: restore the flags (ALTER TABLE ... ENABLE/FORCE ROW LEVEL SECURITY) and policies on the target`,
            diffObjects(d),
            ctx.label,
          ),
        ]
      : [check('row-level security', 'pass', `identical: ${what}`, [], ctx.label)];
  },
};
