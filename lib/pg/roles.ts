// Roles for a copy: before a dump that keeps owners and grants is restored on another server, every role the source
// has (but the predefined pg_* ones, which each server brings itself) must exist there, with its attributes,
// per-role settings and memberships. Read from pg_roles and pg_auth_members, which any role may read, so this works
// as a non-superuser on the source (RDS's master user); passwords are not in pg_roles (pg_authid is superuser-only),
// so roles are created without one unless the caller supplies it, and the result says which.
import { Client } from 'pg';
import { connect, ConnectionTarget } from './connection';

export interface RoleCopy {
  /** Roles created on the target (with the source's attributes). */
  created: string[];
  /** Roles that already existed on the target and were left as they are. */
  existing: string[];
  /** Memberships granted on the target ("member -> role"). */
  memberships: string[];
  /** Created LOGIN roles that got no password (they cannot log in with one until it is set). */
  withoutPassword: string[];
}

const qi = (s: string): string => `"${s.replace(/"/g, '""')}"`;
const lit = (s: string): string => `'${s.replace(/'/g, "''")}'`;

interface SourceRole {
  rolname: string;
  rolsuper: boolean;
  rolinherit: boolean;
  rolcreaterole: boolean;
  rolcreatedb: boolean;
  rolcanlogin: boolean;
  rolreplication: boolean;
  rolbypassrls: boolean;
  rolconnlimit: number;
  rolvaliduntil: string | null;
  rolconfig: string[] | null;
}

/** CREATE ROLE with the source role's attributes (pure). */
export function createRoleSql(r: SourceRole): string {
  const a = [
    r.rolsuper ? 'SUPERUSER' : 'NOSUPERUSER',
    r.rolinherit ? 'INHERIT' : 'NOINHERIT',
    r.rolcreaterole ? 'CREATEROLE' : 'NOCREATEROLE',
    r.rolcreatedb ? 'CREATEDB' : 'NOCREATEDB',
    r.rolcanlogin ? 'LOGIN' : 'NOLOGIN',
    r.rolreplication ? 'REPLICATION' : 'NOREPLICATION',
    r.rolbypassrls ? 'BYPASSRLS' : 'NOBYPASSRLS',
    `CONNECTION LIMIT ${Number(r.rolconnlimit)}`,
    ...(r.rolvaliduntil ? [`VALID UNTIL ${lit(r.rolvaliduntil)}`] : []),
  ];
  return `CREATE ROLE ${qi(r.rolname)} ${a.join(' ')}`;
}

const READ_ONLY = { default_transaction_read_only: 'on' };

async function withClient<T>(
  t: ConnectionTarget,
  settings: Record<string, string>,
  fn: (c: Client) => Promise<T>,
): Promise<T> {
  const c = await connect(t, { settings });
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}

/**
 * Creates on `target` every role of `source` that it lacks (not the pg_* ones), with the same attributes and
 * per-role settings, then grants the source's memberships. `passwords` sets the password of the roles named (e.g.
 * the application's user, which the copy must let in). Needs a superuser (or CREATEROLE) session on the target.
 */
export async function copyRoles(
  source: ConnectionTarget,
  target: ConnectionTarget,
  passwords: Record<string, string> = {},
): Promise<RoleCopy> {
  const [roles, members] = await withClient(source, READ_ONLY, async (c) => [
    (
      await c.query<SourceRole>(
        `SELECT rolname::text, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication, rolbypassrls,
                rolconnlimit, CASE WHEN rolvaliduntil IS NULL OR rolvaliduntil = 'infinity' THEN NULL ELSE rolvaliduntil::text END AS rolvaliduntil,
                rolconfig
         FROM pg_catalog.pg_roles WHERE rolname !~ '^pg_' ORDER BY rolname`,
      )
    ).rows,
    (
      await c.query<{ role: string; member: string; admin_option: boolean }>(
        `SELECT g.rolname::text AS role, m.rolname::text AS member, am.admin_option
         FROM pg_catalog.pg_auth_members am
         JOIN pg_catalog.pg_roles g ON g.oid = am.roleid JOIN pg_catalog.pg_roles m ON m.oid = am.member
         WHERE m.rolname !~ '^pg_' ORDER BY 2, 1`,
      )
    ).rows,
  ]);
  const out: RoleCopy = { created: [], existing: [], memberships: [], withoutPassword: [] };
  await withClient(target, {}, async (c) => {
    const have = new Set(
      (await c.query<{ rolname: string }>('SELECT rolname::text FROM pg_catalog.pg_roles')).rows.map((r) => r.rolname),
    );
    for (const r of roles) {
      if (have.has(r.rolname)) {
        out.existing.push(r.rolname);
      } else {
        await c.query(createRoleSql(r));
        for (const setting of r.rolconfig ?? []) {
          const eq = setting.indexOf('=');
          await c.query(`ALTER ROLE ${qi(r.rolname)} SET ${qi(setting.slice(0, eq))} = ${lit(setting.slice(eq + 1))}`);
        }
        out.created.push(r.rolname);
        have.add(r.rolname);
        if (r.rolcanlogin && passwords[r.rolname] === undefined) out.withoutPassword.push(r.rolname);
      }
      if (passwords[r.rolname] !== undefined)
        await c.query(`ALTER ROLE ${qi(r.rolname)} PASSWORD ${lit(passwords[r.rolname])}`);
    }
    for (const m of members) {
      if (!have.has(m.role) || !have.has(m.member)) continue;
      await c.query(`GRANT ${qi(m.role)} TO ${qi(m.member)}${m.admin_option ? ' WITH ADMIN OPTION' : ''}`);
      out.memberships.push(`${m.member} -> ${m.role}`);
    }
  });
  return out;
}

/**
 * Makes sure `name` can log in with `password` on the target (a rehearsal whose source user has a name the copy did
 * not create): created LOGIN CREATEDB when missing, its password set either way.
 */
export async function ensureLoginRole(target: ConnectionTarget, name: string, password: string): Promise<void> {
  await withClient(target, {}, async (c) => {
    const exists = (await c.query('SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1', [name])).rowCount! > 0;
    if (!exists) await c.query(`CREATE ROLE ${qi(name)} LOGIN CREATEDB`);
    await c.query(`ALTER ROLE ${qi(name)} LOGIN PASSWORD ${lit(password)}`);
  });
}
