// Copies one database from a PostgreSQL 13 server to a PostgreSQL 16 server at one point in time: `pg_dump` (one
// consistent snapshot, or the --snapshot a caller exported) piped into `psql` running the whole restore in a single
// transaction with ON_ERROR_STOP, so a failure leaves the target database empty rather than half-restored.
// Both sides use verified TLS (PGSSLMODE=verify-full + PGSSLROOTCERT); the password travels in PGPASSWORD, never
// in argv. Debian's pg_dump 15 dumps a 13 server (and refuses a 16 one); psql 15 talks to both.
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Client } from 'pg';
import { connect, ConnectionTarget, redactSecret, resolveTarget, trustedCaPem, withDatabase } from './connection';

export interface CopyOptions {
  source: string | ConnectionTarget;
  target: string | ConnectionTarget;
  /** Database to copy (default: the source target's database). It gets the same name on the target. */
  database?: string;
  /** Another name for it on the target (e.g. a scratch database for a trial restore). */
  targetDatabase?: string;
  /** Create the target database when it does not exist (default true). */
  createDatabase?: boolean;
  /** Copy the schema only (pg_dump --schema-only), e.g. before logical replication fills the tables. */
  schemaOnly?: boolean;
  /** Dump at this exported snapshot (pg_export_snapshot() on the source, transaction kept open by the caller). */
  snapshot?: string;
  /**
   * Keep owners and privileges (default true): the restore runs ALTER ... OWNER and GRANT/REVOKE as the source has
   * them, and the database's own owner and privileges are set to the source's. Every role they name must exist on
   * the target first (lib/pg/roles.ts copyRoles), or the restore fails (nothing committed). false: pg_dump
   * --no-owner --no-privileges (everything owned by the restoring role, no grants).
   */
  ownersAndPrivileges?: boolean;
  insecure?: boolean;
  env?: NodeJS.ProcessEnv;
  onProgress?: (message: string) => void;
}

export interface CopyResult {
  database: string;
  /** Bytes of SQL that went through the pipe. */
  bytes: number;
  seconds: number;
}

/** Throws a clear error when a PostgreSQL client program is missing. */
export function requireClientTool(tool: 'pg_dump' | 'psql'): string {
  const r = spawnSync(tool, ['--version'], { encoding: 'utf8' });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error(
      `${tool} not found on PATH: install the PostgreSQL client tools (Debian/Ubuntu: apt-get install postgresql-client)`,
    );
  }
  if (r.status !== 0) throw new Error(`${tool} --version failed: ${(r.stderr || '').trim()}`);
  return r.stdout.trim();
}

/** The libpq environment for `t`: verified TLS, password in PGPASSWORD, nothing inherited from the caller's PG*. */
export function libpqEnv(
  t: ConnectionTarget,
  caFile: string | undefined,
  base: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base)) if (!k.startsWith('PG')) env[k] = v;
  env.PGHOST = t.host;
  if (t.hostaddr) env.PGHOSTADDR = t.hostaddr;
  env.PGPORT = String(t.port);
  env.PGUSER = t.user;
  env.PGDATABASE = t.database;
  if (t.password !== undefined) env.PGPASSWORD = t.password;
  env.PGCONNECT_TIMEOUT = String(Math.max(1, Math.round(t.connectTimeoutSec)));
  env.PGAPPNAME = 'tj-pg-upgrade copy';
  if (t.transport === 'plain') env.PGSSLMODE = 'disable';
  else {
    env.PGSSLMODE = t.transport === 'tls-or-plain' ? 'prefer' : 'verify-full';
    if (caFile) env.PGSSLROOTCERT = caFile;
    if (t.sslcert && t.sslkey) {
      env.PGSSLCERT = t.sslcert;
      env.PGSSLKEY = t.sslkey;
    }
  }
  return env;
}

function tail(text: string, secret: string | undefined, lines = 4): string {
  return redactSecret(text.trim().split('\n').filter(Boolean).slice(-lines).join(' | '), secret);
}

/** Encoding of the source database, so the target database is created with the same one. */
async function sourceEncoding(src: ConnectionTarget): Promise<string> {
  const c = await connect(src);
  try {
    return (
      await c.query(
        'SELECT pg_catalog.pg_encoding_to_char(encoding) AS e FROM pg_catalog.pg_database WHERE datname = current_database()',
      )
    ).rows[0].e;
  } finally {
    await c.end().catch(() => undefined);
  }
}

