// Logical replication between the PostgreSQL 13 source and the 16.9 target, as pure renderers: the names of the
// publications, subscriptions and slots, the subscription's libpq conninfo (verify-full against a CA file on the
// subscriber's own server), the SQL that creates them, and the redaction of the conninfo's password. No I/O here: the
// runners (lib/replication/run.ts) and the local rehearsal use these, and the unit tests check them without a server.
//
// Directions: forward = the 13 source publishes, the 16.9 target subscribes (the initial copy and the catch-up before
// the cutover); reverse = after the cutover the 16.9 target publishes and the 13 source subscribes, with no initial
// copy, so a rollback to the source finds every write made on 16.9.
import * as crypto from 'crypto';
import { MASK, MIN_SECRET_LENGTH, Redactor } from '../redact';

export type Direction = 'forward' | 'reverse';
export const DIRECTIONS: readonly Direction[] = ['forward', 'reverse'];

/** Publication and subscription names per direction (the subscription's name is per database, like the database). */
export const NAMES: Record<Direction, { publication: string; subscription: string }> = {
  forward: { publication: 'tj_upgrade', subscription: 'tj_upgrade' },
  reverse: { publication: 'tj_upgrade_reverse', subscription: 'tj_upgrade_reverse' },
};

/** Which side publishes in a direction ('source' = the 13 instance, 'target' = the 16.9 one). */
export function publisherSide(direction: Direction): 'source' | 'target' {
  return direction === 'forward' ? 'source' : 'target';
}
export function subscriberSide(direction: Direction): 'source' | 'target' {
  return direction === 'forward' ? 'target' : 'source';
}

/**
 * The replication slot of a direction's subscription in `database`. Slot names are cluster-wide on the publisher
 * (one subscription per database would otherwise all want the slot "tj_upgrade") and may hold only a-z, 0-9 and _
 * (at most 63 bytes): a database name that does not fit is folded and gets a hash of the real name.
 */
export function slotName(direction: Direction, database: string): string {
  const base = NAMES[direction].subscription;
  const plain = database.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const name = `${base}_${plain}`;
  if (plain === database && name.length <= 63) return name;
  const hash = crypto.createHash('sha256').update(database).digest('hex').slice(0, 8);
  return `${name.slice(0, 63 - 9)}_${hash}`;
}

/** A double-quoted SQL identifier. */
export const qi = (name: string): string => `"${name.replace(/"/g, '""')}"`;
/** A standard SQL string literal (standard_conforming_strings is on from 9.1: backslashes are literal). */
export const sqlLiteral = (v: string): string => `'${v.replace(/'/g, "''")}'`;
/** A libpq conninfo value: single-quoted, backslash and quote escaped (libpq's conninfo_parse). */
export const conninfoValue = (v: string): string => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

export interface SubscriptionConninfo {
  /** The publisher as the subscriber's server reaches it (the name on its certificate: verify-full checks it). */
  host: string;
  port: number;
  user: string;
  password?: string;
  dbname: string;
  /** A CA file on the subscriber's own server (RDS: /rdsdbdata/rds-metadata/server-cert.pem). */
  sslrootcert: string;
  /** Seconds the subscriber waits for the publisher (default 10). */
  connectTimeout?: number;
}

/**
 * The subscription's conninfo: sslmode=verify-full (chain and host name) against `sslrootcert`. It holds the password
 * (an RDS subscriber has no passfile of ours): pg_subscription.subconninfo is readable by superusers only, and
 * nothing of this tool prints it (redactConninfo).
 */
