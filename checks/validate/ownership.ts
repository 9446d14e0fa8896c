// Owners, source against target, by role name: the database, schemas, tables, views, materialized views, sequences,
// foreign tables, functions, procedures, aggregates and types (large objects: large-objects.ts). An owner is who may
// ALTER or DROP the object and, for tables, who is exempt from row-level security unless it is forced. Compared per
// object present on both sides (objects on one side only are schema parity's).
//
// Tolerated, with a note: schema public owned by the bootstrap superuser on the source (PostgreSQL 13's default) and
// by pg_database_owner on the target (15+ creates it so; the role does not exist before 14). Nothing else is ignored.
import type { Client } from 'pg';
import type { CompareCheck } from '../check';
import { identSql, qualifiedSql as Q } from '../read/names';
import { NOT_EXT, USER_NS } from '../read/schema';
import { check } from '../report';

const OWNER = (oid: string): string => identSql(`pg_catalog.pg_get_userbyid(${oid})`);
const RELKIND = `CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'table' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'S' THEN 'sequence' ELSE 'foreign table' END`;

export const OWNERS_SQL = `
SELECT 'database ' || ${Q('d.datname')} AS key, ${OWNER('d.datdba')} AS owner, d.datdba = 10 AS bootstrap
FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database()
UNION ALL
SELECT 'schema ' || ${Q('n.nspname')}, ${OWNER('n.nspowner')}, n.nspowner = 10
FROM pg_catalog.pg_namespace n WHERE ${USER_NS('n')} AND ${NOT_EXT('pg_catalog.pg_namespace', 'n.oid')}
UNION ALL
SELECT ${RELKIND} || ' ' || ${Q('n.nspname', 'c.relname')}, ${OWNER('c.relowner')}, c.relowner = 10
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND ${USER_NS('n')} AND ${NOT_EXT('pg_catalog.pg_class', 'c.oid')}
UNION ALL
SELECT CASE p.prokind WHEN 'p' THEN 'procedure ' WHEN 'a' THEN 'aggregate ' ELSE 'function ' END
       || ${Q('n.nspname', 'p.proname')} || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')',
       ${OWNER('p.proowner')}, p.proowner = 10
FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
WHERE ${USER_NS('n')} AND ${NOT_EXT('pg_catalog.pg_proc', 'p.oid')}
UNION ALL
SELECT 'type ' || ${Q('n.nspname', 't.typname')}, ${OWNER('t.typowner')}, t.typowner = 10
FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
WHERE t.typtype IN ('e', 'd', 'r', 'b', 'c') AND NOT (t.typelem <> 0 AND t.typlen = -1)
  AND (t.typtype <> 'c' OR (SELECT cl.relkind FROM pg_catalog.pg_class cl WHERE cl.oid = t.typrelid) = 'c')
  AND ${USER_NS('n')} AND ${NOT_EXT('pg_catalog.pg_type', 't.oid')}`;

interface OwnerRow {
  key: string;
  owner: string;
  bootstrap: boolean;
}

async function readOwners(c: Client): Promise<Map<string, OwnerRow>> {
  return new Map((await c.query<OwnerRow>(OWNERS_SQL)).rows.map((r) => [r.key, r]));
}

export const ownership: CompareCheck = {
  name: 'ownership',
  reads: 'both',
  async run(ctx) {
    const [so, to] = [await readOwners(ctx.source.clients[0]), await readOwners(ctx.target.clients[0])];
    const diffs: string[] = [];
    const notes: string[] = [];
    let compared = 0;
    for (const [k, s] of so) {
      const t = to.get(k);
      if (!t) continue;
      compared++;
      if (s.owner === t.owner) continue;
      if (k === 'schema public' && s.bootstrap && t.owner === 'pg_database_owner') {
        notes.push(
          `ignored: schema public is owned by pg_database_owner on the target and by the bootstrap superuser ${s.owner} on the source: PostgreSQL 15+ creates it so (pg_database_owner, new in 14, stands for the database's owner)`,
        );
        continue;
      }
      diffs.push(`differs: ${k}: owner ${s.owner} on the source, ${t.owner} on the target`);
    }
    diffs.sort();
    const scope = `${compared} objects on both sides (database, schemas, tables, views, sequences, functions, types), by role name`;
    return diffs.length
      ? [
          check(
            'ownership',
            'fail',
            `${diffs.length} object(s) with another owner among ${scope}: ALTER ... OWNER TO the source's owner on the target`,
            [...diffs, ...notes],
            ctx.label,
          ),
        ]
      : [check('ownership', 'pass', `same owners on ${scope}`, notes, ctx.label)];
  },
};
