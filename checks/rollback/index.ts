// `tj-pg-upgrade rollback-report`: before ToolJet is pointed back at the source, say what stays behind on the clone.
// Both sides are only read (READ ONLY REPEATABLE READ transactions, one exported snapshot per side).
//
// What is computable, and what is reported:
// - per table, the exact number of rows only on the clone and only on the source (checks/rollback/diff.ts).
//   In a maintenance-window cutover the source was frozen from the snapshot to the cutover, so the rows only on the
//   clone are the writes ToolJet made on the clone after the cutover (an UPDATE counts as one on each side);
// - with --since <cutover time>: rows on the clone whose created_at / updated_at is later (ToolJet's tables carry
//   both), which also attributes writes when the source was not frozen (staging);
// - tables that exist on one side only or whose columns differ (not compared).
import type { Client } from 'pg';
import { connect, ConnectionTarget, resolveTarget, withDatabase } from '../../lib/pg/connection';
import { compareSequences, readSequences } from '../read/sequences';
import { diffMaps, diffObjects, readSchema, SCHEMA_KINDS } from '../read/schema';
import { key, listTables, planComparison, TableRef } from '../read/content';
import { qualified } from '../read/names';
import { check, CheckResult, exitCodeFor } from '../report';
import { runPaired, withPools } from '../session';
import { PINNED_SETTINGS, READ_ONLY } from '../settings';
import { rowsWrittenAfter, RowDelta, tableDelta, TIMESTAMP_COLUMNS_SQL, WRITE_TIME_COLUMNS } from './diff';

export interface RollbackReportOptions {
  /** The original (PostgreSQL 13) database ToolJet goes back to. */
  source: string | ConnectionTarget | undefined;
  /** The clone ToolJet was pointed at. */
  clone: string | ConnectionTarget | undefined;
  /** Also report this database (ToolJet Database) on both servers, same credentials. */
  tooljetDb?: string;
  /** The cutover instant (UTC ISO 8601): also count clone rows with created_at/updated_at after it. */
  since?: string;
  /**
   * replication: the source got the clone's writes by reverse replication (tj-pg-upgrade replicate reverse), so rows
   * only on the clone are writes that did not flow back; also checks what replication does not carry back (sequences,
   * set by `replicate finish --direction reverse`; DDL).
   */
  strategy?: 'clone' | 'replication';
  jobs?: number;
  insecure?: boolean;
  env?: NodeJS.ProcessEnv;
  onProgress?: (m: string) => void;
}

export interface TableReport extends Partial<RowDelta> {
  table: string;
  /** Rows on the clone with a write-time column after --since (undefined: no such column, or no --since). */
  writtenAfterCutover?: number;
  writeTimeColumns?: string[];
  skipped?: string;
}

export interface DatabaseReport {
  database: string;
  /** strategy replication: source sequences behind the clone's, and schema differences (DDL made on one side). */
  sequencesBehind?: string[];
  schemaDifferences?: string[];
  tables: TableReport[];
  onlyOnClone: number;
  onlyOnSource: number;
  writtenAfterCutover?: number;
}

export interface RollbackReport {
  source: { display: string };
  clone: { display: string };
  since?: string;
  databases: DatabaseReport[];
  /** Rows that stay behind on the clone when ToolJet goes back to the source, over all databases. */
  onlyOnClone: number;
  onlyOnSource: number;
  writtenAfterCutover?: number;
  checks: CheckResult[];
  notices: string[];
  /** 0 nothing stays behind on the clone, 1 rows would stay behind (they are not lost: they stay on the clone). */
  exitCode: 0 | 1;
}

async function writeTimeColumns(c: Client): Promise<Map<string, string[]>> {
  const m = new Map<string, string[]>();
  for (const r of (await c.query(TIMESTAMP_COLUMNS_SQL, [WRITE_TIME_COLUMNS])).rows)
    m.set(qualified(r.schema, r.name), r.columns as string[]);
  return m;
}