export function renderConninfo(c: SubscriptionConninfo): string {
  if (!c.host) throw new Error('the publisher host is empty');
  if (!c.sslrootcert) throw new Error('the subscriber CA file (sslrootcert) is empty');
  if (!Number.isInteger(c.port) || c.port < 1 || c.port > 65535) throw new Error(`invalid publisher port ${c.port}`);
  return [
    `host=${conninfoValue(c.host)}`,
    `port=${c.port}`,
    `user=${conninfoValue(c.user)}`,
    ...(c.password !== undefined && c.password !== '' ? [`password=${conninfoValue(c.password)}`] : []),
    `dbname=${conninfoValue(c.dbname)}`,
    'sslmode=verify-full',
    `sslrootcert=${conninfoValue(c.sslrootcert)}`,
    `connect_timeout=${c.connectTimeout ?? 10}`,
    `application_name=${conninfoValue('tj-pg-upgrade replicate')}`,
  ].join(' ');
}

/** `text` with every conninfo password value and the raw password itself replaced by ***. */
export function redactConninfo(text: string, password?: string): string {
  // The password in every form lib/redact.ts knows, and as it appears inside a conninfo and inside an SQL literal of
  // that conninfo (the CREATE SUBSCRIPTION text an error may quote).
  const redactor = new Redactor();
  if (password && password.length >= MIN_SECRET_LENGTH)
    redactor
      .add(password)
      .add(conninfoValue(password))
      .add(sqlLiteral(conninfoValue(password)).slice(1, -1));
  return redactor.redact(text).replace(/password\s*=\s*('(?:[^'\\]|\\.)*'|\S+)/gi, `password=${MASK}`);
}

export interface TableName {
  schema: string;
  name: string;
}

export const tableKey = (t: TableName): string => `${qi(t.schema)}.${qi(t.name)}`;

/**
 * CREATE PUBLICATION listing every table explicitly: FOR ALL TABLES needs a superuser, which RDS's master user is
 * not; FOR TABLE needs only the tables' owner. Inserts, updates, deletes and truncates are published (the default).
 */
export function createPublicationSql(name: string, tables: TableName[]): string {
  if (!tables.length) throw new Error(`publication ${name} would list no table`);
  return `CREATE PUBLICATION ${qi(name)} FOR TABLE ${tables.map(tableKey).join(', ')}`;
}

export function createSubscriptionSql(
  name: string,
  conninfo: string,
  publication: string,
  opts: { copyData: boolean; slotName: string },
): string {
  return `CREATE SUBSCRIPTION ${qi(name)} CONNECTION ${sqlLiteral(conninfo)} PUBLICATION ${qi(publication)} WITH (copy_data = ${opts.copyData}, create_slot = true, slot_name = ${sqlLiteral(opts.slotName)})`;
}

/** The user tables a publication lists: permanent tables outside the system schemas (partitions as themselves). */
export const PUBLISHABLE_TABLES_SQL = `
SELECT n.nspname AS schema, c.relname AS name, c.relpersistence = 'u' AS unlogged
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND c.relpersistence <> 't'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast' AND n.nspname !~ '^pg_temp_'
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                  AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY 1, 2`;

/** Tables a publication lists now. */
export const PUBLICATION_TABLES_SQL = `
SELECT schemaname AS schema, tablename AS name FROM pg_catalog.pg_publication_tables WHERE pubname = $1 ORDER BY 1, 2`;

/** What differs between the tables a publication should list and those it lists ("" when nothing). */
export function publicationDifference(want: TableName[], have: TableName[]): string {
  const w = new Set(want.map(tableKey));
  const h = new Set(have.map(tableKey));
  const missing = [...w].filter((k) => !h.has(k));
  const extra = [...h].filter((k) => !w.has(k));
  const part = (label: string, xs: string[]): string =>
    xs.length ? `${label} ${xs.slice(0, 5).join(', ')}${xs.length > 5 ? ` and ${xs.length - 5} more` : ''}` : '';
  return [part('not listed:', missing), part('listed but not a table to publish:', extra)].filter(Boolean).join('; ');
}

/** pg_subscription_rel.srsubstate in words. */
export const SYNC_STATES: Record<string, string> = {
  i: 'initializing',
  d: 'copying data',
  f: 'finished copy',
  s: 'synchronized',
  r: 'ready',
};

/** Bytes as "0 B", "12.3 MB". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}
