// The steps of strategy replication, run against the two servers (`tj-pg-upgrade replicate <step>`, and the local
// rehearsal): setup (schema copy, publication, subscription with the initial copy), status, catch-up (writes
// stopped: wait until the subscriber applied everything the publisher committed), finish (sequences and materialized
// views, which logical replication does not carry), reverse (after the cutover: 16.9 publishes, the 13 source
// subscribes without an initial copy) and teardown. The SQL and names are in sql.ts; this file connects and decides.
//
// `source` is always the PostgreSQL 13 instance and `target` the 16.9 one; `direction` says which one publishes.
// Every step is idempotent: what exists and matches is left alone (and said so), what exists and differs is a
// one-line ReplicationError naming what to drop. The subscription's password never reaches an error or output.
import type { Client } from 'pg';
import { compareSequences, readSequences, SequenceValue } from '../../checks/read/sequences';
import { diffMaps, diffObjects, readSchema, SCHEMA_KINDS } from '../../checks/read/schema';
import { PINNED_SETTINGS } from '../../checks/settings';
import { connect, ConnectionTarget, withDatabase } from '../pg/connection';
import { copyDatabase } from '../pg/copy';
import { copyRoles } from '../pg/roles';
import {
  createPublicationSql,
  createSubscriptionSql,
  Direction,
  formatBytes,
  NAMES,
  PUBLICATION_TABLES_SQL,
  PUBLISHABLE_TABLES_SQL,
  publicationDifference,
  publisherSide,
  qi,
  redactConninfo,
  renderConninfo,
  slotName,
  subscriberSide,
  SYNC_STATES,
  TableName,
} from './sql';

/** A replication step could not be done or the servers are not in the state it needs; `exitCode` 1 or 2. */
export class ReplicationError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
    this.name = 'ReplicationError';
  }
}

export interface ReplicationOptions {
  /** The PostgreSQL 13 instance (its URL's database is the default database). */
  source: ConnectionTarget;
  /** The PostgreSQL 16.9 instance. */
  target: ConnectionTarget;
  /** Databases to replicate, same names on both (default: the source URL's database). */
  databases?: string[];
  direction?: Direction;
  /** The publisher's host as the subscriber's server reaches it (default: the publisher URL's host). */
  publisherHost?: string;
  publisherPort?: number;
  /** A CA file on the subscriber's own server (setup and reverse need it). */
  subscriberSslrootcert?: string;
  /** The role the subscription connects as (default: the publisher URL's user). */
  replicationUser?: string;
  /** Its password (default: the publisher URL's password). */
  replicationPassword?: string;
  onProgress?: (message: string) => void;
}

export interface StepResult {
  step: string;
  direction: Direction;
  /** Lines for the terminal (no secret in any of them). */
  lines: string[];
  /** Warnings (stderr). */
  warnings: string[];
  /** 0 done / ready, 1 not ready. */
  exitCode: 0 | 1;
  data: Record<string, unknown>;
}

interface Sides {
  direction: Direction;
  pub: ConnectionTarget;
  sub: ConnectionTarget;
  pubName: 'source' | 'target';
  subName: 'source' | 'target';
  databases: string[];
  names: { publication: string; subscription: string };
}

function sides(o: ReplicationOptions, direction = o.direction ?? 'forward'): Sides {
  const pubName = publisherSide(direction);
  const subName = subscriberSide(direction);
  return {
    direction,
    pub: pubName === 'source' ? o.source : o.target,
    sub: subName === 'source' ? o.source : o.target,
    pubName,
    subName,
    databases: o.databases?.length ? o.databases : [o.source.database],
    names: NAMES[direction],
  };
}

