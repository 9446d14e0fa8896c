// Sessions the checks read through: pinned output settings (so equal data has the same text form on 13 and 16), a
// small pool of READ ONLY REPEATABLE READ transactions per side that all share one exported snapshot (so each side
// is read at a single point in time however many workers there are), the pair of pools validate and rollback-report
// open (withPools), and what a session learns about its server (serverFacts).
import type { Client } from 'pg';
import { connect, ConnectOptions, ConnectionTarget } from '../lib/pg/connection';
import type { Deadline } from '../lib/pg/deadline';
import { PINNED_SETTINGS } from './settings';

export interface SnapshotPool {
  clients: Client[];
  /** The exported snapshot every worker uses, or undefined when the server could not export one. */
  snapshot?: string;
  /** Why there is no shared snapshot (each worker then has its own, taken within milliseconds). */
  snapshotProblem?: string;
  close(): Promise<void>;
}

/** Opens `size` pinned sessions on `t`, each in a READ ONLY REPEATABLE READ transaction on one shared snapshot. */
export async function openSnapshotPool(
  t: ConnectionTarget,
  size: number,
  extraSettings: Record<string, string> = {},
  how: Pick<ConnectOptions, 'side' | 'deadline'> = {},
): Promise<SnapshotPool> {
  const clients: Client[] = [];
  const close = async (): Promise<void> => {
    await Promise.all(
      clients.map(async (c) => {
        await c.query('ROLLBACK').catch(() => undefined);
        await c.end().catch(() => undefined);
      }),
    );
  };
  try {
    const settled = await Promise.allSettled(
      Array.from({ length: Math.max(1, size) }, () =>
        connect(t, { ...how, settings: { ...PINNED_SETTINGS, ...extraSettings } }),
      ),
    );
    for (const s of settled) if (s.status === 'fulfilled') clients.push(s.value);
    const failed = settled.find((s) => s.status === 'rejected') as PromiseRejectedResult | undefined;
    if (failed) throw failed.reason;
    await clients[0].query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    let snapshot: string | undefined;
    let snapshotProblem: string | undefined;
    try {
      // Not in a savepoint: snapshots cannot be exported from a subtransaction.
      snapshot = (await clients[0].query('SELECT pg_catalog.pg_export_snapshot() AS id')).rows[0].id as string;
    } catch (err) {
      snapshotProblem = (err as Error).message;
      await clients[0].query('ROLLBACK');
      await clients[0].query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    }
    for (const c of clients.slice(1)) {
      await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      if (snapshot) await c.query(`SET TRANSACTION SNAPSHOT '${snapshot.replace(/'/g, "''")}'`);
    }
    return { clients, snapshot, snapshotProblem, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** One side of withPools: where to connect, and settings on top of PINNED_SETTINGS (READ_ONLY for a source). */
export interface PoolSide {
  target: ConnectionTarget;
  settings?: Record<string, string>;
  /** "source" / "target": named when a connection is lost; and the run's deadline (lib/pg/deadline.ts). */
  side?: string;
  deadline?: Deadline;
}

/**
 * Opens `jobs` snapshot sessions on each side (a first, then b), runs `fn`, and always closes both pools. If b cannot
 * be opened, a is closed before the error is rethrown: no session is left behind.
 */
export async function withPools<T>(
  a: PoolSide,
  b: PoolSide,
  jobs: number,
  fn: (a: SnapshotPool, b: SnapshotPool) => Promise<T>,
): Promise<T> {
  const pa = await openSnapshotPool(a.target, jobs, a.settings, a);
  let pb: SnapshotPool;
  try {
    pb = await openSnapshotPool(b.target, jobs, b.settings, b);
  } catch (err) {
    await pa.close();
    throw err;
  }
  try {
    return await fn(pa, pb);
  } finally {
    await Promise.all([pa.close(), pb.close()]);
  }
}

/** What a session learns about its server: server_version, and the TLS parameters pg_stat_ssl reports for it. */
export interface ServerFacts {
  version: string;
  ssl?: { version: string; cipher: string; bits: number };
}

export async function serverFacts(c: Client): Promise<ServerFacts> {
  const r = (
    await c.query(`SELECT current_setting('server_version') AS v,
      (SELECT row_to_json(s) FROM (SELECT ssl, version, cipher, bits FROM pg_catalog.pg_stat_ssl WHERE pid = pg_catalog.pg_backend_pid()) s) AS ssl`)
  ).rows[0];
  return {
    version: String(r.v),
    ssl: r.ssl && r.ssl.ssl ? { version: r.ssl.version, cipher: r.ssl.cipher, bits: r.ssl.bits } : undefined,
  };
}

/** "16.9" from a server_version such as "16.9 (Debian 16.9-1)". */
export function versionNumber(serverVersion: string): string {
  return serverVersion.split(/\s/)[0];
}

/** Runs `work` over `items` with one worker per pair of clients (source i, target i). */
export async function runPaired<T>(
  items: T[],
  source: Client[],
  target: Client[],
  work: (item: T, src: Client, tgt: Client) => Promise<void>,
): Promise<void> {
  let next = 0;
  const workers = Math.min(source.length, target.length);
  let failure: unknown;
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      while (failure === undefined && next < items.length) {
        const item = items[next++];
        try {
          await work(item, source[w], target[w]);
        } catch (err) {
          failure = err;
        }
      }
    }),
  );
  if (failure !== undefined) throw failure;
}

/** Double-quotes an identifier. */
export function qi(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