async function reportDatabase(
  clone: ConnectionTarget,
  source: ConnectionTarget,
  opts: RollbackReportOptions,
  progress: (m: string) => void,
): Promise<DatabaseReport> {
  const jobs = Math.max(1, Math.min(16, opts.jobs ?? 4));
  return withPools(
    { target: clone, settings: READ_ONLY },
    { target: source, settings: READ_ONLY },
    jobs,
    async (cp, sp) => {
      const [ct, st] = [await listTables(cp.clients[0]), await listTables(sp.clients[0])];
      // planComparison(source=clone side, target=source side): "missing on target" = only on the clone.
      const plan = planComparison(ct, st);
      const extra: Pick<DatabaseReport, 'sequencesBehind' | 'schemaDifferences'> = {};
      if (opts.strategy === 'replication') {
        // The clone's sequences vs the source's: a source sequence behind would hand out ids the clone already used.
        const diffs = compareSequences(await readSequences(cp.clients[0]), await readSequences(sp.clients[0]));
        // compareSequences(clone, source): 'behind' = the source's next value is below the clone's.
        extra.sequencesBehind = diffs
          .filter((d) => d.direction === 'behind')
          .map((d) => `${d.key}: source last_value ${d.target.lastValue}, clone last_value ${d.source.lastValue}`);
        const [a, b] = [await readSchema(cp.clients[0]), await readSchema(sp.clients[0])];
        extra.schemaDifferences = SCHEMA_KINDS.flatMap((k) =>
          diffObjects(diffMaps(a[k], b[k])).map((x) => `${k}: ${x}`),
        );
      }
      const stamps = opts.since ? await writeTimeColumns(cp.clients[0]) : new Map<string, string[]>();
      progress(`${clone.database}: comparing ${plan.work.length} tables`);
      const results = new Map<string, TableReport>();
      await runPaired(plan.work, cp.clients, sp.clients, async (t: TableRef, c, s) => {
        const d = await tableDelta(c, s, t);
        const cols = stamps.get(key(t));
        const r: TableReport = { table: key(t), ...d };
        if (opts.since && cols) {
          r.writeTimeColumns = cols;
          r.writtenAfterCutover = await rowsWrittenAfter(c, t, cols, opts.since);
        }
        results.set(key(t), r);
      });
      const skipped: TableReport[] = plan.skipped.map((x) => ({
        table: x.table,
        skipped:
          x.skipped === 'missing on target'
            ? 'only on the clone'
            : x.skipped === 'extra on target'
              ? 'only on the source'
              : x.skipped!,
      }));
      const tables = [...plan.work.map((t) => results.get(key(t))!), ...skipped].sort((a, b) =>
        a.table < b.table ? -1 : a.table > b.table ? 1 : 0,
      );
      const sum = (f: (t: TableReport) => number | undefined): number => tables.reduce((n, t) => n + (f(t) ?? 0), 0);
      const withStamps = tables.filter((t) => t.writtenAfterCutover !== undefined);
      return {
        database: clone.database,
        tables,
        onlyOnClone: sum((t) => t.onlyOnClone),
        onlyOnSource: sum((t) => t.onlyOnSource),
        ...extra,
        ...(opts.since && { writtenAfterCutover: withStamps.reduce((n, t) => n + t.writtenAfterCutover!, 0) }),
      };
    },
  );
}

/** strategy replication: what reverse replication does not carry back to the source. */
function replicationChecks(db: DatabaseReport): CheckResult[] {
  const label = db.database;
  const seq = db.sequencesBehind ?? [];
  const ddl = db.schemaDifferences ?? [];
  return [
    seq.length
      ? check(
          'sequences on the source',
          'fail',
          `${seq.length} sequence(s) on the source are behind the clone's (replication does not carry sequences): run tj-pg-upgrade replicate finish --direction reverse before ToolJet goes back to the source, or it would hand out ids that exist`,
          seq,
          label,
        )
      : check(
          'sequences on the source',
          'pass',
          'no sequence on the source is behind the clone (set by replicate finish --direction reverse)',
          [],
          label,
        ),
    ddl.length
      ? check(
          'not replicated back',
          'warn',
          `DDL is not replicated: the schemas differ in ${ddl.length} object(s) (a schema change made on one side after the cutover). Make the same change on the source before ToolJet goes back to it`,
          ddl,
          label,
        )
      : check(
          'not replicated back',
          'pass',
          'DDL is not replicated, and none is needed: the clone and the source have the same schema; rows flowed back by reverse replication and sequences are checked above',
          [],
          label,
        ),
  ];
}

