// The prerequisites of strategy replication (`precheck --strategy replication`), as entries of the same table shape
// as list.ts: logical decoding on the source, a role that may replicate, free slots and walsenders, and what logical
// replication cannot carry (updates/deletes of tables without a replica identity, large objects, unlogged tables),
// each refused in one line with its fix; and how the cutover handles what it does not carry (sequences, materialized
// views, DDL). The source is not upgraded in place with this strategy, so list.ts's "logical replication slots"
// blocker (an RDS in-place upgrade refuses logical slots) does not apply: the slot headroom entry lists the slots.
import type { PrecheckCheck } from '../check';
import { check } from '../report';
import * as sql from './sql';
import { blocker } from './verdict';

/** list.ts entries this strategy replaces. */
export const REPLACED_FOR_REPLICATION = ['logical replication slots'];

type Settings = {
  wal_level: string;
  rds_logical: string | null;
  max_slots: number;
  max_senders: number;
  used_slots: number;
  used_senders: number;
  databases: number;
};

/** Table-sync workers per subscription during the initial copy (max_sync_workers_per_subscription's default). */
export const SYNC_WORKERS = 2;

const walLevel: PrecheckCheck<Settings> = {
  name: 'wal_level logical',
  scope: 'cluster',
  find: async ({ client }) => (await client.query<Settings>(sql.REPLICATION_SETTINGS)).rows,
  verdict([s], { server }) {
    if (s.wal_level === 'logical')
      return check('wal_level logical', 'pass', `wal_level = logical: the source can publish`);
    const fix = server.rds
      ? s.rds_logical === 'on' || s.rds_logical === '1'
        ? 'rds.logical_replication = 1 is set but not applied yet: reboot the source (RDS applies it only after a reboot)'
        : "set rds.logical_replication = 1 in the source's DB parameter group and reboot the source (RDS applies it only after a reboot)"
      : 'set wal_level = logical in postgresql.conf and restart the server';
    return check('wal_level logical', 'fail', `wal_level is ${s.wal_level}, logical decoding is off: ${fix}`);
  },
};

type RoleRow = {
  rolname: string;
  rolsuper: boolean;
  rolreplication: boolean;
  rolcanlogin: boolean;
  rds_replication: boolean;
};

const replicationRole: PrecheckCheck<{ role: string; row?: RoleRow }> = {
  name: 'replication role',
  scope: 'cluster',
  async find({ client, server, replicationUser }) {
    const role = replicationUser ?? server.user;
    return [{ role, row: (await client.query<RoleRow>(sql.REPLICATION_ROLE, [role])).rows[0] }];
  },
  verdict([{ role, row }], { server }) {
    const grant = server.rds ? `GRANT rds_replication TO "${role}"` : `ALTER ROLE "${role}" REPLICATION`;
    if (!row)
      return check('replication role', 'fail', `role ${role} does not exist on the source: create it, then ${grant}`);
    if (!row.rolcanlogin)
      return check('replication role', 'fail', `role ${role} cannot log in: ALTER ROLE "${role}" LOGIN`);
    const how = row.rolsuper
      ? 'superuser'
      : row.rolreplication
        ? 'REPLICATION attribute'
        : row.rds_replication
          ? 'member of rds_replication'
          : undefined;
    return how
      ? check('replication role', 'pass', `role ${role} may replicate (${how})`)
      : check(
          'replication role',
          'fail',
          `role ${role} may not replicate (no REPLICATION attribute${server.rds ? ', not a member of rds_replication' : ''}): ${grant}`,
        );
  },
};

const slotHeadroom: PrecheckCheck<{ s?: Settings; slot?: string }> = {
  name: 'replication slot headroom',
  scope: 'cluster',
  async find({ client }) {
    const s = (await client.query<Settings>(sql.REPLICATION_SETTINGS)).rows[0];
    const slots = (await client.query(sql.ALL_SLOTS)).rows.map(
      (r) =>
        `slot ${r.slot_name} (${r.slot_type}${r.database ? `, database ${r.database}` : ''}${r.active ? ', active' : ''})`,
    );
    return [{ s }, ...slots.map((slot) => ({ slot }))];
  },
  verdict(found) {
    const s = found[0].s!;
    const slots = found.filter((f) => f.slot).map((f) => f.slot!);
    const dbs = Math.max(1, s.databases);
    const need = dbs * (1 + SYNC_WORKERS);
    const freeSlots = s.max_slots - s.used_slots;
    const freeSenders = s.max_senders - s.used_senders;
    const figures = `${dbs} database(s) need up to ${need} slots and walsenders during the initial copy (1 per subscription + ${SYNC_WORKERS} table-sync each); free: ${freeSlots} of max_replication_slots ${s.max_slots}, ${freeSenders} of max_wal_senders ${s.max_senders}`;
    return freeSlots < need || freeSenders < need
      ? check(
          'replication slot headroom',
          'fail',
          `${figures}: raise max_replication_slots and max_wal_senders (RDS: the DB parameter group, then reboot) or drop unused slots (SELECT pg_drop_replication_slot('name'))`,
          slots,
        )
      : check('replication slot headroom', 'pass', figures, slots);
  },
};

