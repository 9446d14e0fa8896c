// Roles, once per run (they belong to the cluster, not to a database): each role's attributes (superuser, inherit,
// createrole, createdb, login, replication, bypassrls, connection limit, valid until, per-role settings) and who is a
// member of whom with ADMIN OPTION, source against target, by name. A lost membership or LOGIN is a "permission
// denied" or a failed login after the cutover. Passwords are not compared (pg_authid is not readable without superuser;
// RDS never lets anyone read it).
//
// Ignored, and said so in the result: the predefined roles (pg_*) and RDS's own roles (rdsadmin, rdstopmgr, rds_*),
// which each server version brings; memberships in predefined roles that exist on only one side's version
// (pg_database_owner, pg_read_all_data, pg_write_all_data from 14, pg_checkpoint from 15, pg_use_reserved_connections,
// pg_create_subscription from 16); and, on a 16 target, the memberships 16 records for the creator of a role created by
// a CREATEROLE non-superuser (ADMIN, without INHERIT or SET: administration only, 13 has no such rows).
import type { Client } from 'pg';
import type { ServerCheck } from '../check';
import { ident } from '../read/names';
import { check } from '../report';

/** Roles each server version or RDS brings (not the user's). */
export const BUILT_IN_ROLE = /^(pg_|rds_)|^(rdsadmin|rdstopmgr|rdsrepladmin)$/;

export const ROLES_SQL = `
SELECT r.rolname::text AS name,
       concat_ws(' ',
         CASE WHEN r.rolsuper THEN 'SUPERUSER' END, CASE WHEN NOT r.rolinherit THEN 'NOINHERIT' END,
         CASE WHEN r.rolcreaterole THEN 'CREATEROLE' END, CASE WHEN r.rolcreatedb THEN 'CREATEDB' END,
         CASE WHEN r.rolcanlogin THEN 'LOGIN' ELSE 'NOLOGIN' END, CASE WHEN r.rolreplication THEN 'REPLICATION' END,
         CASE WHEN r.rolbypassrls THEN 'BYPASSRLS' END,
         CASE WHEN r.rolconnlimit <> -1 THEN 'CONNECTION LIMIT ' || r.rolconnlimit END,
         'VALID UNTIL ' || r.rolvaliduntil::text,
         (SELECT 'SET ' || string_agg(s, ', ' ORDER BY s COLLATE "C") FROM pg_catalog.unnest(r.rolconfig) s)) AS attributes
FROM pg_catalog.pg_roles r`;

/** Memberships; set_option/inherit_option exist from 16 (NULL before). */
export const MEMBERS_SQL = `
SELECT g.rolname::text AS role, m.rolname::text AS member, am.admin_option,
       (pg_catalog.to_jsonb(am) ->> 'set_option')::boolean AS set_option,
       (pg_catalog.to_jsonb(am) ->> 'inherit_option')::boolean AS inherit_option
FROM pg_catalog.pg_auth_members am
JOIN pg_catalog.pg_roles g ON g.oid = am.roleid
JOIN pg_catalog.pg_roles m ON m.oid = am.member`;

/** Predefined roles that do not exist in PostgreSQL 13 (so a membership in them cannot be on a 13 source). */
export const ROLES_NEWER_THAN_13 = [
  'pg_database_owner',
  'pg_read_all_data',
  'pg_write_all_data',
  'pg_checkpoint',
  'pg_use_reserved_connections',
  'pg_create_subscription',
];

interface Roles {
  attributes: Map<string, string>;
  members: Map<string, string>;
  all: Set<string>;
  ignoredAdminRows: number;
}

async function read(c: Client): Promise<Roles> {
  const roles = (await c.query<{ name: string; attributes: string }>(ROLES_SQL)).rows;
  const all = new Set(roles.map((r) => r.name));
  const attributes = new Map(roles.filter((r) => !BUILT_IN_ROLE.test(r.name)).map((r) => [r.name, r.attributes]));
  const members = new Map<string, string>();
  let ignoredAdminRows = 0;
  for (const m of (
    await c.query<{
      role: string;
      member: string;
      admin_option: boolean;
      set_option: boolean | null;
      inherit_option: boolean | null;
    }>(MEMBERS_SQL)
  ).rows) {
    if (BUILT_IN_ROLE.test(m.member) || /^rds/.test(m.role)) continue;
    if (m.admin_option && m.set_option === false && m.inherit_option === false) {
      ignoredAdminRows++;
      continue;
    }
    members.set(`${ident(m.member)} member of ${ident(m.role)}`, m.admin_option ? 'WITH ADMIN OPTION' : '');
  }
  return { attributes, members, all, ignoredAdminRows };
}

export const roles: ServerCheck = {
  name: 'roles',
  async run(ctx) {
    if (!ctx.source) return [];
    const [s, t] = [await read(ctx.source.client), await read(ctx.target.client)];
    const problems: string[] = [];
    for (const [name, a] of s.attributes) {
      const b = t.attributes.get(name);
      if (b === undefined) problems.push(`missing on target: role ${ident(name)} (${a})`);
      else if (a !== b) problems.push(`differs: role ${ident(name)}: source "${a}" | target "${b}"`);
    }
    for (const [name, b] of t.attributes)
      if (!s.attributes.has(name)) problems.push(`extra on target: role ${ident(name)} (${b})`);
    const newer = (k: string): boolean => ROLES_NEWER_THAN_13.some((r) => k.endsWith(` member of ${r}`));
    let ignoredNewer = 0;
    for (const [k, a] of s.members) {
      const b = t.members.get(k);
      if (b === undefined) problems.push(`missing on target: ${k}${a ? ` ${a}` : ''}`);
      else if (a !== b)
        problems.push(`differs: ${k}: source "${a || 'no admin option'}" | target "${b || 'no admin option'}"`);
    }
    for (const [k, b] of t.members) {
      if (s.members.has(k)) continue;
      const role = k.slice(k.indexOf(' member of ') + 11);
      if (newer(k) && !s.all.has(role)) ignoredNewer++;
      else problems.push(`extra on target: ${k}${b ? ` ${b}` : ''}`);
    }
    problems.sort();
    const ignored = [
      'predefined pg_* roles and RDS roles (rdsadmin, rds_*) themselves',
      ignoredNewer ? `${ignoredNewer} membership(s) in predefined roles the source's version does not have` : '',
      t.ignoredAdminRows ? `${t.ignoredAdminRows} administration-only membership(s) 16 records for role creators` : '',
    ]
      .filter(Boolean)
      .join('; ');
    const what = `${s.attributes.size} roles and ${s.members.size} memberships on the source (passwords not compared; ignored: ${ignored})`;
    return problems.length
      ? [
          check(
            'roles',
            'fail',
            `${problems.length} difference(s) in ${what}: create or alter the roles and GRANT the memberships on the target`,
            problems,
          ),
        ]
      : [check('roles', 'pass', `identical: ${what}`)];
  },
};