function checksFor(db: DatabaseReport, since: string | undefined): CheckResult[] {
  const label = db.database;
  const out: CheckResult[] = db.sequencesBehind ? replicationChecks(db) : [];
  const changed = db.tables.filter((t) => (t.onlyOnClone ?? 0) > 0);
  out.push(
    changed.length
      ? check(
          'rows only on the clone',
          'fail',
          `${db.onlyOnClone} row(s) in ${changed.length} table(s) exist on the clone but not on the source: writes made on the clone (inserts, and the new version of each update). They stay on the clone; the source does not get them`,
          changed.map(
            (t) =>
              `${t.table}: ${t.onlyOnClone} row(s) only on the clone (clone ${t.cloneRows} rows, source ${t.sourceRows})`,
          ),
          label,
        )
      : check(
          'rows only on the clone',
          'pass',
          `every row of the clone is also on the source (${db.tables.filter((t) => !t.skipped).length} tables compared)`,
          [],
          label,
        ),
  );
  const gone = db.tables.filter((t) => (t.onlyOnSource ?? 0) > 0);
  out.push(
    gone.length
      ? check(
          'rows only on the source',
          'warn',
          `${db.onlyOnSource} row(s) in ${gone.length} table(s) exist on the source but not on the clone: deleted on the clone, the old version of rows updated on the clone, or written on the source after the snapshot`,
          gone.map((t) => `${t.table}: ${t.onlyOnSource} row(s) only on the source`),
          label,
        )
      : check('rows only on the source', 'pass', 'every row of the source is also on the clone', [], label),
  );
  if (since) {
    const newer = db.tables.filter((t) => (t.writtenAfterCutover ?? 0) > 0);
    const covered = db.tables.filter((t) => t.writtenAfterCutover !== undefined).length;
    out.push(
      newer.length
        ? check(
            'rows newer than the cutover',
            'warn',
            `${db.writtenAfterCutover} row(s) on the clone have created_at/updated_at after ${since} (${covered} tables have such a column)`,
            newer.map(
              (t) =>
                `${t.table}: ${t.writtenAfterCutover} row(s) with ${t.writeTimeColumns!.join('/')} after the cutover`,
            ),
            label,
          )
        : check(
            'rows newer than the cutover',
            'pass',
            `no row on the clone has created_at/updated_at after ${since} (${covered} tables have such a column)`,
            [],
            label,
          ),
    );
  }
  const skipped = db.tables.filter((t) => t.skipped);
  if (skipped.length) {
    out.push(
      check(
        'tables not compared',
        'warn',
        `${skipped.length} table(s) could not be compared row by row`,
        skipped.map((t) => `${t.table}: ${t.skipped}`),
        label,
      ),
    );
  }
  return out;
}

export async function runRollbackReport(opts: RollbackReportOptions): Promise<RollbackReport> {
  const progress = opts.onProgress ?? (() => undefined);
  const resolve = (x: string | ConnectionTarget | undefined): ConnectionTarget =>
    typeof x === 'object' && x
      ? x
      : resolveTarget(x, { env: opts.env, insecure: opts.insecure, applicationName: 'tj-pg-upgrade rollback-report' });
  const src = resolve(opts.source);
  const cln = resolve(opts.clone);
  const notices = [...src.notices.map((n) => `source: ${n}`), ...cln.notices.map((n) => `clone: ${n}`)];
  // Connect once first so that a wrong host, CA or password is one clear error before any work.
  progress(`connecting to clone ${cln.display} and source ${src.display}`);
  const probes = await Promise.allSettled([
    connect(cln, { settings: { ...PINNED_SETTINGS, ...READ_ONLY } }),
    connect(src, { settings: { ...PINNED_SETTINGS, ...READ_ONLY } }),
  ]);
  await Promise.all(probes.map((p) => (p.status === 'fulfilled' ? p.value.end().catch(() => undefined) : undefined)));
  const failed = probes.find((p) => p.status === 'rejected') as PromiseRejectedResult | undefined;
  if (failed) throw failed.reason;

  const databases: DatabaseReport[] = [await reportDatabase(cln, src, opts, progress)];
  if (opts.tooljetDb)
    databases.push(
      await reportDatabase(withDatabase(cln, opts.tooljetDb), withDatabase(src, opts.tooljetDb), opts, progress),
    );
  const checks = databases.flatMap((d) => checksFor(d, opts.since));
  const total = (f: (d: DatabaseReport) => number | undefined): number =>
    databases.reduce((n, d) => n + (f(d) ?? 0), 0);
  return {
    source: { display: src.display },
    clone: { display: cln.display },
    ...(opts.since && { since: opts.since }),
    databases,
    onlyOnClone: total((d) => d.onlyOnClone),
    onlyOnSource: total((d) => d.onlyOnSource),
    ...(opts.since && { writtenAfterCutover: total((d) => d.writtenAfterCutover) }),
    checks,
    notices,
    exitCode: exitCodeFor(checks),
  };
}

/** The one line printed after the table: what stays on the clone when ToolJet goes back to the source. */
export function rollbackSummary(r: RollbackReport): string {
  const after =
    r.writtenAfterCutover !== undefined
      ? `; ${r.writtenAfterCutover} row(s) on the clone are newer than the cutover (${r.since})`
      : '';
  return r.onlyOnClone === 0
    ? `rollback: nothing stays behind: every row of the clone is on the source${after}`
    : `rollback: ${r.onlyOnClone} row(s) written on the clone stay on the clone and are NOT on the source${after}; the clone is kept for inspection (docs/cutover-and-rollback.md "Rollback: back to the PostgreSQL 13 source")`;
}
