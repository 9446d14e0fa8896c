// The edge fixture (lib/fixture/edge.ts) on the shared pair: database chk_edge seeded with the same statements on the
// 13.21 source and the 16.9 target, once per mocha run. A test plants its difference in a copy of the target's
// (pair().copy, CREATE DATABASE ... TEMPLATE), so the fixture is seeded twice in all.
import { EDGE_FIXTURE_SQL } from '../../lib/fixture/edge';
import type { ConnectionTarget } from '../../lib/pg/connection';
import { pair } from './pair';

export const EDGE_DB = 'chk_edge';

let seeded: Promise<{ source: ConnectionTarget; target: ConnectionTarget }> | undefined;

/** chk_edge on both sides (seeded on first use). */
export function edgeDatabases(): Promise<{ source: ConnectionTarget; target: ConnectionTarget }> {
  seeded ??= pair().then((p) => p.databases(EDGE_DB, EDGE_FIXTURE_SQL, EDGE_FIXTURE_SQL));
  return seeded;
}

/** chk_edge on the source and a copy of the target's with `statements` run in it. */
export async function edgeWith(
  name: string,
  statements: string[],
): Promise<{ source: ConnectionTarget; target: ConnectionTarget }> {
  const { source } = await edgeDatabases();
  const target = await (await pair()).copy('target', EDGE_DB, name, statements);
  return { source, target };
}