async function withClient<T>(t: ConnectionTarget, fn: (c: Client) => Promise<T>, pinned = false): Promise<T> {
  const c = await connect(t, pinned ? { settings: PINNED_SETTINGS } : {});
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The subscription's conninfo for direction `s`, and the password to keep out of every message. */
function conninfoFor(o: ReplicationOptions, s: Sides, database: string): { conninfo: string; password?: string } {
  if (!o.subscriberSslrootcert)
    throw new ReplicationError(
      `--subscriber-sslrootcert is required: the CA file on the ${s.subName} (subscriber) server that verifies the publisher's certificate (RDS: /rdsdbdata/rds-metadata/server-cert.pem)`,
      2,
    );
  const password = o.replicationPassword ?? s.pub.password;
  const conninfo = renderConninfo({
    host: o.publisherHost ?? s.pub.host,
    port: o.publisherPort ?? s.pub.port,
    user: o.replicationUser ?? s.pub.user,
    password,
    dbname: database,
    sslrootcert: o.subscriberSslrootcert,
  });
  return { conninfo, password };
}

async function publishableTables(c: Client): Promise<{ tables: TableName[]; unlogged: string[] }> {
  const rows = (await c.query<{ schema: string; name: string; unlogged: boolean }>(PUBLISHABLE_TABLES_SQL)).rows;
  return {
    tables: rows.filter((r) => !r.unlogged).map((r) => ({ schema: r.schema, name: r.name })),
    unlogged: rows.filter((r) => r.unlogged).map((r) => `${r.schema}.${r.name}`),
  };
}

interface SubscriptionRow {
  oid: number;
  enabled: boolean;
  slot: string | null;
  publications: string[];
  worker: boolean;
}

const SUBSCRIPTION_SQL = `
SELECT s.oid::int8 AS oid, s.subenabled AS enabled, s.subslotname::text AS slot, s.subpublications AS publications,
       EXISTS (SELECT 1 FROM pg_catalog.pg_stat_subscription st WHERE st.subid = s.oid AND st.relid IS NULL AND st.pid IS NOT NULL) AS worker
FROM pg_catalog.pg_subscription s
WHERE s.subname = $1 AND s.subdbid = (SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database())`;

async function readSubscription(c: Client, name: string): Promise<SubscriptionRow | undefined> {
  const r = (await c.query(SUBSCRIPTION_SQL, [name])).rows[0];
  return r ? { ...r, oid: Number(r.oid) } : undefined;
}

async function syncStates(c: Client, subOid: number): Promise<{ table: string; state: string }[]> {
  return (
    await c.query<{ table: string; state: string }>(
      `SELECT pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) AS table, sr.srsubstate::text AS state
       FROM pg_catalog.pg_subscription_rel sr JOIN pg_catalog.pg_class c ON c.oid = sr.srrelid
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE sr.srsubid = $1 ORDER BY 1`,
      [subOid],
    )
  ).rows;
}

interface SlotRow {
  active: boolean;
  lag: number | null;
  retained: number | null;
  caughtUpTo?: boolean;
}

async function readSlot(c: Client, slot: string, lsn?: string): Promise<SlotRow | undefined> {
  const r = (
    await c.query(
      `SELECT active, pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), confirmed_flush_lsn)::int8 AS lag,
              pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), restart_lsn)::int8 AS retained,
              CASE WHEN $2::text IS NULL THEN NULL ELSE confirmed_flush_lsn >= $2::text::pg_lsn END AS caught
       FROM pg_catalog.pg_replication_slots WHERE slot_name = $1`,
      [slot, lsn ?? null],
    )
  ).rows[0];
  return r
    ? {
        active: r.active,
        lag: r.lag === null ? null : Number(r.lag),
        retained: r.retained === null ? null : Number(r.retained),
        caughtUpTo: r.caught ?? undefined,
      }
    : undefined;
}

/** Same schema on both sides (every kind validate's schema check compares), as a list of differences. */
async function schemaDifferences(src: ConnectionTarget, tgt: ConnectionTarget): Promise<string[]> {
  const [a, b] = await Promise.all([withClient(src, readSchema, true), withClient(tgt, readSchema, true)]);
  // A schema-only copy leaves materialized views unpopulated (finish refreshes them): not a difference here.
  const unpopulated = (d: string): string => d.replace(/ \(not populated\)/g, '');
  return SCHEMA_KINDS.flatMap((k) => diffObjects(diffMaps(a[k], b[k], unpopulated)).map((x) => `${k}: ${x}`));
}

async function userRelations(c: Client): Promise<number> {
  return Number(
    (
      await c.query(`SELECT count(*) AS n FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace ns ON ns.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND ns.nspname NOT IN ('pg_catalog', 'information_schema') AND ns.nspname !~ '^pg_toast'`)
    ).rows[0].n,
  );
}

async function databaseExists(admin: ConnectionTarget, database: string): Promise<boolean> {
  return withClient(withDatabase(admin, 'postgres'), async (c) =>
    Boolean((await c.query('SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1', [database])).rowCount),
  );
}

/**
 * The publication `name` on `c` listing exactly `tables`: created, or left alone when it already lists them.
 * Returns whether it was created.
 */
async function ensurePublication(
  c: Client,
  name: string,
  tables: TableName[],
  where: string,
  direction: Direction,
): Promise<boolean> {
  const exists = (await c.query('SELECT 1 FROM pg_catalog.pg_publication WHERE pubname = $1', [name])).rowCount;
  if (exists) {
    const have = (await c.query<TableName>(PUBLICATION_TABLES_SQL, [name])).rows;
    const diff = publicationDifference(tables, have);
    if (diff)
      throw new ReplicationError(
        `publication ${name} on ${where} exists but differs (${diff}): drop it (tj-pg-upgrade replicate teardown --direction ${direction}, or DROP PUBLICATION ${name}) and run this step again`,
      );
    return false;
  }
  await c.query(createPublicationSql(name, tables));
  return true;
}

function subscriberCannotConnect(message: string): boolean {
  return /could not connect to the publisher|could not connect to publisher/i.test(message);
}

/**
 * The subscription on the subscriber's `database`: created (copy_data as given), or left alone when one with the
 * same publication and slot exists. Returns whether it was created.
 */
async function ensureSubscription(
  o: ReplicationOptions,
  s: Sides,
  database: string,
  copyData: boolean,
): Promise<boolean> {
  const where = `the ${s.subName} ${s.sub.endpoint} database ${database}`;
  const slot = slotName(s.direction, database);
  return withClient(withDatabase(s.sub, database), async (c) => {
    const existing = await readSubscription(c, s.names.subscription);
    if (existing) {
      const problems: string[] = [];
      if (existing.publications.join(',') !== s.names.publication)
        problems.push(`publications ${existing.publications.join(', ')} instead of ${s.names.publication}`);
      if (existing.slot !== slot) problems.push(`slot ${existing.slot ?? 'NONE'} instead of ${slot}`);
      if (problems.length)
        throw new ReplicationError(
          `subscription ${s.names.subscription} on ${where} exists but differs (${problems.join('; ')}): drop it (tj-pg-upgrade replicate teardown --direction ${s.direction}) and run this step again`,
        );
      return false;
    }
    const { conninfo, password } = conninfoFor(o, s, database);
    try {
      await c.query(
        createSubscriptionSql(s.names.subscription, conninfo, s.names.publication, { copyData, slotName: slot }),
      );
    } catch (err) {
      const msg = redactConninfo((err as Error).message, password);
      if (subscriberCannotConnect(msg))
        throw new ReplicationError(
          `the ${s.subName} (subscriber) could not connect to the publisher ${o.publisherHost ?? s.pub.host}:${o.publisherPort ?? s.pub.port} with sslmode=verify-full and sslrootcert=${o.subscriberSslrootcert}: ${msg}. Check that this CA file on the subscriber's server signed the publisher's certificate (both instances must use the same CA), that --publisher-host is the name on that certificate and reachable from the subscriber, and the replication user's password (TJ_PG_REPLICATION_PASSWORD)`,
          2,
        );
      throw new ReplicationError(`creating subscription ${s.names.subscription} on ${where} failed: ${msg}`);
    }
    return true;
  });
}

/** setup: roles, schema, publication tj_upgrade on the source and subscription tj_upgrade on the target (copy). */
export async function setup(o: ReplicationOptions): Promise<StepResult> {
  const s = sides(o, 'forward');
  const progress = o.onProgress ?? (() => undefined);
  const lines: string[] = [];
  conninfoFor(o, s, s.databases[0]); // the options are complete before anything is changed
  progress(`copying the source's roles to the target (attributes and memberships; no passwords)`);
  const roles = await copyRoles(withDatabase(o.source, s.databases[0]), withDatabase(o.target, 'postgres'));
  lines.push(
    `roles: ${roles.created.length} created on the target (${roles.created.join(', ') || 'none'}), ${roles.existing.length} already there`,
  );
  const data: Record<string, unknown> = { roles, databases: [] as unknown[] };
  for (const db of s.databases) {
    const src = withDatabase(o.source, db);
    const tgt = withDatabase(o.target, db);
    const { tables, unlogged } = await withClient(src, publishableTables);
    if (unlogged.length)
      throw new ReplicationError(
        `${db}: unlogged tables cannot be replicated (${unlogged.join(', ')}): ALTER TABLE ... SET LOGGED first (tj-pg-upgrade precheck --strategy replication lists every prerequisite)`,
      );
    if (!tables.length) throw new ReplicationError(`${db}: the source database has no table to replicate`);
    let schema: 'copied' | 'identical';
    const there = (await databaseExists(o.target, db)) && (await withClient(tgt, userRelations)) > 0;
    if (there) {
      const diff = await schemaDifferences(src, tgt);
      if (diff.length)
        throw new ReplicationError(
          `${db}: the target database already has a schema that differs from the source (${diff.length} difference(s), first: ${diff[0]}): drop that database on the target (DROP DATABASE ${qi(db)}) and run setup again`,
        );
      schema = 'identical';
    } else {
      progress(`${db}: copying the schema (pg_dump --schema-only | psql, owners and grants kept)`);
      await copyDatabase({ source: src, target: o.target, database: db, schemaOnly: true, env: {} });
      schema = 'copied';
    }
    const pubCreated = await withClient(src, (c) =>
      ensurePublication(c, s.names.publication, tables, `the source database ${db}`, 'forward'),
    );
    let subCreated: boolean;
    try {
      subCreated = await ensureSubscription(o, s, db, true);
    } catch (err) {
      // Nothing half-applied: a publication made by this run goes again when its subscription could not be made.
      if (pubCreated)
        await withClient(src, (c) => c.query(`DROP PUBLICATION IF EXISTS ${qi(s.names.publication)}`)).catch(
          () => undefined,
        );
      throw err;
    }
    lines.push(
      `${db}: schema ${schema === 'copied' ? 'copied to the target' : 'already on the target and identical'}; publication ${s.names.publication} (${tables.length} tables) ${pubCreated ? 'created' : 'already there, same tables'} on the source; subscription ${s.names.subscription} (slot ${slotName('forward', db)}, initial copy) ${subCreated ? 'created' : 'already there, same publication and slot'} on the target`,
    );
    (data.databases as unknown[]).push({
      database: db,
      schema,
      tables: tables.length,
      publication: pubCreated ? 'created' : 'exists',
      subscription: subCreated ? 'created' : 'exists',
      slot: slotName('forward', db),
    });
  }
  if (
    (data.databases as { publication: string; subscription: string }[]).every(
      (d) => d.publication === 'exists' && d.subscription === 'exists',
    )
  )
    lines.push('nothing to do: the publication and subscription of every database exist and match');
  else lines.push('the initial copy runs in the background: tj-pg-upgrade replicate status shows each table');
  return { step: 'setup', direction: 'forward', lines, warnings: [], exitCode: 0, data };
}

export interface DatabaseStatus {
  database: string;
  subscription: { exists: boolean; enabled?: boolean; workerRunning?: boolean };
  tables: { table: string; state: string }[];
  slot: { name: string; exists: boolean; active?: boolean; lagBytes?: number | null; retainedBytes?: number | null };
  ready: boolean;
}

async function databaseStatus(s: Sides, db: string): Promise<DatabaseStatus> {
  const slot = slotName(s.direction, db);
  const [sub, tables] = await withClient(withDatabase(s.sub, db), async (c) => {
    const row = await readSubscription(c, s.names.subscription);
    return [row, row ? await syncStates(c, row.oid) : []] as const;
  });
  const sl = await withClient(withDatabase(s.pub, db), (c) => readSlot(c, slot));
  const ready =
    !!sub &&
    sub.enabled &&
    sub.worker &&
    tables.length > 0 &&
    tables.every((t) => t.state === 'r') &&
    !!sl &&
    sl.active;
  return {
    database: db,
    subscription: sub ? { exists: true, enabled: sub.enabled, workerRunning: sub.worker } : { exists: false },
    tables,
    slot: sl
      ? { name: slot, exists: true, active: sl.active, lagBytes: sl.lag, retainedBytes: sl.retained }
      : { name: slot, exists: false },
    ready,
  };
}

/** status: per database, the subscription, each table's sync state, the slot's activity, lag and retained WAL. */
export async function status(o: ReplicationOptions): Promise<StepResult> {
  const s = sides(o);
  const dbs: DatabaseStatus[] = [];
  for (const db of s.databases) dbs.push(await databaseStatus(s, db));
  const lines: string[] = [];
  for (const d of dbs) {
    const sub = d.subscription.exists
      ? `subscription ${s.names.subscription} ${d.subscription.enabled ? 'enabled' : 'DISABLED'}, worker ${d.subscription.workerRunning ? 'running' : 'NOT running'}`
      : `subscription ${s.names.subscription} does not exist on the ${s.subName}`;
    const counts = new Map<string, number>();
    for (const t of d.tables) counts.set(t.state, (counts.get(t.state) ?? 0) + 1);
    const states = [...counts].map(([k, n]) => `${n} ${SYNC_STATES[k] ?? k}`).join(', ') || 'no tables';
    const slot = d.slot.exists
      ? `slot ${d.slot.name} ${d.slot.active ? 'active' : 'INACTIVE'}, lag ${d.slot.lagBytes === null ? 'unknown' : formatBytes(d.slot.lagBytes!)}, WAL retained ${d.slot.retainedBytes === null ? 'unknown' : formatBytes(d.slot.retainedBytes!)}`
      : `slot ${d.slot.name} does not exist on the ${s.pubName}`;
    lines.push(`${d.database}: ${d.ready ? 'streaming' : 'NOT READY'}: ${sub}; tables: ${states}; ${slot}`);
    for (const t of d.tables.filter((x) => x.state !== 'r'))
      lines.push(`  ${d.database}: ${t.table}: ${SYNC_STATES[t.state] ?? t.state}`);
  }
  const ok = dbs.every((d) => d.ready);
  return {
    step: 'status',
    direction: s.direction,
    lines,
    warnings: [],
    exitCode: ok ? 0 : 1,
    data: { ready: ok, databases: dbs },
  };
}

/** Client sessions on the publisher's database other than ours, the walsenders and RDS's own. */
async function otherSessions(c: Client): Promise<string[]> {
  return (
    await c.query<{ who: string }>(
      `SELECT coalesce(usename::text, '?') || coalesce('@' || host(client_addr), '') ||
              CASE WHEN coalesce(application_name, '') <> '' THEN ' (' || application_name || ')' ELSE '' END ||
              ' pid ' || pid AS who
       FROM pg_catalog.pg_stat_activity
       WHERE datname = pg_catalog.current_database() AND pid <> pg_catalog.pg_backend_pid()
         AND backend_type = 'client backend' AND coalesce(usename::text, '') <> 'rdsadmin'
       ORDER BY pid`,
    )
  ).rows.map((r) => r.who);
}

/**
 * catch-up: with writes stopped, reads the publisher's current WAL position and waits until every database's slot
 * has confirmed it (the subscriber applied and flushed everything committed before) and every table is ready.
 */
export async function catchUp(o: ReplicationOptions, deadlineSeconds: number): Promise<StepResult> {
  const s = sides(o);
  const started = Date.now();
  const warnings: string[] = [];
  const lsn = await withClient(withDatabase(s.pub, s.databases[0]), async (c) => {
    return String((await c.query('SELECT pg_catalog.pg_current_wal_lsn()::text AS l')).rows[0].l);
  });
  for (const db of s.databases) {
    const others = await withClient(withDatabase(s.pub, db), otherSessions);
    if (others.length)
      warnings.push(
        `${db}: ${others.length} other client session(s) still connected to the publisher (${s.pubName}): ${others.slice(0, 8).join(', ')}${others.length > 8 ? ', ...' : ''}; writes they make after ${lsn} are not waited for: stop ToolJet (and anything else writing) first`,
      );
  }
  const pubs = await Promise.all(s.databases.map((db) => connect(withDatabase(s.pub, db))));
  const subs = await Promise.all(s.databases.map((db) => connect(withDatabase(s.sub, db))));
  const deadline = started + deadlineSeconds * 1000;
  try {
    for (;;) {
      const behind: string[] = [];
      for (const [i, db] of s.databases.entries()) {
        const sub = await readSubscription(subs[i], s.names.subscription);
        if (!sub) {
          behind.push(`${db}: subscription ${s.names.subscription} does not exist on the ${s.subName}`);
          continue;
        }
        const tables = await syncStates(subs[i], sub.oid);
        const notReady = tables.filter((t) => t.state !== 'r');
        if (!tables.length) behind.push(`${db}: the subscription has no tables`);
        if (notReady.length)
          behind.push(
            `${db}: ${notReady.length} table(s) not ready (${notReady
              .slice(0, 3)
              .map((t) => `${t.table} ${SYNC_STATES[t.state] ?? t.state}`)
              .join(', ')})`,
          );
        const slot = slotName(s.direction, db);
        const sl = await readSlot(pubs[i], slot, lsn);
        if (!sl) behind.push(`${db}: slot ${slot} does not exist on the ${s.pubName}`);
        else if (!sl.caughtUpTo)
          behind.push(`${db}: slot ${slot} has not confirmed ${lsn} (lag ${formatBytes(sl.lag ?? 0)})`);
        if (!sub.enabled) behind.push(`${db}: subscription ${s.names.subscription} is disabled`);
      }
      if (!behind.length) break;
      if (Date.now() >= deadline)
        throw new ReplicationError(
          `not caught up after ${deadlineSeconds} s (--deadline): ${behind.join('; ')}; see tj-pg-upgrade replicate status and the subscriber's log`,
        );
      await sleep(100);
    }
  } finally {
    await Promise.all([...pubs, ...subs].map((c) => c.end().catch(() => undefined)));
  }
  const seconds = (Date.now() - started) / 1000;
  return {
    step: 'catch-up',
    direction: s.direction,
    lines: [
      `caught up in ${seconds.toFixed(2)} s: the ${s.subName} applied everything the ${s.pubName} committed up to ${lsn} in ${s.databases.join(', ')}, every table ready`,
    ],
    warnings,
    exitCode: 0,
    data: { lsn, seconds, databases: s.databases },
  };
}

async function setSequence(c: Client, v: SequenceValue): Promise<void> {
  await c.query(`SELECT pg_catalog.setval($1::pg_catalog.regclass, $2::int8, $3)`, [
    `${qi(v.schema)}.${qi(v.name)}`,
    v.lastValue.toString(),
    v.isCalled,
  ]);
}

/** Populated materialized views of a database, in creation order (a view built on another comes after it). */
async function populatedMatviews(c: Client): Promise<string[]> {
  return (
    await c.query<{ k: string }>(
      `SELECT pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) AS k
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind = 'm' AND c.relispopulated ORDER BY c.oid`,
    )
  ).rows.map((r) => r.k);
}

async function refresh(c: Client, views: string[], where: string): Promise<void> {
  for (const k of views) {
    try {
      await c.query(`REFRESH MATERIALIZED VIEW ${k}`);
    } catch (err) {
      throw new ReplicationError(
        `REFRESH MATERIALIZED VIEW ${k} on ${where} failed: ${(err as Error).message} (run finish as the view's owner)`,
      );
    }
  }
}

/**
 * finish: the subscriber's sequences set to the publisher's values, and the materialized views populated on the
 * publisher refreshed on both sides: a view's rows are its query's result at its last refresh, which the publisher
 * may hold from long ago; refreshed on both over the same (caught-up) tables, they hold the same rows, as validate
 * checks.
 */
export async function finish(o: ReplicationOptions): Promise<StepResult> {
  const s = sides(o);
  const lines: string[] = [];
  const per: { database: string; sequences: string[]; materializedViews: string[] }[] = [];
  for (const db of s.databases) {
    const [pubSeq, views] = await withClient(withDatabase(s.pub, db), async (c) => {
      const v = await populatedMatviews(c);
      await refresh(c, v, `the ${s.pubName} database ${db}`);
      return [await readSequences(c), v] as const;
    });
    const seqs = await withClient(withDatabase(s.sub, db), async (c) => {
      const done: string[] = [];
      for (const d of compareSequences(pubSeq, await readSequences(c))) {
        await setSequence(c, d.source);
        done.push(`${d.key}: ${d.target.lastValue} -> ${d.source.lastValue}`);
      }
      const wanted = new Set(views);
      const order = (
        await c.query<{ k: string }>(
          `SELECT pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) AS k
           FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
           WHERE c.relkind = 'm' ORDER BY c.oid`,
        )
      ).rows.map((r) => r.k);
      await refresh(
        c,
        order.filter((k) => wanted.has(k)),
        `the ${s.subName} database ${db}`,
      );
      return done;
    });
    per.push({ database: db, sequences: seqs, materializedViews: views });
    lines.push(
      `${db}: ${seqs.length} sequence(s) set to the ${s.pubName}'s values (of ${pubSeq.size}), ${views.length} materialized view(s) refreshed on the ${s.pubName} and the ${s.subName}`,
    );
  }
  return { step: 'finish', direction: s.direction, lines, warnings: [], exitCode: 0, data: { databases: per } };
}

/**
 * reverse: after the cutover. Waits until the forward subscription is caught up, drops it (and its slot on the
 * source), then publishes every table of the target (tj_upgrade_reverse) and subscribes the source to it without an
 * initial copy: the source already holds everything up to the cutover.
 */
export async function reverse(o: ReplicationOptions, catchUpSeconds = 300): Promise<StepResult> {
  const fwd = sides(o, 'forward');
  const rev = sides(o, 'reverse');
  const progress = o.onProgress ?? (() => undefined);
  const lines: string[] = [];
  conninfoFor(o, rev, rev.databases[0]);
  const forwardLeft: string[] = [];
  for (const db of fwd.databases)
    if (await withClient(withDatabase(o.target, db), (c) => readSubscription(c, fwd.names.subscription)))
      forwardLeft.push(db);
  if (forwardLeft.length) {
    progress(
      `forward subscription still there in ${forwardLeft.join(', ')}: checking it is caught up before dropping it`,
    );
    const c = await catchUp({ ...o, databases: forwardLeft, direction: 'forward' }, catchUpSeconds);
    lines.push(`forward: ${c.lines[0]}`);
    for (const db of forwardLeft) {
      await withClient(withDatabase(o.target, db), (cl) => cl.query(`DROP SUBSCRIPTION ${qi(fwd.names.subscription)}`));
      lines.push(
        `${db}: forward subscription ${fwd.names.subscription} dropped on the target (its slot ${slotName('forward', db)} on the source with it)`,
      );
    }
  }
  const dbs: unknown[] = [];
  for (const db of rev.databases) {
    const { tables, unlogged } = await withClient(withDatabase(o.target, db), publishableTables);
    if (unlogged.length)
      throw new ReplicationError(
        `${db}: unlogged tables on the target cannot be replicated back: ${unlogged.join(', ')}`,
      );
    const pubCreated = await withClient(withDatabase(o.target, db), (c) =>
      ensurePublication(c, rev.names.publication, tables, `the target database ${db}`, 'reverse'),
    );
    const subCreated = await ensureSubscription(o, rev, db, false);
    lines.push(
      `${db}: publication ${rev.names.publication} (${tables.length} tables) ${pubCreated ? 'created' : 'already there, same tables'} on the target; subscription ${rev.names.subscription} (slot ${slotName('reverse', db)}, no initial copy) ${subCreated ? 'created' : 'already there, same publication and slot'} on the source`,
    );
    dbs.push({
      database: db,
      tables: tables.length,
      publication: pubCreated ? 'created' : 'exists',
      subscription: subCreated ? 'created' : 'exists',
    });
  }
  lines.push(
    'writes on 16.9 now flow back to the 13 source (sequences: tj-pg-upgrade replicate finish --direction reverse before a rollback; DDL is not replicated)',
  );
  return {
    step: 'reverse',
    direction: 'reverse',
    lines,
    warnings: [],
    exitCode: 0,
    data: { forwardDropped: forwardLeft, databases: dbs },
  };
}

/**
 * teardown: the direction's subscriptions (DROP SUBSCRIPTION drops the slot on the publisher; when the subscriber
 * cannot reach the publisher the subscription is disabled and detached from its slot first, and the slot is named
 * for dropping by hand), then its publications and any slot of ours left on the publisher.
 */
export async function teardown(o: ReplicationOptions, which: Direction | 'all'): Promise<StepResult> {
  const removed: string[] = [];
  const manual: string[] = [];
  for (const direction of which === 'all' ? (['reverse', 'forward'] as const) : [which]) {
    const s = sides(o, direction);
    for (const db of s.databases) {
      const slot = slotName(direction, db);
      await withClient(withDatabase(s.sub, db), async (c) => {
        if (!(await readSubscription(c, s.names.subscription))) return;
        const name = qi(s.names.subscription);
        try {
          await c.query(`DROP SUBSCRIPTION ${name}`);
        } catch (err) {
          const msg = redactConninfo((err as Error).message, o.replicationPassword ?? s.pub.password);
          if (!subscriberCannotConnect(msg))
            throw new ReplicationError(
              `dropping subscription ${s.names.subscription} on the ${s.subName} database ${db} failed: ${msg}`,
            );
          await c.query(`ALTER SUBSCRIPTION ${name} DISABLE`);
          await c.query(`ALTER SUBSCRIPTION ${name} SET (slot_name = NONE)`);
          await c.query(`DROP SUBSCRIPTION ${name}`);
          manual.push(
            `the ${s.subName} could not reach the publisher to drop slot ${slot}: on the ${s.pubName} (${s.pub.endpoint}) run SELECT pg_drop_replication_slot('${slot}'); a forgotten slot keeps WAL and fills the disk`,
          );
        }
        removed.push(`subscription ${s.names.subscription} on the ${s.subName} database ${db}`);
      });
      await withClient(withDatabase(s.pub, db), async (c) => {
        const sl = await readSlot(c, slot);
        if (sl && !sl.active) {
          await c.query('SELECT pg_catalog.pg_drop_replication_slot($1)', [slot]);
          removed.push(`slot ${slot} on the ${s.pubName}`);
          const i = manual.findIndex((m) => m.includes(`slot ${slot}:`));
          if (i >= 0) manual.splice(i, 1);
        } else if (sl?.active)
          manual.push(`slot ${slot} on the ${s.pubName} is still in use by a connection: drop it when that ends`);
        const pub = (await c.query('SELECT 1 FROM pg_catalog.pg_publication WHERE pubname = $1', [s.names.publication]))
          .rowCount;
        if (pub) {
          await c.query(`DROP PUBLICATION ${qi(s.names.publication)}`);
          removed.push(`publication ${s.names.publication} on the ${s.pubName} database ${db}`);
        }
      });
    }
  }
  return {
    step: 'teardown',
    direction: which === 'all' ? 'forward' : which,
    lines: removed.length
      ? removed.map((r) => `removed: ${r}`)
      : ['nothing to remove: no subscription, publication or slot of ours'],
    warnings: manual,
    exitCode: 0,
    data: { removed, manual },
  };
}
