// `tj-pg-upgrade validate`: proves with queries that the target (PostgreSQL 16.9) holds what the source holds.
// Source and target are each read in READ ONLY REPEATABLE READ transactions sharing one exported snapshot per side.
// The only writes ever made are on the target and only when asked: ANALYZE (--analyze) and setval (--fix-sequences).
import { Client } from 'pg';
import { connect, ConnectionError, ConnectionTarget, resolveTarget, tlsInfo, withDatabase } from '../../lib/pg/connection';
import { check, CheckResult, exitCodeFor } from '../report';
import { key, listTables, planComparison, TableComparison, tableSums } from './content';
import { diffMaps, diffObjects, normalizeWhitespace, readSchema, SCHEMA_KINDS, SchemaKind } from './schema';
import { compareSequences, describeSequence, fixSequence, readSequences } from './sequences';
import { openSnapshotPool, PINNED_SETTINGS, READ_ONLY, runPaired, SnapshotPool } from './session';
import { analyzeTables, outdatedExtensions, readMigrations, tablesWithoutStatistics } from './target';

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
  insecure?: boolean;
  env?: NodeJS.ProcessEnv;
  onProgress?: (message: string) => void;
}

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

const KIND_LABEL: Record<SchemaKind, string> = {
  tables: 'tables', columns: 'columns (with types)', indexes: 'indexes', constraints: 'constraints', sequences: 'sequences',
  views: 'views', functions: 'functions', types: 'types', triggers: 'triggers', extensions: 'extensions',
};

export async function serverFacts(c: Client): Promise<{ version: string; ssl?: { version: string; cipher: string; bits: number } }> {
  const r = (await c.query(`SELECT current_setting('server_version') AS v,
      (SELECT row_to_json(s) FROM (SELECT ssl, version, cipher, bits FROM pg_catalog.pg_stat_ssl WHERE pid = pg_catalog.pg_backend_pid()) s) AS ssl`)).rows[0];
  return { version: String(r.v), ssl: r.ssl && r.ssl.ssl ? { version: r.ssl.version, cipher: r.ssl.cipher, bits: r.ssl.bits } : undefined };
}

export function tlsCheck(side: 'source' | 'target', c: Client, t: ConnectionTarget, server: { ssl?: { version: string; cipher: string; bits: number } }): CheckResult {
  const info = tlsInfo(c, t);
  const name = `TLS (${side})`;
  if (!info.encrypted || !server.ssl) {
    return check(name, 'fail', `${t.endpoint}: the connection is NOT encrypted (plain text allowed by --insecure). Use sslmode=verify-full with sslrootcert=<CA bundle>.`);
  }
  if (!info.verified) return check(name, 'fail', `${t.endpoint}: TLS is in use but the certificate was not verified`);
  return check(name, 'pass',
    `${t.endpoint}: ${server.ssl.version} ${server.ssl.cipher} (${server.ssl.bits} bits, per pg_stat_ssl); certificate "${info.subject}" issued by "${info.issuer}", chain verified against ${info.trustedCas}, host name "${info.checkedName}" checked (verify-full)`);
}

export function versionCheck(actual: string, expected: string): CheckResult {
  const number = actual.split(/\s/)[0];
  const ok = expected.includes('.') ? number === expected : number.split('.')[0] === expected;
  return ok
    ? check('target version', 'pass', `target runs PostgreSQL ${number} (expected ${expected})`)
    : check('target version', 'fail', `target runs PostgreSQL ${number}, expected ${expected}: the upgrade has not reached the expected version (check the engine version / parameter group)`);
}

async function withPools<T>(src: ConnectionTarget, tgt: ConnectionTarget, jobs: number, fn: (s: SnapshotPool, t: SnapshotPool) => Promise<T>): Promise<T> {
  const s = await openSnapshotPool(src, jobs, READ_ONLY);
  let t: SnapshotPool;
  try {
    t = await openSnapshotPool(tgt, jobs);
  } catch (err) {
    await s.close();
    throw err;
  }
  try {
    return await fn(s, t);
  } finally {
    await Promise.all([s.close(), t.close()]);
  }
}

interface DbContext {
  src: ConnectionTarget;
  tgt: ConnectionTarget;
  /** Autocommit session on the target for target-only reads and the optional writes. */
  tgtAdmin: Client;
  label: string;
  opts: ValidateOptions;
  writes: string[];
  notices: string[];
  progress: (m: string) => void;
}

