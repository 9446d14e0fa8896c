// `npm run bench`: measures the CLI's start-up (--help, and validate until it connects), builds ToolJet-shaped
// databases on PostgreSQL 13.21, copies them to 16.9, and measures the raw scan floor, `tj-pg-upgrade validate` end
// to end and the naive row-hash baseline on the same data; then the rehearsal phase by phase for the largest size.
// Figures on stdout, progress on stderr, results in bench/results/<date>.json. Everything it creates lives in one
// temp directory, removed at the end.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { seedToolJetFixture } from '../lib/fixture';
import { connect, ConnectionTarget, resolveTarget, withDatabase } from '../lib/pg/connection';
import { copyDatabase, requireClientTool } from '../lib/pg/copy';
import { LocalServer, startLocalServer, stopAllLocalServers } from '../lib/pg/local-server';
import { createCertificateAuthority, issueServerCertificate } from '../lib/tls/ca';
import { BenchOptions, BenchUsageError, parseBenchArgs, USAGE } from './args';
import { naiveCompare, NaiveResult } from './naive';
import { measureRehearsal, Phase } from './rehearsal';
import { buildResults, formatResults, SizeFigures, sizeFigures, SizeSamples, TableProfile } from './report';
import { scanBoth, ScanResult } from './scan';
import { measureStartup, STARTUP_RUNS, startupFigures } from './startup';
import { timed } from './stats';
import { runValidateCli, ValidateRun } from './validate-cli';

const RESULTS_DIR = path.join(__dirname, 'results');
const MB = 1048576;

const t0 = Date.now();
function progress(message: string): void {
  const s = Math.round((Date.now() - t0) / 1000);
  process.stderr.write(
    `[${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}] ${message}\n`,
  );
}

interface Bench {
  opts: BenchOptions;
  servers: LocalServer[];
  caFile: string;
  caPem: string;
  url(server: LocalServer, database: string): string;
}

async function exec(t: ConnectionTarget, ...sql: string[]): Promise<void> {
  const c = await connect(t);
  try {
    for (const s of sql) await c.query(s);
  } finally {
    await c.end();
  }
}

/** Table data (heap + TOAST) of user tables and pg_database_size, in MB, plus the row count. */
async function sizesOf(t: ConnectionTarget): Promise<{ dataMb: number; databaseMb: number }> {
  const c = await connect(t);
  try {
    const r = (
      await c.query(`SELECT coalesce(sum(pg_catalog.pg_table_size(c.oid)), 0)::float8 AS data, pg_catalog.pg_database_size(current_database())::float8 AS db
      FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast'`)
    ).rows[0];
    return { dataMb: r.data / MB, databaseMb: r.db / MB };
  } finally {
    await c.end();
  }
}

/** Per table: rows, text bytes and each method's milliseconds, the slowest tables for validate first. */
function profileOf(count: ScanResult, render: ScanResult, val: ValidateRun, naive: NaiveResult): TableProfile[] {
  const out: TableProfile[] = [];
  for (const [table, c] of count.perTable) {
    const bytes = render.perTable.get(table)?.value[0] ?? 0;
    const rows = c.value[0];
    out.push({
      table,
      rows,
      textMb: bytes / MB,
      avgRowBytes: rows ? bytes / rows : 0,
      renderMs: render.perTable.get(table)?.ms ?? [NaN, NaN],
      validateMs: val.perTableMs.get(table) ?? [NaN, NaN],
      naiveMs: naive.perTableMs.get(table) ?? [NaN, NaN],
    });
  }
  return out.sort((a, b) => Math.max(...b.validateMs) - Math.max(...a.validateMs)).slice(0, 6);
}

