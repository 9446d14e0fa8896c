// Sessions for the bench's own measurements (raw scan, naive baseline): `jobs` pinned sessions per side, the source
// ones read-only, and the tables to read, scheduled as validate schedules them (biggest first, one table per
// session pair, both servers read at the same time). Opening sessions and listing tables is not timed.
import { Client } from 'pg';
import { key, listTables, planComparison, TableRef } from '../checks/read/content';
import { runPaired } from '../checks/session';
import { PINNED_SETTINGS, READ_ONLY } from '../checks/settings';
import { connect, ConnectionTarget } from '../lib/pg/connection';

export interface PairedSessions {
  source: Client[];
  target: Client[];
  /** Tables present with the same columns on both sides, biggest first. */
  tables: TableRef[];
  close(): Promise<void>;
}

export async function openPairedSessions(
  src: ConnectionTarget,
  tgt: ConnectionTarget,
  jobs: number,
): Promise<PairedSessions> {
  const source: Client[] = [];
  const target: Client[] = [];
  const close = async (): Promise<void> => {
    await Promise.all([...source, ...target].map((c) => c.end().catch(() => undefined)));
  };
  try {
    for (let i = 0; i < jobs; i++) {
      source.push(await connect(src, { settings: { ...PINNED_SETTINGS, ...READ_ONLY } }));
      target.push(await connect(tgt, { settings: PINNED_SETTINGS }));
    }
    const plan = planComparison(await listTables(source[0]), await listTables(target[0]));
    if (plan.skipped.length) {
      throw new Error(
        `source and target do not hold the same tables: ${plan.skipped.map((s) => `${s.table} (${s.skipped})`).join(', ')}`,
      );
    }
    return { source, target, tables: plan.work, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Runs `work` for every table with both sides' sessions; resolves to the results keyed schema.table. */
export async function forEachTable<T>(
  s: PairedSessions,
  work: (t: TableRef, src: Client, tgt: Client) => Promise<T>,
): Promise<Map<string, T>> {
  const out = new Map<string, T>();
  await runPaired(s.tables, s.source, s.target, async (t, a, b) => {
    out.set(key(t), await work(t, a, b));
  });
  return out;
}