const replicaIdentity: PrecheckCheck = {
  name: 'tables without replica identity',
  scope: 'database',
  async find({ client, database }) {
    return (
      await client.query<{ nspname: string; relname: string; ident: string }>(sql.TABLES_WITHOUT_REPLICA_IDENTITY)
    ).rows.map(
      (r) =>
        `${database}: ${r.nspname}.${r.relname} (REPLICA IDENTITY ${r.ident === 'n' ? 'NOTHING' : r.ident === 'i' ? 'USING INDEX, index gone' : 'DEFAULT, no primary key'}): ALTER TABLE "${r.nspname}"."${r.relname}" REPLICA IDENTITY FULL, or add a primary key`,
    );
  },
  verdict: (found) =>
    blocker(
      'tables without replica identity',
      found,
      'Tables without a primary key and with REPLICA IDENTITY DEFAULT or NOTHING: once published, every UPDATE and DELETE on them fails on the source.',
      'Add a primary key, or ALTER TABLE ... REPLICA IDENTITY FULL (each line says which).',
      'every table has a primary key or a usable replica identity',
    ),
};

const largeObjects: PrecheckCheck = {
  name: 'large objects not replicated',
  scope: 'database',
  async find({ client, database }) {
    const n = Number((await client.query(sql.LARGE_OBJECTS)).rows[0].n);
    return n > 0 ? [`${database}: ${n} large object(s)`] : [];
  },
  verdict: (found) =>
    blocker(
      'large objects not replicated',
      found,
      'Large objects (pg_largeobject) are not carried by logical replication.',
      'Move them into bytea columns first, or use strategy clone.',
      'no large objects',
    ),
};

const unlogged: PrecheckCheck = {
  name: 'unlogged tables not replicated',
  scope: 'database',
  async find({ client, database }) {
    return (await client.query<{ nspname: string; relname: string }>(sql.UNLOGGED_TABLES)).rows.map(
      (r) => `${database}: ${r.nspname}.${r.relname}: ALTER TABLE "${r.nspname}"."${r.relname}" SET LOGGED`,
    );
  },
  verdict: (found) =>
    blocker(
      'unlogged tables not replicated',
      found,
      'Unlogged tables are not in the WAL, so logical replication cannot publish them.',
      'Make them logged (each line says how) or drop them.',
      'no unlogged tables',
    ),
};

const ownership: PrecheckCheck = {
  name: 'tables owned for the publication',
  scope: 'database',
  async find({ client, database }) {
    return (await client.query<{ nspname: string; relname: string; owner: string }>(sql.TABLES_NOT_OWNED)).rows.map(
      (r) => `${database}: ${r.nspname}.${r.relname} (owner ${r.owner})`,
    );
  },
  verdict: (found, { server }) =>
    blocker(
      'tables owned for the publication',
      found,
      `CREATE PUBLICATION ... FOR TABLE needs the tables' owner, and ${server.user} neither owns these nor is a member of their owner:`,
      `run replicate setup as the owner, or GRANT <owner> TO "${server.user}".`,
      `${server.user} owns every table (directly or by membership): it can create the publication`,
    ),
};

const notCarried: PrecheckCheck = {
  name: 'what replication does not carry',
  scope: 'cluster',
  verdict: () =>
    check(
      'what replication does not carry',
      'pass',
      'handled at the cutover: sequences are set to the source values by `replicate finish`; materialized views are refreshed by `replicate finish`; DDL is not replicated, so no schema change may be made while replicating (validate at the cutover compares the schemas and fails on one)',
    ),
};

export const REPLICATION_PRECHECKS = [
  walLevel,
  replicationRole,
  slotHeadroom,
  replicaIdentity,
  largeObjects,
  unlogged,
  ownership,
  notCarried,
] as readonly PrecheckCheck<unknown>[];