async function validateDatabase(ctx: DbContext): Promise<{ checks: CheckResult[]; db: DatabaseValidation }> {
  const { src, tgt, label, opts } = ctx;
  const jobs = Math.max(1, Math.min(16, opts.jobs ?? 4));
  const checks: CheckResult[] = [];
  const add = (name: string, status: CheckResult['status'], detail: string, objects: string[] = []): void => {
    checks.push(check(name, status, detail, objects, label));
  };
  const started = Date.now();
  const tables: TableComparison[] = [];
  const snapshots: DatabaseValidation['snapshots'] = {};

  await withPools(src, tgt, jobs, async (sp, tp) => {
    snapshots.source = sp.snapshot;
    snapshots.target = tp.snapshot;
    if (sp.snapshotProblem) ctx.notices.push(`${label}: source sessions could not share a snapshot (${sp.snapshotProblem}); each read its own`);
    if (tp.snapshotProblem) ctx.notices.push(`${label}: target sessions could not share a snapshot (${tp.snapshotProblem}); each read its own`);
    const [s0, t0] = [sp.clients[0], tp.clients[0]];

    // Database encoding and locale: different encodings would change the bytes that are hashed.
    const dbq = `SELECT pg_catalog.pg_encoding_to_char(encoding) AS encoding, datcollate, datctype FROM pg_catalog.pg_database WHERE datname = current_database()`;
    const [sd, td] = [(await s0.query(dbq)).rows[0], (await t0.query(dbq)).rows[0]];
    if (sd.encoding !== td.encoding) add('database encoding', 'fail', `source encoding ${sd.encoding}, target ${td.encoding}: create the target database with ENCODING '${sd.encoding}'`);
    else if (sd.datcollate !== td.datcollate || sd.datctype !== td.datctype) {
      add('database encoding', 'warn', `encoding ${sd.encoding} on both; locale differs (source collate ${sd.datcollate}/ctype ${sd.datctype}, target ${td.datcollate}/${td.datctype}): text sort order may differ`);
    } else add('database encoding', 'pass', `${sd.encoding}, collate ${sd.datcollate}, ctype ${sd.datctype} on both`);

    ctx.progress(`${label}: comparing schema`);
    const [ss, ts] = [await readSchema(s0), await readSchema(t0)];
    for (const kind of SCHEMA_KINDS) {
      const d = diffMaps(ss[kind], ts[kind], kind === 'views' ? normalizeWhitespace : undefined);
      const name = `schema: ${KIND_LABEL[kind]}`;
      const n = ss[kind].size;
      if (!d.missing.length && !d.extra.length && !d.changed.length) add(name, 'pass', `${n} identical on source and target`);
      else if (kind === 'views' && !d.missing.length && !d.extra.length) {
        add(name, 'warn', `${d.changed.length} of ${n} view definitions deparse differently on the target; pg_get_viewdef output can change between major versions: review them`, diffObjects(d));
      } else {
        add(name, 'fail', `${d.missing.length} missing on target, ${d.extra.length} extra on target, ${d.changed.length} different (of ${n} on source)`, diffObjects(d));
      }
    }

    ctx.progress(`${label}: counting and hashing rows`);
    const [stab, ttab] = [await listTables(s0), await listTables(t0)];
    const plan = planComparison(stab, ttab);
    const results = new Map<string, TableComparison>();
    await runPaired(plan.work, sp.clients, tp.clients, async (t, sc, tc) => {
      const [a, b] = await Promise.all([tableSums(sc, t), tableSums(tc, t)]);
      if ('error' in a || 'error' in b) {
        const why = 'error' in a ? `source: ${a.error}` : `target: ${(b as { error: string }).error}`;
        results.set(key(t), { table: key(t), skipped: `cannot read (${why})` });
      } else results.set(key(t), { table: key(t), source: a, target: b });
    });
    tables.push(...plan.work.map((t) => results.get(key(t))!), ...plan.skipped);
    tables.sort((a, b) => (a.table < b.table ? -1 : a.table > b.table ? 1 : 0));
    const compared = tables.filter((t) => t.source && t.target);
    const countDiffs = compared.filter((t) => t.source!.rows !== t.target!.rows);
    const sumDiffs = compared.filter((t) => t.source!.sum !== t.target!.sum);
    const notCompared = tables.filter((t) => t.skipped).map((t) => `not compared: ${t.table} (${t.skipped})`);
    const totalRows = compared.reduce((s, t) => s + t.source!.rows, 0);
    // With a live source, data differences are the writes since the snapshot: named, but not a failure.
    const dataDiff: CheckResult['status'] = opts.liveSource ? 'warn' : 'fail';
    const sinceSnapshot = opts.liveSource ? ' (the source is live: writes since the snapshot; exact equality needs ToolJet stopped)' : '';
    if (countDiffs.length) {
      add('row counts', dataDiff, `${countDiffs.length} of ${compared.length} tables have a different number of rows${sinceSnapshot}`,
        [...countDiffs.map((t) => `${t.table}: source ${t.source!.rows} rows, target ${t.target!.rows} (${t.target!.rows - t.source!.rows >= 0 ? '+' : ''}${t.target!.rows - t.source!.rows})`), ...notCompared]);
    } else {
      add('row counts', notCompared.length ? 'fail' : 'pass', `${compared.length} tables, ${totalRows} rows, equal on both sides${notCompared.length ? `; ${notCompared.length} not compared` : ''}`, notCompared);
    }
    if (sumDiffs.length) {
      add('content checksums', dataDiff, `${sumDiffs.length} of ${compared.length} tables differ in content (count + sum of a 64-bit hash per row)${sinceSnapshot}`,
        sumDiffs.map((t) => `${t.table}: content differs${t.source!.rows === t.target!.rows ? ` (same row count ${t.source!.rows}: a row was changed)` : ` (rows ${t.source!.rows} vs ${t.target!.rows})`}`));
    } else {
      add('content checksums', notCompared.length ? 'fail' : 'pass', `${compared.length} tables identical in content${notCompared.length ? `; ${notCompared.length} not compared` : ''}`, notCompared);
    }

    ctx.progress(`${label}: sequences and migrations`);
    const [sseq, tseq] = [await readSequences(s0), await readSequences(t0)];
    const seqDiffs = compareSequences(sseq, tseq);
    if (!seqDiffs.length) add('sequence values', 'pass', `${sseq.size} sequences at the same value`);
    else if (opts.fixSequences) {
      const fixed: string[] = [];
      for (const d of seqDiffs.filter((x) => x.direction !== 'ahead')) {
        const w = await fixSequence(ctx.tgtAdmin, d);
        fixed.push(`${d.key}: ${w}`);
        ctx.writes.push(`${label}: ${w}`);
      }
      const ahead = seqDiffs.filter((x) => x.direction === 'ahead');
      add('sequence values', ahead.length ? 'fail' : 'warn',
        `--fix-sequences set ${fixed.length} target sequence(s) to the source values${ahead.length ? `; ${ahead.length} target sequence(s) are AHEAD of the source and were left alone` : ''}`,
        [...fixed.map((f) => `fixed: ${f}`), ...ahead.map(describeSequence)]);
    } else if (opts.liveSource) {
      add('sequence values', 'warn', `${seqDiffs.length} of ${sseq.size} sequences differ${sinceSnapshot}`, seqDiffs.map(describeSequence));
    } else {
      add('sequence values', 'fail', `${seqDiffs.length} of ${sseq.size} sequences differ (logical replication does not copy sequences): rerun with --fix-sequences to set lagging target sequences to the source values`, seqDiffs.map(describeSequence));
    }

    const [sm, tm] = [await readMigrations(s0), await readMigrations(t0)];
    if (!sm && !tm) add('ToolJet migrations', 'pass', 'no ToolJet migrations table (public.migrations) on either side');
    else if (!sm || !tm) add('ToolJet migrations', 'fail', `public.migrations exists only on the ${sm ? 'source' : 'target'}`);
    else {
      const d = diffMaps(new Map(sm.map((m) => [m, ''])), new Map(tm.map((m) => [m, ''])));
      if (d.missing.length || d.extra.length) add('ToolJet migrations', dataDiff, `migrations differ: ${d.missing.length} missing on target, ${d.extra.length} extra on target${sinceSnapshot}`, diffObjects(d));
      else add('ToolJet migrations', 'pass', `${sm.length} migrations identical${sm.length ? `, latest ${sm[sm.length - 1].split(' ').slice(2).join(' ')}` : ''}`);
    }
  });

  // Target-only follow-ups, outside the snapshot, on the autocommit session (the only place writes can happen).
  const outdated = await outdatedExtensions(ctx.tgtAdmin);
  if (outdated.length) add('extension updates', 'warn', `${outdated.length} extension(s) on the target are older than the version 16 ships; a major upgrade does not update them`, outdated);
  else add('extension updates', 'pass', 'every extension on the target is at its default version');

  let missingStats = await tablesWithoutStatistics(ctx.tgtAdmin);
  if (missingStats.length && opts.analyze) {
    ctx.progress(`${label}: ANALYZE on target (${missingStats.length} tables)`);
    const done = await analyzeTables(ctx.tgtAdmin, missingStats);
    ctx.writes.push(...done.map((d) => `${label}: ${d}`));
    const before = missingStats.length;
    missingStats = await tablesWithoutStatistics(ctx.tgtAdmin);
    if (missingStats.length) add('statistics', 'warn', `ran ANALYZE on ${before} table(s); ${missingStats.length} still have no statistics`, missingStats.map((t) => `${t.schema}.${t.name}`));
    else add('statistics', 'pass', `--analyze ran ANALYZE on ${before} target table(s) that had no statistics`, done);
  } else if (missingStats.length) {
    add('statistics', 'warn', `${missingStats.length} target table(s) with rows have no optimizer statistics (a major upgrade does not carry them): rerun with --analyze, or run ANALYZE in this database`, missingStats.map((t) => `${t.schema}.${t.name}${t.relkind === 'p' ? ' (partitioned parent)' : ''}`));
  } else {
    add('statistics', 'pass', 'every target table with rows has statistics');
  }

  return { checks, db: { source: src.database, target: tgt.database, tables, snapshots, seconds: (Date.now() - started) / 1000 } };
}