async function measureSize(
  b: Bench,
  sizeMb: number,
  largest: boolean,
): Promise<{ figures: SizeFigures; rehearsal: Phase[] }> {
  const [s13, s16] = b.servers;
  const db = `bench_${sizeMb}`;
  const src = resolveTarget(b.url(s13, db), { env: {} });
  const tgt = resolveTarget(b.url(s16, db), { env: {} });
  const { jobs, repeat } = b.opts;
  await exec(withDatabase(src, 'postgres'), `CREATE DATABASE ${db}`);
  try {
    progress(`${sizeMb} MB: seeding the ToolJet-shaped database on ${s13.version}`);
    const seed = await timed(async () => {
      const c = await connect(src);
      try {
        return await seedToolJetFixture(c, { sizeMb });
      } finally {
        await c.end();
      }
    });
    await exec(src, 'VACUUM ANALYZE'); // hint bits and visibility map set, as on a live source
    progress(`${sizeMb} MB: seeded in ${seed.seconds.toFixed(1)} s; copying to ${s16.version} (pg_dump | psql)`);
    const copy = await copyDatabase({ source: src, target: tgt, env: {} });
    await exec(tgt, 'VACUUM ANALYZE'); // what --analyze / the runbook does after the upgrade
    const [ss, ts] = [await sizesOf(src), await sizesOf(tgt)];
    progress(
      `${sizeMb} MB: copied in ${copy.seconds.toFixed(1)} s; ${ss.dataMb.toFixed(0)} MB of table data (${ss.databaseMb.toFixed(0)} MB database); warming up`,
    );

    const count0 = await scanBoth(src, tgt, 'count', jobs);
    const raw0 = await scanBoth(src, tgt, 'text', jobs);
    for (const r of [count0, raw0])
      if (r.mismatches.length) throw new Error(`the copy differs (${r.kind}): ${r.mismatches.join(', ')}`);

    const s: SizeSamples = {
      sizeMb,
      dataMb: ss.dataMb,
      databaseMb: { source: ss.databaseMb, target: ts.databaseMb },
      tables: raw0.tables,
      rows: count0.source,
      textMb: raw0.source / MB,
      seedS: seed.seconds,
      copyS: copy.seconds,
      copyMb: copy.bytes / MB,
      countS: [],
      rawScanS: [],
      renderScanS: [],
      validateS: [],
      validateDbS: [],
      validatePeakRssMb: [],
      naiveS: [],
      naivePairs: 0,
      profile: [],
    };
    for (let i = 1; i <= repeat; i++) {
      const count = await scanBoth(src, tgt, 'count', jobs);
      const raw = await scanBoth(src, tgt, 'text', jobs);
      const render = await scanBoth(src, tgt, 'octets', jobs);
      const val = await runValidateCli(b.url(s13, db), b.url(s16, db), jobs);
      const naive = await naiveCompare(src, tgt, jobs);
      if (naive.diffs.length)
        throw new Error(
          `naive baseline reports ${naive.diffs.length} differences on a faithful copy, e.g. ${JSON.stringify(naive.diffs[0])}`,
        );
      if (naive.sourceRows !== count.source)
        throw new Error(`naive baseline fetched ${naive.sourceRows} rows, count(*) says ${count.source}`);
      s.countS.push(count.seconds);
      s.rawScanS.push(raw.seconds);
      s.renderScanS.push(render.seconds);
      s.validateS.push(val.seconds);
      s.validateDbS.push(val.databaseSeconds);
      s.validatePeakRssMb.push(val.peakRssMb);
      s.naiveS.push(naive.seconds);
      s.naivePairs = naive.sourceRows + naive.targetRows;
      s.profile = profileOf(count, render, val, naive);
      progress(
        `${sizeMb} MB run ${i}/${repeat}: count ${count.seconds.toFixed(2)} s, raw scan ${raw.seconds.toFixed(2)} s, render scan ${render.seconds.toFixed(2)} s, validate ${val.seconds.toFixed(2)} s (peak RSS ${val.peakRssMb.toFixed(0)} MB), naive ${naive.seconds.toFixed(2)} s`,
      );
    }
    let rehearsal: Phase[] = [];
    if (largest) {
      progress(`${sizeMb} MB: rehearsal phases (precheck, validation, config rendering)`);
      rehearsal = await measureRehearsal({ source: src, target: tgt, copy, caBundlePem: b.caPem, jobs });
      rehearsal.unshift({
        phase: 'build source (fixture)',
        seconds: seed.seconds,
        detail: `seedToolJetFixture ${sizeMb} MB on ${s13.version} (not a rehearsal phase on real data)`,
      });
    }
    return { figures: sizeFigures(s), rehearsal };
  } finally {
    await exec(withDatabase(src, 'postgres'), `DROP DATABASE IF EXISTS ${db}`).catch(() => undefined);
    await exec(withDatabase(tgt, 'postgres'), `DROP DATABASE IF EXISTS ${db}`).catch(() => undefined);
  }
}

