// Logical replication from the local 13.21 source to the 16.9 clone, the way a low-downtime cutover is done:
// the schema is copied first (pg_dump --schema-only | psql, one transaction), then one publication per source database
// (FOR ALL TABLES) and one subscription per clone database copy the rows and stream every later change. At cutover the
// writes stop, the clone catches up, the subscriptions are dropped (the clone stands alone) and the sequences, which
// logical replication does not carry, are set to the source's values.
//
// The subscription connects from the 16.9 server process to the source with verify-full against the run's CA; the
// CA file and a libpq passfile (mode 0600) are placed in the clone's own directory, so the password never sits in
// the subscription's conninfo (pg_subscription) or on a command line.
import * as fs from 'fs';
import { Client } from 'pg';
import { compareSequences, fixSequence, readSequences } from '../../checks/read/sequences';
import { connect, ConnectionTarget, withDatabase } from '../../lib/pg/connection';
import { copyDatabase } from '../../lib/pg/copy';
import { LocalServer } from '../../lib/pg/local-server';
import { conninfoValue, sqlLiteral } from '../../lib/replication/sql';
import { fileForServer } from './servers';
import { sleep, throwIfAborted } from './workspace';

export const PUBLICATION = 'tj_rehearsal';

export interface ReplicationSetup {
  source: ConnectionTarget;
  clone: ConnectionTarget;
  cloneServer: LocalServer;
  /** Source endpoint as the clone's server process reaches it. */
  sourceHost: string;
  sourcePort: number;
  sourceUser: string;
  sourcePassword: string;
  caPem: string;
  databases: string[];
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

export interface Replication {
  databases: { name: string; subscription: string; tables: number }[];
  /** Seconds spent copying the schema. */
  schemaSeconds: number;
  /** The CA copy and the passfile the subscriptions connect with (removed when they are dropped). */
  files: string[];
}

const quoteConninfo = conninfoValue;
const passfileField = (v: string): string => v.replace(/\\/g, '\\\\').replace(/:/g, '\\:');
export const subscriptionName = (i: number): string => `tj_rehearsal_${i + 1}`;

async function withClient<T>(t: ConnectionTarget, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = await connect(t);
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** Copies the schema of every database and subscribes the clone to the source. Tables then fill in the background. */
export async function startReplication(s: ReplicationSetup): Promise<Replication> {
  const started = Date.now();
  for (const db of s.databases) {
    throwIfAborted(s.signal);
    s.onProgress?.(`schema of ${db}: pg_dump --schema-only | psql`);
    await copyDatabase({ source: s.source, target: s.clone, database: db, schemaOnly: true, env: {} });
  }
  const schemaSeconds = (Date.now() - started) / 1000;
  const caFile = fileForServer(s.cloneServer, 'replication-ca.pem', s.caPem, 0o644);
  const passfile = fileForServer(
    s.cloneServer,
    'replication.pgpass',
    `${passfileField(s.sourceHost)}:${s.sourcePort}:*:${passfileField(s.sourceUser)}:${passfileField(s.sourcePassword)}\n`,
    0o600,
  );
  const out: Replication['databases'] = [];
  for (const [i, db] of s.databases.entries()) {
    throwIfAborted(s.signal);
    const tables = await withClient(withDatabase(s.source, db), async (c) => {
      await c.query(`CREATE PUBLICATION ${PUBLICATION} FOR ALL TABLES`);
      return Number(
        (await c.query(`SELECT count(*) AS n FROM pg_catalog.pg_publication_tables WHERE pubname = $1`, [PUBLICATION]))
          .rows[0].n,
      );
    });
    const conninfo = [
      `host=${quoteConninfo(s.sourceHost)}`,
      `port=${s.sourcePort}`,
      `user=${quoteConninfo(s.sourceUser)}`,
      `dbname=${quoteConninfo(db)}`,
      'sslmode=verify-full',
      `sslrootcert=${quoteConninfo(caFile)}`,
      `passfile=${quoteConninfo(passfile)}`,
      // No client certificate. Named explicitly because libpq otherwise looks in ~/.postgresql of the server
      // process's HOME, which, under root, the unprivileged server user may not be allowed to read.
      `sslcert=${quoteConninfo(`${s.cloneServer.dir}/no-client-certificate.crt`)}`,
      'connect_timeout=10',
    ].join(' ');
    const name = subscriptionName(i);
    s.onProgress?.(`subscribing ${db} on the clone to ${s.sourceHost}:${s.sourcePort} (verify-full)`);
    await withClient(withDatabase(s.clone, db), (c) =>
      c.query(`CREATE SUBSCRIPTION ${name} CONNECTION ${sqlLiteral(conninfo)} PUBLICATION ${PUBLICATION}`),
    );
    out.push({ name: db, subscription: name, tables });
  }
  return { databases: out, schemaSeconds, files: [caFile, passfile] };
}

/** Waits until every table of every subscription finished its initial copy (pg_subscription_rel state 'r'). */
export async function waitForInitialSync(
  clone: ConnectionTarget,
  r: Replication,
  signal: AbortSignal | undefined,
  timeoutMs = 300_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const clients = await Promise.all(r.databases.map((d) => connect(withDatabase(clone, d.name))));
  try {
    for (;;) {
      let pending: string[] = [];
      for (const [i, c] of clients.entries()) {
        const rows = (
          await c.query(
            `SELECT sr.srrelid::pg_catalog.regclass::text AS rel, sr.srsubstate AS state
          FROM pg_catalog.pg_subscription_rel sr JOIN pg_catalog.pg_subscription s ON s.oid = sr.srsubid
          WHERE s.subname = $1 AND sr.srsubstate <> 'r'`,
            [r.databases[i].subscription],
          )
        ).rows;
        pending = pending.concat(rows.map((x) => `${r.databases[i].name}: ${x.rel} (${x.state})`));
      }
      if (!pending.length) return;
      if (Date.now() > deadline)
        throw new Error(
          `initial table sync did not finish within ${timeoutMs / 1000} s; still copying: ${pending.slice(0, 5).join(', ')} (see the clone's server log)`,
        );
      await sleep(50, signal);
    }
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  }
}

/**
 * Drops the subscriptions on the clone (and with them the replication slots on the source), the publications, and
 * the passfile and CA copy the subscriptions used.
 */
export async function detachReplication(
  source: ConnectionTarget,
  clone: ConnectionTarget,
  r: Replication,
): Promise<void> {
  for (const d of r.databases) {
    await withClient(withDatabase(clone, d.name), (c) => c.query(`DROP SUBSCRIPTION IF EXISTS ${d.subscription}`));
    await withClient(withDatabase(source, d.name), (c) => c.query(`DROP PUBLICATION IF EXISTS ${PUBLICATION}`));
  }
  for (const f of r.files) fs.rmSync(f, { force: true });
}

/** Sets every clone sequence that differs from the source to the source's value. Returns what was changed. */
export async function syncSequences(
  source: ConnectionTarget,
  clone: ConnectionTarget,
  databases: string[],
): Promise<string[]> {
  const done: string[] = [];
  for (const db of databases) {
    const [s, t] = await Promise.all([
      withClient(withDatabase(source, db), readSequences),
      withClient(withDatabase(clone, db), readSequences),
    ]);
    const diffs = compareSequences(s, t);
    if (!diffs.length) continue;
    await withClient(withDatabase(clone, db), async (c) => {
      for (const d of diffs) done.push(`${db}: ${await fixSequence(c, d)}`);
    });
  }
  return done;
}
