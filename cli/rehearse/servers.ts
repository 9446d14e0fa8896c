// The rehearsal's local servers: a CA generated for the run (it stands in for the RDS CA bundle, global-bundle.pem),
// the PostgreSQL 13.21 source seeded with the ToolJet fixture (when no --source is given) and the PostgreSQL 16.9
// clone, both TLS-only (hostssl) with certificates from that CA.
import * as fs from 'fs';
import * as path from 'path';
import { Client } from 'pg';
import { fixtureCounts, FixtureCounts, seedToolJetDatabase, seedToolJetFixture } from '../../lib/fixture';
import { connect, ConnectionTarget, resolveTarget, withDatabase } from '../../lib/pg/connection';
import { LocalServer, PgMajor, startLocalServer } from '../../lib/pg/local-server';
import {
  CertificateAuthority,
  createCertificateAuthority,
  issueServerCertificate,
  ServerCertificate,
} from '../../lib/tls/ca';
import { Workspace } from './workspace';

/** Names the fixture uses: ToolJet's defaults in this project's stack configuration. */
export const FIXTURE = {
  user: 'tooljet',
  database: 'tooljet_production',
  tooljetDatabase: 'tooljet_db',
  /** The source is addressed by IP and the clone by name, so a rollback visibly moves the host. */
  sourceHost: '127.0.0.1',
  cloneHost: 'localhost',
  /**
   * The clone server's bootstrap superuser, as on RDS (rdsadmin: a role validate and the copy treat as RDS's own).
   * ToolJet's user is then a role of its own on the clone, created from the source's with its attributes, so a
   * clone keeps the source's roles as an RDS snapshot does.
   */
  cloneSuperuser: 'rdsadmin',
} as const;

export interface RunTls {
  ca: CertificateAuthority;
  /** The CA certificate (PEM): the run's "RDS CA bundle". */
  caPem: string;
  cert: ServerCertificate;
}

/** A CA for the run and one server certificate for localhost, 127.0.0.1 and ::1 (both servers use it). */
export function makeRunTls(ws: Workspace): RunTls {
  const dir = ws.subdir('ca');
  const ca = createCertificateAuthority(dir, 'tj-pg-upgrade rehearsal CA', 7);
  const cert = issueServerCertificate(ca, dir, { days: 7 });
  return { ca, caPem: fs.readFileSync(ca.certFile, 'utf8'), cert };
}

export async function startRunServer(
  ws: Workspace,
  tls: RunTls,
  major: PgMajor,
  user: string,
  password: string,
  keep: boolean,
  settings: Record<string, string> = {},
): Promise<LocalServer> {
  const server = await startLocalServer({ major, tls: tls.cert, user, password, baseDir: ws.dir, keep, settings });
  return ws.track(server);
}

/** A verify-full connection target for a local server, reached at `host`, trusting the run's CA. */
export function localTarget(
  server: LocalServer,
  host: string,
  database: string,
  tls: RunTls,
  applicationName: string,
): ConnectionTarget {
  const url = server
    .url(database, { sslmode: 'verify-full', sslrootcert: tls.ca.certFile })
    .replace(`@${server.host}:`, `@${host}:`);
  return resolveTarget(url, { env: {}, applicationName });
}

/**
 * Settings that let the 13.21 source publish (logical replication) to the clone: a walsender and a slot for each
 * subscription and each table-sync worker. synchronous_commit is on, as on RDS: with it off (the local servers'
 * default) a walsender only sees a commit once the WAL writer flushes it, which would inflate the measured catch-up.
 */
export const SOURCE_SETTINGS = {
  wal_level: 'logical',
  max_wal_senders: '40',
  max_replication_slots: '40',
  synchronous_commit: 'on',
};
/**
 * Enough workers on the clone to copy every fixture table at once (the apply worker starts a new table-sync worker
 * only about once a second, so a small pool makes the initial copy of many small tables slow). On a subscriber
 * max_replication_slots bounds the replication origins, one per apply and table-sync worker.
 */
export const CLONE_SETTINGS = {
  max_replication_slots: '40',
  max_logical_replication_workers: '24',
  max_sync_workers_per_subscription: '16',
  max_worker_processes: '32',
};

export interface FixtureSeed {
  sizeMb: number;
  counts: FixtureCounts;
  /** Rows per table after seeding, per database. */
  rows: Record<string, Record<string, number>>;
  seconds: number;
}

/** Creates the ToolJet database and the ToolJet Database on the source and fills them with the fixture. */
export async function seedFixture(admin: ConnectionTarget, sizeMb: number): Promise<FixtureSeed> {
  const started = Date.now();
  const counts = fixtureCounts(sizeMb);
  const c = await connect(withDatabase(admin, 'postgres'));
  try {
    await c.query(`CREATE DATABASE ${FIXTURE.database}`);
    await c.query(`CREATE DATABASE ${FIXTURE.tooljetDatabase}`);
  } finally {
    await c.end().catch(() => undefined);
  }
  const seed = async (
    db: string,
    fn: (client: Client) => Promise<{ rows: Record<string, number> }>,
  ): Promise<Record<string, number>> => {
    const client = await connect(withDatabase(admin, db));
    try {
      return (await fn(client)).rows;
    } finally {
      await client.end().catch(() => undefined);
    }
  };
  const [main, tjdb] = await Promise.all([
    seed(FIXTURE.database, (client) => seedToolJetFixture(client, { sizeMb })),
    seed(FIXTURE.tooljetDatabase, (client) => seedToolJetDatabase(client, { sizeMb })),
  ]);
  return {
    sizeMb,
    counts,
    rows: { [FIXTURE.database]: main, [FIXTURE.tooljetDatabase]: tjdb },
    seconds: (Date.now() - started) / 1000,
  };
}

/**
 * Puts a copy of `file` into the server's own directory, owned by the user the server runs as (mode 0600 or 0644),
 * so the server process can read it (e.g. the CA and passfile a subscription connects with).
 */
export function fileForServer(server: LocalServer, name: string, content: string, mode: number): string {
  const dest = path.join(server.dir, name);
  fs.writeFileSync(dest, content, { mode });
  fs.chmodSync(dest, mode);
  const st = fs.statSync(server.dir);
  if (process.getuid?.() === 0) fs.chownSync(dest, st.uid, st.gid);
  return dest;
}