export async function main(argv: string[]): Promise<number> {
  let opts: BenchOptions;
  try {
    opts = parseBenchArgs(argv);
  } catch (err) {
    if (err instanceof BenchUsageError) {
      process.stderr.write(`bench: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (opts.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  requireClientTool('pg_dump');
  requireClientTool('psql');
  const loadBefore = os.loadavg();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tj-bench-'));
  // The servers' directories go here; as root they run as an unprivileged user, who must be able to enter it
  // (traverse only: the CA's key stays in a 0700 subdirectory).
  fs.chmodSync(tmp, 0o711);
  const cleanup = async (): Promise<void> => {
    await stopAllLocalServers().catch(() => undefined);
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  const onSignal = (): void => {
    progress('interrupted: stopping the servers and removing the temp directory');
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    progress(
      `start-up: tj-pg-upgrade --help, and validate until it connects (${STARTUP_RUNS} runs each, compiled CLI)`,
    );
    const startup = startupFigures(await measureStartup());
    fs.mkdirSync(path.join(tmp, 'tls'), { mode: 0o700 });
    const ca = createCertificateAuthority(path.join(tmp, 'tls'), 'tj-pg-upgrade bench CA');
    const cert = issueServerCertificate(ca, path.join(tmp, 'tls'));
    progress('starting PostgreSQL 13.21 and 16.9 with TLS');
    const started = await timed(() =>
      Promise.all([
        startLocalServer({ major: 13, tls: cert, baseDir: tmp }),
        startLocalServer({ major: 16, tls: cert, baseDir: tmp }),
      ]),
    );
    const b: Bench = {
      opts,
      servers: started.value,
      caFile: ca.certFile,
      caPem: fs.readFileSync(ca.certFile, 'utf8'),
      url: (server, database) => server.url(database, { sslmode: 'verify-full', sslrootcert: ca.certFile }),
    };
    const sizes: SizeFigures[] = [];
    let rehearsal: Phase[] = [];
    for (const size of opts.sizes) {
      const r = await measureSize(b, size, size === opts.sizes[opts.sizes.length - 1]);
      sizes.push(r.figures);
      if (r.rehearsal.length)
        rehearsal = [
          {
            phase: 'start servers',
            seconds: started.seconds,
            detail: `initdb + start ${b.servers.map((s) => s.version).join(' and ')} with TLS`,
          },
          ...r.rehearsal,
        ];
    }
    const cpus = os.cpus();
    const results = buildResults({
      date: new Date().toISOString(),
      command: `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
      machine: {
        cpus: cpus.length,
        cpuModel: cpus[0]?.model,
        memoryGb: Math.round(os.totalmem() / 2 ** 30),
        node: process.version,
        postgres: b.servers.map((s) => s.version),
        loadAverage1mStartEnd: [round2(loadBefore[0]), round2(os.loadavg()[0])],
      },
      repeat: opts.repeat,
      jobs: opts.jobs,
      sizes,
      rehearsal,
      startup,
    });
    process.stdout.write(`${formatResults(results)}\n`);
    if (opts.save) {
      fs.mkdirSync(RESULTS_DIR, { recursive: true });
      const file = path.join(RESULTS_DIR, `${results.date.slice(0, 10)}.json`);
      fs.writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
      process.stdout.write(`\nwrote ${path.relative(process.cwd(), file)}\n`);
    }
    return 0;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await cleanup();
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/** Runs main with the process arguments and exits with its code (bench/run.js calls this). */
export function cli(): void {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`bench: ${(err as Error).message.split('\n')[0]}\n`);
      void stopAllLocalServers().finally(() => process.exit(1));
    },
  );
}
