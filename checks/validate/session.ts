// Sessions for validation: pinned output settings (so equal data has the same text form on 13 and 16), and a small
// pool of READ ONLY REPEATABLE READ transactions that all share one exported snapshot, so each side is read at a
// single point in time however many workers there are.
import { Client } from 'pg';
import { connect, ConnectionTarget } from '../../lib/pg/connection';
import { PINNED_SETTINGS } from '../settings';

export { PINNED_SETTINGS, READ_ONLY } from '../settings';

export interface SnapshotPool {
  clients: Client[];
  /** The exported snapshot every worker uses, or undefined when the server could not export one. */
  snapshot?: string;
  /** Why there is no shared snapshot (each worker then has its own, taken within milliseconds). */
  snapshotProblem?: string;
  close(): Promise<void>;
}

/** Opens `size` pinned sessions on `t`, each in a READ ONLY REPEATABLE READ transaction on one shared snapshot. */
export async function openSnapshotPool(t: ConnectionTarget, size: number, extraSettings: Record<string, string> = {}): Promise<SnapshotPool> {
  const clients: Client[] = [];
  const close = async (): Promise<void> => {
    await Promise.all(clients.map(async (c) => {
      await c.query('ROLLBACK').catch(() => undefined);
      await c.end().catch(() => undefined);
    }));
  };
  try {
    const settled = await Promise.allSettled(Array.from({ length: Math.max(1, size) }, () => connect(t, { settings: { ...PINNED_SETTINGS, ...extraSettings } })));
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
