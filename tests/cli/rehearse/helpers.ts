// Runs the real `tj-pg-upgrade rehearse` (bin/tj-pg-upgrade.js) in a child process, as a user would: with its own
// TMPDIR (so the test can prove nothing is left there), optionally as an unprivileged user when the tests run as root
// (so both "root, PostgreSQL as nobody" and "normal user" are exercised), and with a hook on stderr lines (to send a
// signal at a chosen phase).
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const BIN = path.join(__dirname, '..', '..', '..', 'bin', 'tj-pg-upgrade.js');

export interface RehearseRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Extra environment (PG* and TJ_PG_* of the test process are never passed on). */
  env?: Record<string, string>;
  /** TMPDIR of the child. */
  tmpdir?: string;
  /** Run as this uid/gid (e.g. nobody when the tests run as root). */
  user?: { uid: number; gid: number };
  /** Called with each stderr line and the child, e.g. to send SIGINT mid-run. */
  onStderrLine?: (line: string, child: ReturnType<typeof spawn>) => void;
}

export function runRehearse(args: string[], opts: RunOptions = {}): Promise<RehearseRun> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PG') && !k.startsWith('TJ_PG_')) env[k] = v;
  Object.assign(env, opts.env ?? {});
  if (opts.tmpdir) env.TMPDIR = opts.tmpdir;
  if (opts.user) env.HOME = opts.tmpdir ?? os.tmpdir();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'rehearse', ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(opts.user ? { uid: opts.user.uid, gid: opts.user.gid } : {}),
    });
    let stdout = '';
    let stderr = '';
    let partial = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d;
      partial += d.toString();
      const lines = partial.split('\n');
      partial = lines.pop()!;
      for (const l of lines) opts.onStderrLine?.(l, child);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** uid/gid of `nobody` when this process is root (else undefined: the tests already run as a normal user). */
export function unprivilegedUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const entry = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .map((l) => l.split(':'))
    .find((f) => f[0] === (process.env.TJ_PG_RUN_AS || 'nobody'));
  if (!entry) throw new Error('no user nobody to run the rehearsal as');
  return { uid: Number(entry[2]), gid: Number(entry[3]) };
}

/** A scratch directory with `tmp/` (the child's TMPDIR), owned by `user` when given. */
export function scratch(user?: { uid: number; gid: number }): { dir: string; tmp: string; cleanup(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tj-rehearse-test-'));
  const tmp = path.join(dir, 'tmp');
  fs.mkdirSync(tmp);
  // Traversable, as a TMPDIR must be for the unprivileged user PostgreSQL runs as under root.
  fs.chmodSync(dir, 0o755);
  if (user) {
    fs.chownSync(dir, user.uid, user.gid);
    fs.chownSync(tmp, user.uid, user.gid);
  }
  return { dir, tmp, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/**
 * What a run left in its TMPDIR besides caches that are meant to stay (Node's v8 compile cache, the PostgreSQL
 * binaries copied for an unprivileged user): should be nothing.
 */
export function leftovers(tmpdir: string): string[] {
  return fs.readdirSync(tmpdir).filter((e) => !/^v8-compile-cache-|^tj-pg-native-/.test(e));
}

/** Processes whose command line mentions `needle` (a PostgreSQL server started under a path contains it). */
export function processesMentioning(needle: string): string[] {
  const out: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(needle)) out.push(`${pid}: ${cmd.trim()}`);
    } catch {
      /* gone */
    }
  }
  return out;
}

/** Every regular file under `dir` with its path relative to `dir`. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}