async function ensureTargetDatabase(
  tgt: ConnectionTarget,
  database: string,
  create: boolean,
  encoding: string,
): Promise<void> {
  let admin: Client | undefined;
  for (const maint of ['postgres', 'template1']) {
    try {
      admin = await connect(withDatabase(tgt, maint));
      break;
    } catch (err) {
      if (maint === 'template1') throw err;
    }
  }
  try {
    const exists =
      (await admin!.query('SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1', [database])).rowCount! > 0;
    if (!exists) {
      if (!create) throw new Error(`target database "${database}" does not exist on ${tgt.endpoint}`);
      // UTF8 keeps the target cluster's locale; any other encoding needs a locale that fits it, C always does.
      const locale = encoding === 'UTF8' ? '' : ` LC_COLLATE 'C' LC_CTYPE 'C'`;
      await admin!.query(
        `CREATE DATABASE "${database.replace(/"/g, '""')}" TEMPLATE template0 ENCODING '${encoding.replace(/'/g, '')}'${locale}`,
      );
    }
  } finally {
    await admin!.end().catch(() => undefined);
  }
  const db = await connect(withDatabase(tgt, database));
  try {
    const n = Number(
      (
        await db.query(`SELECT count(*) AS n FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace ns ON ns.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND ns.nspname NOT IN ('pg_catalog', 'information_schema') AND ns.nspname !~ '^pg_toast'`)
      ).rows[0].n,
    );
    if (n > 0)
      throw new Error(
        `target database "${database}" on ${tgt.endpoint} is not empty (${n} relations): copy only into an empty database`,
      );
  } finally {
    await db.end().catch(() => undefined);
  }
}

