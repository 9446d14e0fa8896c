// `tj-pg-upgrade precheck`: everything pg_upgrade --check (old cluster 13, new 16) and RDS's pre-upgrade check stop
// on, plus warnings, read from a live PostgreSQL 13 cluster. Cluster-wide checks run once; per-database checks run
// in every database that accepts connections. Every query runs inside a READ ONLY transaction; nothing is written.
// The checks themselves are in list.ts, in report order; this file connects and visits the databases.
import type { Client } from 'pg';
import { connect, ConnectionError, ConnectionTarget, resolveTarget, withDatabase } from '../../lib/pg/connection';
import { Deadline } from '../../lib/pg/deadline';
import type { DatabaseRow, FindContext, PrecheckCheck, PrecheckRun, SchemaReplay, SourceServer } from '../check';
import { check, CheckResult, exitCodeFor } from '../report';
import { READ_ONLY, sessionLimits } from '../settings';
import { PRECHECK_CHECKS } from './list';
import { REPLICATION_PRECHECKS, REPLACED_FOR_REPLICATION } from './replication';
import * as sql from './sql';

export interface PrecheckOptions {
  /** libpq URL / keyword string (PG* environment fills the gaps), or an already resolved target. */
  source: string | ConnectionTarget | undefined;
  /** Accept plain-text connections for sslmode disable/allow/prefer. */
  insecure?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Total large objects at or above which a warning is raised (default 1,000,000). */
  largeObjectWarnThreshold?: number;
  /** Progress messages (the CLI prints them to stderr). */
  onProgress?: (message: string) => void;
  /**
   * Replays each database's schema into a scratch database on a 16.9 server ("schema restore on 16.9"): rehearse
   * passes one; without it that check says it did not run and the catalog check stands in.
   */
  replay?: SchemaReplay;
  /**
   * replication: the prerequisites of strategy replication (checks/precheck/replication.ts) replace the logical
   * slot blocker (the source is not upgraded in place; its slot is the replication's own).
   */
  strategy?: 'clone' | 'replication';
  /** strategy replication: the role the subscription connects as (default: the --source user). */
  replicationUser?: string;
  /** Overall time limit in seconds (default DEFAULT_PRECHECK_DEADLINE_SECONDS); exit 2 naming the host when passed. */
  deadlineSeconds?: number;
}

/** precheck's default --deadline: catalog reads only, minutes at most even for thousands of tables. */
export const DEFAULT_PRECHECK_DEADLINE_SECONDS = 900;

export interface PrecheckResult {
  source: { display: string; version: string; versionNum: number; user: string; superuser: boolean };
  databases: { checked: string[]; skipped: { name: string; reason: string }[] };
  checks: CheckResult[];
  notices: string[];
  exitCode: 0 | 1;
}

async function readOnly<T>(client: Client, fn: () => Promise<T>): Promise<T> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    return await fn();
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
  }
}

/** Runs the `find` of every applicable check of `scope`, adding to `found` (objects in list order per check). */
async function findAll(
  list: readonly PrecheckCheck<unknown>[],
  scope: 'cluster' | 'database',
  base: Omit<FindContext, 'once'>,
  found: Map<PrecheckCheck<unknown>, unknown[]>,
): Promise<void> {
  const memo = new Map<string, Promise<unknown>>();
  const ctx: FindContext = {
    ...base,
    once<T>(key: string, read: () => Promise<T>): Promise<T> {
      if (!memo.has(key)) memo.set(key, read());
      return memo.get(key) as Promise<T>;
    },
  };
  for (const c of list) {
    if (c.scope !== scope || !c.find || c.notApplicable?.(base.server) !== undefined) continue;
    found.get(c)!.push(...(await c.find(ctx)));
  }
}

/** The checks of a strategy, in report order. */
export function precheckList(strategy: 'clone' | 'replication' = 'clone'): readonly PrecheckCheck<unknown>[] {
  if (strategy !== 'replication') return PRECHECK_CHECKS;
  const i = PRECHECK_CHECKS.findIndex((c) => c.name === 'databases checked');
  const kept = PRECHECK_CHECKS.filter((c) => !REPLACED_FOR_REPLICATION.includes(c.name));
  const at = kept.indexOf(PRECHECK_CHECKS[i]);
  return [...kept.slice(0, at), ...REPLICATION_PRECHECKS, ...kept.slice(at)];
}

