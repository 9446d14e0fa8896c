// Everything one rehearsal owns on this machine: a temporary work directory (CA, server data directories, scratch
// files), the PostgreSQL servers it started, and the secrets generated for the run (so every message can be scrubbed
// of them). cleanup() stops the servers and removes the directory unless --keep; an interrupt (Ctrl-C) always stops
// the servers. A process 'exit' hook removes the directory too if the process ends without cleanup().
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LocalServer } from '../../lib/pg/local-server';
import { redactSecret } from '../../lib/pg/connection';
import { RehearsalUsageError } from './outdir';

/** The rehearsal was interrupted (SIGINT/SIGTERM). */
export class RehearsalInterrupted extends Error {
  constructor(readonly signalName: string) {
    super(`interrupted by ${signalName}`);
    this.name = 'RehearsalInterrupted';
  }
}

/** Rejects with RehearsalInterrupted once `signal` is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new RehearsalInterrupted(String(signal.reason ?? 'SIGINT'));
}

/** setTimeout as a promise that rejects when the run is interrupted. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new RehearsalInterrupted(String(signal.reason ?? 'SIGINT')));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new RehearsalInterrupted(String(signal!.reason ?? 'SIGINT')));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A random password/key made of hex digits (safe in URLs, .env files, conninfo and passfiles). */
export function generateSecret(bytes: number): string {
  return crypto.randomBytes(bytes).toString('hex');
}

/** The user PostgreSQL runs as under root (lib/pg/local-server.ts: TJ_PG_RUN_AS, default nobody). */
function serverUser(): { name: string; uid: number; gid: number } | undefined {
  const name = process.env.TJ_PG_RUN_AS || 'nobody';
  const f = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .map((l) => l.split(':'))
    .find((x) => x[0] === name);
  return f ? { name, uid: Number(f[2]), gid: Number(f[3]) } : undefined;
}

/**
 * Under root the servers run as an unprivileged user, and their data directories live in the work directory under
 * TMPDIR: every directory on the way must let that user through, or initdb fails with a confusing message.
 */
function checkTraversable(dir: string, who: { name: string; uid: number; gid: number }): void {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const st = fs.statSync(d);
    const bit = st.uid === who.uid ? 0o100 : st.gid === who.gid ? 0o010 : 0o001;
    if (!(st.mode & bit)) {
      throw new RehearsalUsageError(
        `PostgreSQL runs as ${who.name} (this process is root), which cannot enter ${d} (mode ${(st.mode & 0o777).toString(8)}) on the way to the temporary directory ${dir}: set TMPDIR to a directory it can reach, such as /tmp`,
      );
    }
    if (path.dirname(d) === d) return;
  }
}

export class Workspace {
  readonly dir: string;
  private readonly servers: LocalServer[] = [];
  private readonly secrets = new Set<string>();
  private cleaned = false;
  private readonly onExit = (): void => {
    if (!this.keepFiles) fs.rmSync(this.dir, { recursive: true, force: true });
  };

  private constructor(
    dir: string,
    private keepFiles: boolean,
  ) {
    this.dir = dir;
    process.on('exit', this.onExit);
  }

  /**
   * Creates the work directory in the OS temp directory. Under root it is made traversable (0711) so that the
   * unprivileged user PostgreSQL runs as can reach its own data directory inside it; subdirectories holding keys
   * stay 0700.
   */
  static create(keep: boolean): Workspace {
    const runAs = process.getuid?.() === 0 ? serverUser() : undefined;
    if (runAs) checkTraversable(os.tmpdir(), runAs);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tj-rehearse-'));
    if (runAs) fs.chmodSync(dir, 0o711);
    return new Workspace(dir, keep);
  }

  /** A private subdirectory (0700). */
  subdir(name: string): string {
    const d = path.join(this.dir, name);
    fs.mkdirSync(d, { recursive: true, mode: 0o700 });
    return d;
  }

  track(server: LocalServer): LocalServer {
    this.servers.push(server);
    return server;
  }

  get liveServers(): readonly LocalServer[] {
    return this.servers;
  }

  /** Registers a secret value: redact() replaces it everywhere. */
  secret(value: string): string {
    this.secrets.add(value);
    return value;
  }

  /** `text` with every registered secret replaced by ***. */
  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) out = redactSecret(out, s);
    return out;
  }

  /** Stops every server (used at the end and, at once, on an interrupt). */
  async stopServers(): Promise<void> {
    await Promise.all(this.servers.splice(0).map((s) => s.stop().catch(() => undefined)));
  }

  /**
   * Ends the run. `keep`: leave the servers running (detached from this process) and every file in place.
   * Otherwise stop the servers and remove the work directory.
   */
  async cleanup(keep: boolean): Promise<void> {
    if (this.cleaned) return;
    this.cleaned = true;
    this.keepFiles = keep;
    if (keep) {
      for (const s of this.servers.splice(0)) s.detach();
    } else {
      await this.stopServers();
      fs.rmSync(this.dir, { recursive: true, force: true });
    }
    process.off('exit', this.onExit);
  }

  /** After an interrupt: stop the servers always; keep the files only with --keep. */
  async cleanupInterrupted(keepFiles: boolean): Promise<void> {
    if (this.cleaned) return;
    this.cleaned = true;
    this.keepFiles = keepFiles;
    await this.stopServers();
    if (!keepFiles) fs.rmSync(this.dir, { recursive: true, force: true });
    process.off('exit', this.onExit);
  }
}
