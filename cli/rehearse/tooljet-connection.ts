// "Would ToolJet connect?", answered by connecting the way ToolJet does, with nothing but the rendered Docker .env:
// - the ToolJet server: a separate `node` process whose environment is exactly the .env's variables, connecting to
//   PG_DB and TOOLJET_DB with node-postgres and no `ssl` option (tooljet-probe.js), so PGSSLMODE and
//   NODE_EXTRA_CA_CERTS alone decide TLS and trust;
// - the same process without NODE_EXTRA_CA_CERTS must be refused: proof that verification is on and the bundle is
//   what makes it pass;
// - PostgREST: `psql` (libpq, like PostgREST) with PGRST_DB_URI (sslmode=verify-full&sslrootcert=...);
// - ToolJet's database setup: libpq `createdb` with PGPASSWORD=PG_PASS, PGSSLMODE and PGSSLROOTCERT, as ToolJet's
//   server/scripts/create-database.ts runs it at start ("already exists" is success there too).
// Docker bind-mounts the bundle at /certs/global-bundle.pem; here that container path is mapped to the file the
// override mounts (docker/certs/global-bundle.pem under --out), nothing else is changed.
import { spawn } from 'child_process';
import * as util from 'util';
import * as path from 'path';
import { check, CheckResult } from '../../checks/report';
import { CONTAINER_CA_PATH } from '../../targets/shared/render';
import { percentEncode } from '../../lib/percent-encode';

export interface ChildResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program with exactly `env`; never throws for a non-zero exit. */
export function runChild(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 30_000,
): Promise<ChildResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({
        code: -1,
        stdout,
        stderr: `${stderr}${(err as NodeJS.ErrnoException).code === 'ENOENT' ? `${cmd} not found on PATH` : err.message}`,
      });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}

/**
 * The variables of a .env text as docker compose hands them to the container (Node's own dotenv parser reads the
 * plain and single-quoted values we write the same way), with the bundle's container path replaced by `hostBundle`
 * (the file the compose override bind-mounts there).
 */
export function containerEnv(dotenvText: string, hostBundle: string): Record<string, string> {
  const vars = util.parseEnv(dotenvText) as Record<string, string>;
  const inUri = `sslrootcert=${percentEncode(CONTAINER_CA_PATH, '/')}`;
  // One pass, so a replacement is never scanned again (the host path may itself end in /certs/global-bundle.pem).
  const pattern = new RegExp(`${escapeRegExp(inUri)}|${escapeRegExp(CONTAINER_CA_PATH)}`, 'g');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(vars)) {
    out[k] = v.replace(pattern, (m) => (m === inUri ? `sslrootcert=${percentEncode(hostBundle, '/')}` : hostBundle));
  }
  return out;
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export interface ProbeSide {
  ssl: boolean;
  protocol: string;
  db: string;
  user: string;
  version: string;
  authorized: boolean;
}

export type ProbeResult = { main: ProbeSide; tooljetDb: ProbeSide } | { error: string; code?: string };

const PROBE = path.join(__dirname, 'tooljet-probe.js');

/** Runs tooljet-probe.js in a child `node` whose environment is `vars` (plus HOME, an empty scratch directory). */
export async function probeLikeToolJet(
  vars: Record<string, string>,
  home: string,
): Promise<{ result: ProbeResult; stderr: string }> {
  const r = await runChild(process.execPath, [PROBE, require.resolve('pg')], { ...vars, HOME: home });
  let result: ProbeResult;
  try {
    result = JSON.parse(r.stdout.trim().split('\n').pop() || '');
  } catch {
    result = {
      error: `the probe printed no result (exit ${r.code}): ${r.stderr.trim().split('\n').slice(-2).join(' ')}`,
    };
  }
  return { result, stderr: r.stderr };
}

/** libpq programs get a clean environment: no PG* of this process, no ~/.pgpass or ~/.postgresql. */
function libpqEnv(home: string, extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, PGCONNECT_TIMEOUT: '10' };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

/**
 * Moves the password out of a libpq URI (into PGPASSWORD for the child), so it never shows in a process list. libpq
 * treats a URI password and PGPASSWORD the same way; everything else in the URI is kept byte for byte.
 */
