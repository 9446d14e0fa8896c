// The shape of a check and the runners that run ordered lists of them (validate/list.ts, postcheck/list.ts).
//
// A check is one file exporting one object: its name and its run function. run gets a context and returns
// CheckResults (the report rows); it never prints and never decides the exit code. Three kinds, by what they read:
// - ServerCheck: once per run, on the main session of each side (TLS, server version);
// - CompareCheck (reads: 'both'): one database pair, source and target each read on READ ONLY REPEATABLE READ
//   sessions sharing one exported snapshot per side;
// - TargetCheck (reads: 'target'): one database on the target only, on its autocommit session (`admin`), the only
//   place a write (--analyze, --fix-sequences) may happen. postcheck's checks are all of this kind.
// A check that cannot check what it is asked to (a table it may not read, an object it cannot see) reports a
// 'fail' naming it, never a 'pass' (fail closed); an error it cannot attribute to one object is thrown and the command
// exits 2.
import type { Client } from 'pg';
import type { ConnectionTarget } from '../lib/pg/connection';
import type { TableComparison } from './read/content';
import type { CheckResult, CheckStatus } from './report';
import { PoolSide, ServerFacts, SnapshotPool, withPools } from './session';

/** Command-line choices a check may read (each command fills what it has). */
export interface CheckOptions {
  /** Expected target server_version: "16.9" (exact) or "16" (major only). */
  expectVersion: string;
  /** --analyze: ANALYZE target tables that have rows but no statistics. */
  analyze?: boolean;
  /** --fix-sequences: setval lagging target sequences. */
  fixSequences?: boolean;
  /** --live-source: the source still takes writes, so row/sequence/migration differences are warnings. */
  liveSource?: boolean;
}

/** One side's main session, where it connected, and what the server said about itself on connecting. */
export interface ServerSide {
  side: 'source' | 'target';
  client: Client;
  connection: ConnectionTarget;
  facts: ServerFacts;
}

export interface ServerContext {
  /** Absent when there is no source (postcheck). */
  source?: ServerSide;
  target: ServerSide;
  options: CheckOptions;
}

/** What every database check gets. */
export interface DatabaseContext {
  /** The database every result is about: "tooljet", or "a -> b" when source and target names differ. */
  label: string;
  /** Autocommit session on the target database: target-only reads outside the snapshot, and the only writes. */
  admin: Client;
  options: CheckOptions;
  /** Every write made on the target, in order, as "<label>: <what was done>". */
  writes: string[];
  /** One-line notes the command prints on stderr (and puts in --json). */
  notices: string[];
  progress(message: string): void;
}

/** What a check comparing both sides gets on top. */
export interface CompareContext extends DatabaseContext {
  /** Source sessions (read-only), all on one exported snapshot; clients[0] is the one for single-session reads. */
  source: SnapshotPool;
  /** Target sessions, all on one exported snapshot of the target. */
  target: SnapshotPool;
  /** Per-table row comparisons (filled by the row-content check; reported in --json). */
  tables: TableComparison[];
}

export interface Check<C> {
  /** What the check is called: its result's name, or the common part of its results' names. */
  readonly name: string;
  run(ctx: C): Promise<CheckResult[]>;
}

export type ServerCheck = Check<ServerContext>;

export interface CompareCheck extends Check<CompareContext> {
  readonly reads: 'both';
}

export interface TargetCheck extends Check<DatabaseContext> {
  readonly reads: 'target';
}

export type DatabaseCheck = CompareCheck | TargetCheck;

/** For data differences: a failure, or with --live-source a warning (the writes since the snapshot). */
export function dataDifference(options: CheckOptions): { status: CheckStatus; since: string } {
  return options.liveSource
    ? {
        status: 'warn',
        since: ' (the source is live: writes since the snapshot; exact equality needs ToolJet stopped)',
      }
    : { status: 'fail', since: '' };
}

/** Runs server checks in order. */
export async function runServerChecks(checks: readonly ServerCheck[], ctx: ServerContext): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  for (const c of checks) out.push(...(await c.run(ctx)));
  return out;
}

