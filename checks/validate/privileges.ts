// Privileges, source against target, from the catalogs: the database (datacl), schemas (nspacl), tables, views,
// materialized views, sequences and foreign tables (relacl), columns (attacl), functions and procedures (proacl),
// types and domains (typacl) and default privileges (pg_default_acl). A revoked grant is the "permission denied"
// ToolJet's user meets after the cutover. Compared per object present on both sides (objects on one side only are
// schema parity's); each ACL read as read/acl.ts says (defaults expanded, owner as "owner", grantor ignored).
//
// Tolerated, with a warning that says so: schema public with PostgreSQL 13's default privileges on the source
// (PUBLIC may CREATE) and PostgreSQL 15's on the target (PUBLIC may only USE; a database created on 15+ gets that).
// Nothing else is ignored.
import type { Client } from 'pg';
import type { CompareCheck } from '../check';
import { aclTextSql } from '../read/acl';
import { qualifiedSql as Q } from '../read/names';
import { NOT_EXT, USER_NS } from '../read/schema';
import { check } from '../report';

const RELKIND = `CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'table' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'S' THEN 'sequence' ELSE 'foreign table' END`;
const DEFACL_KIND = `CASE d.defaclobjtype WHEN 'r' THEN 'tables' WHEN 'S' THEN 'sequences' WHEN 'f' THEN 'functions' WHEN 'T' THEN 'types' WHEN 'n' THEN 'schemas' ELSE d.defaclobjtype::text END`;

export const PRIVILEGES_SQL = `
SELECT 'database ' || ${Q('d.datname')} AS key, ${aclTextSql("coalesce(d.datacl, pg_catalog.acldefault('d', d.datdba))", 'd.datdba')} AS acl
FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database()
UNION ALL
SELECT 'schema ' || ${Q('n.nspname')}, ${aclTextSql("coalesce(n.nspacl, pg_catalog.acldefault('n', n.nspowner))", 'n.nspowner')}
FROM pg_catalog.pg_namespace n WHERE ${USER_NS('n')} AND ${NOT_EXT('pg_catalog.pg_namespace', 'n.oid')}
UNION ALL
SELECT ${RELKIND} || ' ' || ${Q('n.nspname', 'c.relname')},
       ${aclTextSql(`coalesce(c.relacl, pg_catalog.acldefault((CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END)::"char", c.relowner))`, 'c.relowner')}
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND ${USER_NS('n')} AND ${NOT_EXT('pg_catalog.pg_class', 'c.oid')}
UNION ALL
SELECT 'column ' || ${Q('n.nspname', 'c.relname', 'a.attname')}, ${aclTextSql('a.attacl', 'c.relowner')}
FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE a.attacl IS NOT NULL AND a.attnum > 0 AND NOT a.attisdropped AND ${USER_NS('n')} AND ${NOT_EXT('pg_catalog.pg_class', 'c.oid')}
UNION ALL
SELECT CASE p.prokind WHEN 'p' THEN 'procedure ' ELSE 'function ' END || ${Q('n.nspname', 'p.proname')} || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')',
       ${aclTextSql("coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner))", 'p.proowner')}
FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
WHERE ${USER_NS('n')} AND ${NOT_EXT('pg_catalog.pg_proc', 'p.oid')}
UNION ALL
SELECT 'type ' || ${Q('n.nspname', 't.typname')}, ${aclTextSql("coalesce(t.typacl, pg_catalog.acldefault('T', t.typowner))", 't.typowner')}
FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
WHERE t.typtype IN ('e', 'd', 'r', 'b', 'c') AND NOT (t.typelem <> 0 AND t.typlen = -1)
  AND (t.typtype <> 'c' OR (SELECT cl.relkind FROM pg_catalog.pg_class cl WHERE cl.oid = t.typrelid) = 'c')
  AND ${USER_NS('n')} AND ${NOT_EXT('pg_catalog.pg_type', 't.oid')}
UNION ALL
SELECT 'default privileges of ' || ${Q('pg_catalog.pg_get_userbyid(d.defaclrole)')}
       || coalesce(' in schema ' || (SELECT ${Q('n.nspname')} FROM pg_catalog.pg_namespace n WHERE n.oid = d.defaclnamespace), '')
       || ' on ' || ${DEFACL_KIND},
       ${aclTextSql('d.defaclacl', 'd.defaclrole')}
FROM pg_catalog.pg_default_acl d`;

async function readPrivileges(c: Client): Promise<Map<string, string>> {
  return new Map((await c.query<{ key: string; acl: string }>(PRIVILEGES_SQL)).rows.map((r) => [r.key, r.acl]));
}

/** Schema public as PostgreSQL 13 and as 15+ create it: the one privilege difference that is tolerated. */
export const PUBLIC_SCHEMA_13 = 'PUBLIC:CREATE, PUBLIC:USAGE, owner:CREATE, owner:USAGE';
export const PUBLIC_SCHEMA_15 = 'PUBLIC:USAGE, owner:CREATE, owner:USAGE';

export const privileges: CompareCheck = {
  name: 'privileges',
  reads: 'both',
  async run(ctx) {
    const [sp, tp] = [await readPrivileges(ctx.source.clients[0]), await readPrivileges(ctx.target.clients[0])];
    const diffs: string[] = [];
    const tolerated: string[] = [];
    let compared = 0;
    let oneSide = 0;
    for (const [k, s] of sp) {
      const t = tp.get(k);
      if (t === undefined) {
        // Default privileges are rows of their own: one only on the source is a lost ALTER DEFAULT PRIVILEGES. A
        // column is listed only while it has grants of its own: absent means none.
        if (k.startsWith('default privileges ')) diffs.push(`missing on target: ${k}: ${s}`);
        else if (k.startsWith('column ')) diffs.push(`differs: ${k}: source "${s}" | target "none"`);
        else oneSide++;
        continue;
      }
      compared++;
      if (s === t) continue;
      if (k === 'schema public' && s === PUBLIC_SCHEMA_13 && t === PUBLIC_SCHEMA_15) {
        tolerated.push(
          `schema public: PUBLIC may no longer CREATE there on the target (PostgreSQL 15+ default for a database created there; 13's default let every role create). Tolerated; if a role other than the database owner creates tables in public (ToolJet's user, when it does not own the database), GRANT CREATE ON SCHEMA public TO that role`,
        );
        continue;
      }
      diffs.push(`differs: ${k}: source "${s}" | target "${t}"`);
    }
    for (const [k, t] of tp) {
      if (sp.has(k)) continue;
      if (k.startsWith('default privileges ')) diffs.push(`extra on target: ${k}: ${t}`);
      else if (k.startsWith('column ')) diffs.push(`differs: ${k}: source "none" | target "${t}"`);
      else oneSide++;
    }
    diffs.sort();
    const scope = `${compared} objects on both sides (database, schemas, tables, views, sequences, columns, functions, types, default privileges; the grantor is not compared${oneSide ? `; ${oneSide} on one side only are left to schema parity` : ''})`;
    if (diffs.length)
      return [
        check(
          'privileges',
          'fail',
          `${diffs.length} object(s) with different privileges among ${scope}: grant or revoke on the target to match`,
          [...diffs, ...tolerated],
          ctx.label,
        ),
      ];
    if (tolerated.length)
      return [check('privileges', 'warn', `identical on ${scope}, except as noted`, tolerated, ctx.label)];
    return [check('privileges', 'pass', `identical on ${scope}`, [], ctx.label)];
  },
};
