// `tj-pg-upgrade validate`: proves with queries that the target (PostgreSQL 16.9) holds what the source holds.
// Source and target are each read in READ ONLY REPEATABLE READ transactions sharing one exported snapshot per side.
// The only writes ever made are on the target and only when asked: ANALYZE (--analyze) and setval (--fix-sequences).
// The checks themselves are in list.ts, in report order; this file connects, runs them per database, and collects.
import type { Client } from 'pg';
import { connect, ConnectionError, ConnectionTarget, resolveTarget, withDatabase } from '../../lib/pg/connection';
import { Deadline } from '../../lib/pg/deadline';
import { CheckOptions, runDatabaseChecks, runServerChecks } from '../check';
import type { TableComparison } from '../read/content';
import { check, CheckResult, exitCodeFor } from '../report';
import { serverFacts, versionNumber } from '../session';
import { PINNED_SETTINGS, READ_ONLY, sessionLimits } from '../settings';
import { VALIDATE_CHECKS, VALIDATE_SERVER_CHECKS } from './list';

export interface ValidateOptions {
  /** libpq URL / keyword string (PG* environment fills the gaps), or a resolved target. */
  source: string | ConnectionTarget | undefined;
  target: string | ConnectionTarget | undefined;
  /** Expected target server_version: "16.9" (exact) or "16" (major only). Default "16.9". */
  expectVersion?: string;
  /** Also validate this database (ToolJet Database, e.g. tooljet_db) on both servers with the same credentials. */
  tooljetDb?: string;
  /** Run ANALYZE on target tables that have rows but no statistics. */
  analyze?: boolean;
  /** setval target sequences that are behind the source to the source's values. */
  fixSequences?: boolean;
  /** Sessions per side for the content checksums (default 4). */
  jobs?: number;
  /**
   * The source keeps taking writes (ToolJet was not stopped, e.g. a staging clone of live production): differences
   * in rows, sequences and ToolJet's migrations are what happened since the snapshot, so they are reported as
   * warnings (still named, table by table); TLS, version, encoding and schema parity still fail. Exact equality is
   * only provable with the source frozen (maintenance window), which is the default.
   */
  liveSource?: boolean;
  /**
   * Overall time limit in seconds (default DEFAULT_DEADLINE_SECONDS): when it passes, every session is closed and
   * the run rejects with a DeadlineError naming the side and host that had not answered (exit 2).
   */
  deadlineSeconds?: number;
  insecure?: boolean;
  env?: NodeJS.ProcessEnv;
  onProgress?: (message: string) => void;
}

/**
 * validate's default --deadline: one hour. Measured here, validate reads 15-35 s per GB of table data
 * (docs/performance.md); a ToolJet database of a few GB takes minutes, so an hour leaves room for a slow, freshly
 * restored clone (RDS loads a restored volume lazily) while a frozen server still ends the maintenance window's check
 * within the hour. Raise it for databases of more than about 50 GB.
 */
export const DEFAULT_DEADLINE_SECONDS = 3600;

export interface DatabaseValidation {
  source: string;
  target: string;
  tables: TableComparison[];
  /** Exported snapshot ids the workers shared (undefined: could not export; see notices). */
  snapshots: { source?: string; target?: string };
  seconds: number;
}

export interface ValidateResult {
  source: { display: string; version: string };
  target: { display: string; version: string };
  databases: DatabaseValidation[];
  checks: CheckResult[];
  /** Every write made on the target (ANALYZE, setval), in order. Empty unless --analyze/--fix-sequences. */
  writes: string[];
  notices: string[];
  exitCode: 0 | 1;
}

interface DbContext {
  src: ConnectionTarget;
  tgt: ConnectionTarget;
  /** Autocommit session on the target for target-only reads and the optional writes. */
  tgtAdmin: Client;
  label: string;
  opts: ValidateOptions;
  checkOptions: CheckOptions;
  writes: string[];
  notices: string[];
  progress: (m: string) => void;
  deadline: Deadline;
}

async function validateDatabase(ctx: DbContext): Promise<{ checks: CheckResult[]; db: DatabaseValidation }> {
  const { src, tgt, label } = ctx;
  const jobs = Math.max(1, Math.min(16, ctx.opts.jobs ?? 4));
  const started = Date.now();
  const run = await runDatabaseChecks(
    VALIDATE_CHECKS,
    {
      label,
      admin: ctx.tgtAdmin,
      options: ctx.checkOptions,
      writes: ctx.writes,
      notices: ctx.notices,
      progress: ctx.progress,
    },
    {
      source: {
        target: src,
        settings: { ...READ_ONLY, ...sessionLimits(ctx.deadline.remainingMs(), 'source') },
        side: 'source',
        deadline: ctx.deadline,
      },
      target: {
        target: tgt,
        settings: sessionLimits(ctx.deadline.remainingMs(), 'target'),
        side: 'target',
        deadline: ctx.deadline,
      },
      jobs,
    },
  );
  return {
    checks: run.results,
    db: {
      source: src.database,
      target: tgt.database,
      tables: run.tables,
      snapshots: run.snapshots,
      seconds: (Date.now() - started) / 1000,
    },
  };
}

/**
 * Validates target against source. Connection problems with the main databases reject with ConnectionError; the
 * deadline passing rejects with a DeadlineError (a ConnectionError too), every session closed.
 */