export interface DatabaseRun {
  results: CheckResult[];
  tables: TableComparison[];
  /** Exported snapshot ids the sessions shared (undefined: not opened, or the server could not export one). */
  snapshots: { source?: string; target?: string };
}

/**
 * Runs database checks in list order. The snapshot sessions (`jobs` per side) are opened just before the first check
 * that reads both sides and closed right after the last one, so the source holds its snapshot no longer than the
 * comparison needs; target-only checks after it run with them closed. `sides` is required when a check reads both.
 */
export async function runDatabaseChecks(
  checks: readonly DatabaseCheck[],
  ctx: DatabaseContext,
  sides?: { source: PoolSide; target: PoolSide; jobs: number },
): Promise<DatabaseRun> {
  const run: DatabaseRun = { results: [], tables: [], snapshots: {} };
  const last = checks.map((c) => c.reads).lastIndexOf('both');
  const first = checks.findIndex((c) => c.reads === 'both');
  const runRange = async (from: number, to: number, compare?: CompareContext): Promise<void> => {
    for (const c of checks.slice(from, to)) {
      if (c.reads === 'both') run.results.push(...(await c.run(compare!)));
      else run.results.push(...(await c.run(ctx)));
    }
  };
  if (last < 0) {
    await runRange(0, checks.length);
    return run;
  }
  if (!sides) throw new Error(`check "${checks[first].name}" compares source and target, but no source was given`);
  await runRange(0, first);
  await withPools(sides.source, sides.target, sides.jobs, async (source, target) => {
    run.snapshots = { source: source.snapshot, target: target.snapshot };
    if (source.snapshotProblem)
      ctx.notices.push(
        `${ctx.label}: source sessions could not share a snapshot (${source.snapshotProblem}); each read its own`,
      );
    if (target.snapshotProblem)
      ctx.notices.push(
        `${ctx.label}: target sessions could not share a snapshot (${target.snapshotProblem}); each read its own`,
      );
    await runRange(first, last + 1, { ...ctx, source, target, tables: run.tables });
  });
  await runRange(last + 1, checks.length);
  return run;
}

// ---- precheck: one source cluster, every database in it ----

/** The source server precheck runs against. */
export interface SourceServer {
  version: string;
  /** server_version_num, e.g. 130021. */
  num: number;
  user: string;
  superuser: boolean;
  /** Amazon RDS (the role rdsadmin exists). */
  rds?: boolean;
}

/** A row of pg_database. */
export interface DatabaseRow {
  datname: string;
  datallowconn: boolean;
  datconnlimit: number;
}

/** Where a precheck check looks: the cluster once (on the first session), or one database. */
export interface FindContext {
  client: Client;
  server: SourceServer;
  /** Every database of the cluster (pg_database). */
  databases: DatabaseRow[];
  /** The database the session is in (objects of database checks are prefixed with it). */
  database: string;
  /** One read shared by several checks in this database (e.g. the installed extensions): computed once. */
  once<T>(key: string, read: () => Promise<T>): Promise<T>;
  /** Replays one database's schema on a 16.9 server (only when the caller has one: rehearse). */
  replay?: SchemaReplay;
  /** strategy replication: the role the subscription connects as (default: the session's user). */
  replicationUser?: string;
}

/** Restores pg_dump --schema-only of `database` into a scratch database on a 16.9 server and drops it again. */
export type SchemaReplay = (database: string) => Promise<{ ok: true } | { ok: false; error: string }>;

/** What every precheck verdict may use besides its own findings. */
export interface PrecheckRun {
  server: SourceServer;
  checked: string[];
  skipped: { name: string; reason: string }[];
  largeObjectWarnThreshold: number;
}

/**
 * A precheck check: what it finds where (`find`, in the cluster once or in every database that accepts
 * connections, inside a READ ONLY transaction), and its one result from everything found (`verdict`). Checks that do
 * not apply to the source's version say why (`notApplicable`) and are not run.
 */
export interface PrecheckCheck<T = string> {
  readonly name: string;
  readonly scope: 'cluster' | 'database';
  notApplicable?(server: SourceServer): string | undefined;
  find?(ctx: FindContext): Promise<T[]>;
  verdict(found: T[], run: PrecheckRun): CheckResult;
}