/** Runs every pre-upgrade check against the source cluster. Connection problems reject with ConnectionError. */
export async function runPrecheck(opts: PrecheckOptions): Promise<PrecheckResult> {
  const deadline = new Deadline(opts.deadlineSeconds ?? DEFAULT_PRECHECK_DEADLINE_SECONDS);
  return deadline.run(() => precheck(opts, deadline));
}

async function precheck(opts: PrecheckOptions, deadline: Deadline): Promise<PrecheckResult> {
  const progress = opts.onProgress ?? (() => undefined);
  const target =
    typeof opts.source === 'object' && opts.source
      ? opts.source
      : resolveTarget(opts.source, {
          env: opts.env,
          insecure: opts.insecure,
          applicationName: 'tj-pg-upgrade precheck',
        });
  const threshold = opts.largeObjectWarnThreshold ?? 1_000_000;
  const list = precheckList(opts.strategy);
  const found = new Map<PrecheckCheck<unknown>, unknown[]>(list.map((c) => [c, []]));
  const checked: string[] = [];
  const skipped: { name: string; reason: string }[] = [];

  progress(`connecting to ${target.display}`);
  const settings = (): Record<string, string> => ({ ...READ_ONLY, ...sessionLimits(deadline.remainingMs(), 'source') });
  const main = await connect(target, { settings: settings(), side: 'source', deadline });
  let server: SourceServer;
  let databases: DatabaseRow[];
  try {
    ({ server, databases } = await readOnly(main, async () => {
      const s = (await main.query(sql.SERVER)).rows[0];
      const dbs = (await main.query(sql.DATABASES)).rows as DatabaseRow[];
      const srv: SourceServer = {
        version: s.version,
        num: s.num,
        user: s.user,
        superuser: !!s.superuser,
        rds: !!s.rds,
      };
      await findAll(
        list,
        'cluster',
        {
          client: main,
          server: srv,
          databases: dbs,
          database: target.database,
          replay: opts.replay,
          replicationUser: opts.replicationUser,
        },
        found,
      );
      return { server: srv, databases: dbs };
    }));

    for (const d of databases) {
      if (d.datname === 'template0') continue;
      if (Number(d.datconnlimit) === -2) {
        skipped.push({ name: d.datname, reason: 'invalid database (interrupted DROP DATABASE)' });
        continue;
      }
      if (!d.datallowconn) {
        skipped.push({ name: d.datname, reason: 'datallowconn = false' });
        continue;
      }
      progress(`checking database ${d.datname}`);
      let client: Client | undefined;
      try {
        client =
          d.datname === target.database
            ? main
            : await connect(withDatabase(target, d.datname), { settings: settings(), side: 'source', deadline });
        const c = client;
        await readOnly(c, () =>
          findAll(list, 'database', { client: c, server, databases, database: d.datname }, found),
        );
        checked.push(d.datname);
      } catch (err) {
        if (!(err instanceof ConnectionError)) throw err;
        skipped.push({ name: d.datname, reason: err.message });
      } finally {
        if (client && client !== main) await client.end().catch(() => undefined);
      }
    }
  } finally {
    await main.end().catch(() => undefined);
  }

  const run: PrecheckRun = { server, checked, skipped, largeObjectWarnThreshold: threshold };
  const checks = list.map((c) => {
    const why = c.notApplicable?.(server);
    return why !== undefined
      ? check(c.name, 'pass', `not applicable: ${why} (source is ${server.version})`)
      : c.verdict(found.get(c)!, run);
  });
  return {
    source: {
      display: target.display,
      version: server.version,
      versionNum: server.num,
      user: server.user,
      superuser: server.superuser,
    },
    databases: { checked, skipped },
    checks,
    notices: target.notices,
    exitCode: exitCodeFor(checks),
  };
}