export async function runValidate(opts: ValidateOptions): Promise<ValidateResult> {
  const seconds = opts.deadlineSeconds ?? DEFAULT_DEADLINE_SECONDS;
  if (!(seconds > 0)) throw new Error(`invalid deadline ${seconds} s (a positive number of seconds)`);
  const deadline = new Deadline(seconds);
  return deadline.run(() => validate(opts, deadline));
}

async function validate(opts: ValidateOptions, deadline: Deadline): Promise<ValidateResult> {
  const limits = (side: 'source' | 'target'): Record<string, string> => sessionLimits(deadline.remainingMs(), side);
  const progress = opts.onProgress ?? (() => undefined);
  const resolve = (x: string | ConnectionTarget | undefined): ConnectionTarget =>
    typeof x === 'object' && x
      ? x
      : resolveTarget(x, { env: opts.env, insecure: opts.insecure, applicationName: 'tj-pg-upgrade validate' });
  const src = resolve(opts.source);
  const tgt = resolve(opts.target);
  const expected = opts.expectVersion ?? '16.9';
  if (!/^\d+(\.\d+)?$/.test(expected)) throw new Error(`invalid expected version "${expected}" (e.g. 16.9 or 16)`);
  const checks: CheckResult[] = [];
  const writes: string[] = [];
  const notices = [...src.notices.map((n) => `source: ${n}`), ...tgt.notices.map((n) => `target: ${n}`)];
  const databases: DatabaseValidation[] = [];
  const checkOptions: CheckOptions = {
    expectVersion: expected,
    analyze: opts.analyze,
    fixSequences: opts.fixSequences,
    liveSource: opts.liveSource,
  };

  progress(`connecting to source ${src.display} and target ${tgt.display}`);
  const [sr, tr] = await Promise.allSettled([
    connect(src, { settings: { ...PINNED_SETTINGS, ...READ_ONLY, ...limits('source') }, side: 'source', deadline }),
    connect(tgt, { settings: { ...PINNED_SETTINGS, ...limits('target') }, side: 'target', deadline }),
  ]);
  if (sr.status === 'rejected' || tr.status === 'rejected') {
    if (sr.status === 'fulfilled') await sr.value.end().catch(() => undefined);
    if (tr.status === 'fulfilled') await tr.value.end().catch(() => undefined);
    throw sr.status === 'rejected' ? sr.reason : (tr as PromiseRejectedResult).reason;
  }
  const [sMain, tMain] = [sr.value, tr.value];
  let srcVersion = '';
  let tgtVersion = '';
  try {
    const [sf, tf] = [await serverFacts(sMain), await serverFacts(tMain)];
    srcVersion = versionNumber(sf.version);
    tgtVersion = versionNumber(tf.version);
    checks.push(
      ...(await runServerChecks(VALIDATE_SERVER_CHECKS, {
        source: { side: 'source', client: sMain, connection: src, facts: sf },
        target: { side: 'target', client: tMain, connection: tgt, facts: tf },
        options: checkOptions,
      })),
    );

    const label = (s: ConnectionTarget, t: ConnectionTarget): string =>
      s.database === t.database ? s.database : `${s.database} -> ${t.database}`;
    const main = await validateDatabase({
      src,
      tgt,
      tgtAdmin: tMain,
      label: label(src, tgt),
      opts,
      checkOptions,
      writes,
      notices,
      progress,
      deadline,
    });
    checks.push(...main.checks);
    databases.push(main.db);

    if (opts.tooljetDb) {
      const [s2, t2] = [withDatabase(src, opts.tooljetDb), withDatabase(tgt, opts.tooljetDb)];
      progress(`${opts.tooljetDb}: connecting`);
      const [a, b] = await Promise.allSettled([
        connect(s2, { settings: { ...READ_ONLY, ...limits('source') }, side: 'source', deadline }),
        connect(t2, { settings: { ...PINNED_SETTINGS, ...limits('target') }, side: 'target', deadline }),
      ]);
      for (const [side, r] of [
        ['source', a],
        ['target', b],
      ] as const) {
        if (r.status === 'fulfilled')
          checks.push(
            check(
              `reachable (${side})`,
              'pass',
              `ToolJet Database ${opts.tooljetDb} accepts verified connections on the ${side}`,
              [],
              opts.tooljetDb,
            ),
          );
        else {
          const why = r.reason instanceof ConnectionError ? r.reason.message : String(r.reason);
          checks.push(
            check(
              `reachable (${side})`,
              'fail',
              `ToolJet Database ${opts.tooljetDb} is not reachable on the ${side}: ${why}`,
              [],
              opts.tooljetDb,
            ),
          );
        }
      }
      if (a.status === 'fulfilled') await a.value.end().catch(() => undefined);
      if (a.status === 'fulfilled' && b.status === 'fulfilled') {
        try {
          const tj = await validateDatabase({
            src: s2,
            tgt: t2,
            tgtAdmin: b.value,
            label: opts.tooljetDb,
            opts,
            checkOptions,
            writes,
            notices,
            progress,
            deadline,
          });
          checks.push(...tj.checks);
          databases.push(tj.db);
        } finally {
          await b.value.end().catch(() => undefined);
        }
      } else if (b.status === 'fulfilled') await b.value.end().catch(() => undefined);
    }
  } finally {
    await Promise.all([sMain.end().catch(() => undefined), tMain.end().catch(() => undefined)]);
  }
  return {
    source: { display: src.display, version: srcVersion },
    target: { display: tgt.display, version: tgtVersion },
    databases,
    checks,
    writes,
    notices,
    exitCode: exitCodeFor(checks),
  };
}