export function splitUriPassword(uri: string): { uri: string; password?: string } {
  const m = /^(postgres(?:ql)?:\/\/[^:@/?#]*):([^@/?#]*)@/.exec(uri);
  if (!m) return { uri };
  return { uri: `${m[1]}@${uri.slice(m[0].length)}`, password: decodeURIComponent(m[2]) };
}

const oneLine = (s: string): string => s.trim().split('\n').filter(Boolean).slice(-2).join(' | ');

export interface ToolJetConnectionOptions {
  /** The .env variables with the bundle path mapped to this machine. */
  vars: Record<string, string>;
  /** Expected server_version, e.g. "16.9". */
  expectVersion: string;
  /** An empty scratch directory (HOME of the children). */
  home: string;
  /** Secret values to scrub from any message. */
  redact: (text: string) => string;
  /** Also run ToolJet's createdb step (the clone; not the rollback drill against the source). */
  createdb?: boolean;
}

/** The checks of the "ToolJet connection" phase (or, for the rollback drill, of the connection to the source). */
export async function toolJetConnectionChecks(o: ToolJetConnectionOptions): Promise<CheckResult[]> {
  const v = o.vars;
  const checks: CheckResult[] = [];
  const where = `${v.PG_HOST}:${v.PG_PORT}`;

  if (o.createdb) {
    const created: string[] = [];
    let failed = '';
    for (const db of [v.PG_DB, v.TOOLJET_DB]) {
      const r = await runChild(
        'createdb',
        ['-h', v.PG_HOST, '-p', v.PG_PORT, '-U', v.PG_USER, db],
        libpqEnv(o.home, { PGPASSWORD: v.PG_PASS, PGSSLMODE: v.PGSSLMODE, PGSSLROOTCERT: v.PGSSLROOTCERT }),
      );
      if (r.code === 0) created.push(`${db}: created (as ToolJet does on first start)`);
      else if (/already exists/.test(r.stderr)) created.push(`${db}: exists`);
      else failed = `${db}: ${o.redact(oneLine(r.stderr))}`;
    }
    checks.push(
      failed
        ? check(
            'ToolJet database setup (createdb)',
            'fail',
            `libpq createdb with the .env's PGSSLMODE=${v.PGSSLMODE} and PGSSLROOTCERT failed at ${where}: ${failed}`,
          )
        : check(
            'ToolJet database setup (createdb)',
            'pass',
            `libpq createdb as ToolJet's create-database script runs it (PGPASSWORD, PGSSLMODE=${v.PGSSLMODE}, PGSSLROOTCERT from the .env) connected to ${where}: ${created.join('; ')}`,
          ),
    );
  }

  const probe = await probeLikeToolJet(v, o.home);
  const r = probe.result;
  if ('error' in r) {
    checks.push(
      check(
        'ToolJet server connection (node-postgres)',
        'fail',
        `a node process with only the .env's variables could not connect to ${where}: ${o.redact(r.error)}${r.code ? ` (${r.code})` : ''}`,
      ),
    );
  } else {
    const problems: string[] = [];
    for (const [label, side, db] of [
      ['PG_DB', r.main, v.PG_DB],
      ['TOOLJET_DB', r.tooljetDb, v.TOOLJET_DB],
    ] as const) {
      if (!side.ssl) problems.push(`${label}: not encrypted`);
      if (!side.authorized) problems.push(`${label}: certificate not verified`);
      if (side.db !== db) problems.push(`${label}: connected to ${side.db}, expected ${db}`);
      if (side.version !== o.expectVersion)
        problems.push(`${label}: server ${side.version}, expected ${o.expectVersion}`);
    }
    checks.push(
      problems.length
        ? check(
            'ToolJet server connection (node-postgres)',
            'fail',
            `connected to ${where}, but: ${problems.join('; ')}`,
          )
        : check(
            'ToolJet server connection (node-postgres)',
            'pass',
            `a node process with only the .env's variables (PGSSLMODE=${v.PGSSLMODE}, NODE_EXTRA_CA_CERTS=<the mounted bundle>, no ssl option, as server/ormconfig.ts) connected to ${v.PG_DB} and ${v.TOOLJET_DB} at ${where} as ${r.main.user}: ${r.main.protocol}, certificate verified, PostgreSQL ${r.main.version}`,
          ),
    );

    const { NODE_EXTRA_CA_CERTS: _bundle, ...withoutBundle } = v;
    const neg = (await probeLikeToolJet(withoutBundle, o.home)).result;
    const code = 'error' in neg ? (neg.code ?? '') : '';
    checks.push(
      /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT/.test(code)
        ? check(
            'TLS verification is on',
            'pass',
            `the same connection without NODE_EXTRA_CA_CERTS is refused (${code}): the bundle is what makes it trusted`,
          )
        : check(
            'TLS verification is on',
            'fail',
            `without NODE_EXTRA_CA_CERTS the connection was expected to fail certificate verification, got: ${'error' in neg ? o.redact(neg.error) : 'a successful connection'}`,
          ),
    );
  }

  const { uri, password } = splitUriPassword(v.PGRST_DB_URI ?? '');
  const ps = await runChild(
    'psql',
    [
      '-X',
      '-A',
      '-t',
      '-w',
      '-c',
      "SELECT ssl::text || ' ' || version || ' ' || current_setting('server_version') FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
      uri,
    ],
    libpqEnv(o.home, { PGPASSWORD: password }),
  );
  const [ssl, protocol, version] = ps.stdout.trim().split(' ');
  checks.push(
    ps.code === 0 && ssl === 'true' && version === o.expectVersion
      ? check(
          'PostgREST connection (libpq)',
          'pass',
          `psql with PGRST_DB_URI (sslmode=verify-full&sslrootcert=<the mounted bundle>) connected to ${v.TOOLJET_DB}: ${protocol}, PostgreSQL ${version}`,
        )
      : check(
          'PostgREST connection (libpq)',
          'fail',
          `psql with PGRST_DB_URI failed: ${o.redact(ps.code === 0 ? `ssl=${ssl}, version ${version}` : oneLine(ps.stderr))}`,
        ),
  );
  return checks;
}