/** Validates target against source. Connection problems with the main databases reject with ConnectionError. */
export async function runValidate(opts: ValidateOptions): Promise<ValidateResult> {
  const progress = opts.onProgress ?? (() => undefined);
  const resolve = (x: string | ConnectionTarget | undefined): ConnectionTarget =>
    typeof x === 'object' && x ? x : resolveTarget(x, { env: opts.env, insecure: opts.insecure, applicationName: 'tj-pg-upgrade validate' });
  const src = resolve(opts.source);
  const tgt = resolve(opts.target);
  const expected = opts.expectVersion ?? '16.9';
  if (!/^\d+(\.\d+)?$/.test(expected)) throw new Error(`invalid expected version "${expected}" (e.g. 16.9 or 16)`);
  const checks: CheckResult[] = [];
  const writes: string[] = [];
  const notices = [...src.notices.map((n) => `source: ${n}`), ...tgt.notices.map((n) => `target: ${n}`)];
  const databases: DatabaseValidation[] = [];

  progress(`connecting to source ${src.display} and target ${tgt.display}`);
  const [sr, tr] = await Promise.allSettled([connect(src, { settings: { ...PINNED_SETTINGS, ...READ_ONLY } }), connect(tgt, { settings: PINNED_SETTINGS })]);
  if (sr.status === 'rejected' || tr.status === 'rejected') {
    if (sr.status === 'fulfilled') await sr.value.end().catch(() => undefined);
    if (tr.status === 'fulfilled') await tr.value.end().catch(() => undefined);
    throw (sr.status === 'rejected' ? sr.reason : (tr as PromiseRejectedResult).reason);
  }
  const [sMain, tMain] = [sr.value, tr.value];
  let srcVersion = '';
  let tgtVersion = '';
  try {
    const [sf, tf] = [await serverFacts(sMain), await serverFacts(tMain)];
    srcVersion = sf.version.split(/\s/)[0];
    tgtVersion = tf.version.split(/\s/)[0];
    checks.push(tlsCheck('source', sMain, src, sf), tlsCheck('target', tMain, tgt, tf));
    checks.push(check('source version', 'pass', `source runs PostgreSQL ${srcVersion}`));
    checks.push(versionCheck(tf.version, expected));

    const label = (s: ConnectionTarget, t: ConnectionTarget): string => (s.database === t.database ? s.database : `${s.database} -> ${t.database}`);
    const main = await validateDatabase({ src, tgt, tgtAdmin: tMain, label: label(src, tgt), opts, writes, notices, progress });
    checks.push(...main.checks);
    databases.push(main.db);

    if (opts.tooljetDb) {
      const [s2, t2] = [withDatabase(src, opts.tooljetDb), withDatabase(tgt, opts.tooljetDb)];
      progress(`${opts.tooljetDb}: connecting`);
      const [a, b] = await Promise.allSettled([connect(s2, { settings: READ_ONLY }), connect(t2, { settings: PINNED_SETTINGS })]);
      for (const [side, r] of [['source', a], ['target', b]] as const) {
        if (r.status === 'fulfilled') checks.push(check(`reachable (${side})`, 'pass', `ToolJet Database ${opts.tooljetDb} accepts verified connections on the ${side}`, [], opts.tooljetDb));
        else {
          const why = r.reason instanceof ConnectionError ? r.reason.message : String(r.reason);
          checks.push(check(`reachable (${side})`, 'fail', `ToolJet Database ${opts.tooljetDb} is not reachable on the ${side}: ${why}`, [], opts.tooljetDb));
        }
      }
      if (a.status === 'fulfilled') await a.value.end().catch(() => undefined);
      if (a.status === 'fulfilled' && b.status === 'fulfilled') {
        try {
          const tj = await validateDatabase({ src: s2, tgt: t2, tgtAdmin: b.value, label: opts.tooljetDb, opts, writes, notices, progress });
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