function waitExit(p: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    p.once('error', reject);
    p.once('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/** Copies `database` from source to target (same name), dump | restore, both over verified TLS. */
export async function copyDatabase(opts: CopyOptions): Promise<CopyResult> {
  const started = Date.now();
  const resolve = (x: string | ConnectionTarget): ConnectionTarget =>
    typeof x === 'object' ? x : resolveTarget(x, { env: opts.env, insecure: opts.insecure });
  const srcBase = resolve(opts.source);
  const database = opts.database ?? srcBase.database;
  const src = withDatabase(srcBase, database);
  const tgt = withDatabase(resolve(opts.target), opts.targetDatabase ?? database);
  requireClientTool('pg_dump');
  requireClientTool('psql');
  opts.onProgress?.(`preparing target database ${database} on ${tgt.endpoint}`);
  await ensureTargetDatabase(tgt, tgt.database, opts.createDatabase ?? true, await sourceEncoding(src));

  // libpq needs CA files; Node's default trust (no sslrootcert) is written out as a bundle for the run.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tj-copy-'));
  const caFile = (t: ConnectionTarget): string | undefined => {
    if (t.transport === 'plain') return undefined;
    if (t.trust.kind === 'file') return t.trust.path;
    const f = path.join(tmp, `ca-${crypto.randomBytes(4).toString('hex')}.pem`);
    fs.writeFileSync(f, trustedCaPem(t.trust), { mode: 0o600 });
    return f;
  };
  try {
    const keep = opts.ownersAndPrivileges ?? true;
    const dumpArgs = [
      ...(keep ? [] : ['--no-owner', '--no-privileges']),
      '--no-publications',
      '--no-subscriptions',
      '--format=plain',
    ];
    if (opts.schemaOnly) dumpArgs.push('--schema-only');
    if (opts.snapshot) dumpArgs.push(`--snapshot=${opts.snapshot}`);
    opts.onProgress?.(`pg_dump ${src.display} | psql ${tgt.display}`);
    const dump = spawn('pg_dump', dumpArgs, {
      env: libpqEnv(src, caFile(src), opts.env ?? process.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const restore = spawn('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '--single-transaction', '-o', '/dev/null'], {
      env: libpqEnv(tgt, caFile(tgt), opts.env ?? process.env),
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let dumpErr = '';
    let restoreErr = '';
    let bytes = 0;
    dump.stderr!.on('data', (d) => (dumpErr += d));
    restore.stderr!.on('data', (d) => (restoreErr += d));
    dump.stdout!.on('data', (d: Buffer) => (bytes += d.length));
    restore.stdin!.on('error', () => undefined); // psql died early: its own exit code and stderr explain why
    dump.stdout!.pipe(restore.stdin!);
    const [dumpCode, restoreCode] = await Promise.all([waitExit(dump), waitExit(restore)]);
    if (dumpCode !== 0) {
      throw new Error(
        `pg_dump of ${src.display} failed (exit ${dumpCode}): ${tail(dumpErr, src.password) || 'no message'}; nothing was committed on the target`,
      );
    }
    if (restoreCode !== 0) {
      throw new Error(
        `psql restore into ${tgt.display} failed (exit ${restoreCode}): ${tail(restoreErr, tgt.password) || 'no message'}; the restore ran in one transaction, nothing was committed`,
      );
    }
    if (keep) await copyDatabaseOwnerAndPrivileges(src, tgt);
    return { database, bytes, seconds: (Date.now() - started) / 1000 };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * The database's own owner and privileges (CONNECT, CREATE, TEMPORARY; pg_dump without --create carries neither):
 * the source's owner, then exactly the source's effective ACL (every privilege revoked first, then each of the
 * source's grants made again).
 */
async function copyDatabaseOwnerAndPrivileges(src: ConnectionTarget, tgt: ConnectionTarget): Promise<void> {
  const q = (v: string): string => `"${v.replace(/"/g, '""')}"`;
  const c = await connect(src);
  let owner: string;
  let grants: { grantee: string | null; privilege: string; grantable: boolean }[];
  try {
    owner = (
      await c.query(
        `SELECT pg_catalog.pg_get_userbyid(datdba) AS o FROM pg_catalog.pg_database WHERE datname = current_database()`,
      )
    ).rows[0].o;
    grants = (
      await c.query(`SELECT CASE WHEN a.grantee = 0 THEN NULL ELSE pg_catalog.pg_get_userbyid(a.grantee) END AS grantee,
                            a.privilege_type AS privilege, a.is_grantable AS grantable
                     FROM pg_catalog.pg_database d, pg_catalog.aclexplode(coalesce(d.datacl, pg_catalog.acldefault('d', d.datdba))) a
                     WHERE d.datname = current_database()`)
    ).rows;
  } finally {
    await c.end().catch(() => undefined);
  }
  const t = await connect(tgt);
  try {
    const db = q(tgt.database);
    await t.query('BEGIN');
    await t.query(`ALTER DATABASE ${db} OWNER TO ${q(owner)}`);
    await t.query(`REVOKE ALL ON DATABASE ${db} FROM PUBLIC, ${q(owner)}`);
    for (const g of grants)
      await t.query(
        `GRANT ${g.privilege} ON DATABASE ${db} TO ${g.grantee === null ? 'PUBLIC' : q(g.grantee)}${g.grantable ? ' WITH GRANT OPTION' : ''}`,
      );
    await t.query('COMMIT');
  } catch (err) {
    await t.query('ROLLBACK').catch(() => undefined);
    throw new Error(
      `setting the owner and privileges of database ${tgt.database} on ${tgt.endpoint} failed: ${(err as Error).message}`,
    );
  } finally {
    await t.end().catch(() => undefined);
  }
}

/** Runs a SQL script file with psql (ON_ERROR_STOP, one transaction) over verified TLS, e.g. to load a sample. */
export async function runSqlFile(opts: {
  target: string | ConnectionTarget;
  file: string;
  database?: string;
  insecure?: boolean;
  env?: NodeJS.ProcessEnv;
}): Promise<void> {
  const base =
    typeof opts.target === 'object'
      ? opts.target
      : resolveTarget(opts.target, { env: opts.env, insecure: opts.insecure });
  const t = opts.database ? withDatabase(base, opts.database) : base;
  requireClientTool('psql');
  if (!fs.existsSync(opts.file)) throw new Error(`SQL file not found: ${opts.file}`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tj-psql-'));
  try {
    let ca: string | undefined;
    if (t.transport !== 'plain') {
      if (t.trust.kind === 'file') ca = t.trust.path;
      else {
        ca = path.join(tmp, 'ca.pem');
        fs.writeFileSync(ca, trustedCaPem(t.trust), { mode: 0o600 });
      }
    }
    const p = spawn(
      'psql',
      ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '--single-transaction', '-o', '/dev/null', '-f', opts.file],
      {
        env: libpqEnv(t, ca, opts.env ?? process.env),
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let err = '';
    p.stderr!.on('data', (d) => (err += d));
    const code = await waitExit(p);
    if (code !== 0)
      throw new Error(
        `psql -f ${opts.file} on ${t.display} failed (exit ${code}): ${tail(err, t.password) || 'no message'}`,
      );
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * The exact schema-restore check: pg_dump --schema-only of `database` (owners and privileges kept, so the roles must
 * exist on the target server: copyRoles) replayed into a scratch database on the target server in one transaction,
 * then the scratch database dropped, whatever happened. Returns the restore's error instead of throwing it.
 */
export async function replaySchema(opts: {
  source: ConnectionTarget;
  target: ConnectionTarget;
  database: string;
  env?: NodeJS.ProcessEnv;
}): Promise<{ ok: true } | { ok: false; error: string }> {
  const scratch = `tj_replay_${crypto.randomBytes(4).toString('hex')}`;
  try {
    await copyDatabase({
      source: opts.source,
      target: opts.target,
      database: opts.database,
      targetDatabase: scratch,
      schemaOnly: true,
      env: opts.env ?? {},
    });
    return { ok: true };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  } finally {
    const admin = await connect(withDatabase(opts.target, 'postgres'));
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${scratch}`);
    } finally {
      await admin.end().catch(() => undefined);
    }
  }
}
