// `tj-pg-upgrade`: thin CLI over lib/checks (precheck, validate) and cli/rehearse (rehearse). Exit codes: 0 all
// checks passed (warnings allowed), 1 a check failed / a blocker was found, 2 usage or connection error; rehearse:
// 130/143 when interrupted (SIGINT/SIGTERM).
//
// Adding a subcommand (e.g. `rehearse`): write a Command (summary, help, options, run) and add it to COMMANDS.
import { parseArgs, ParseArgsConfig } from 'util';
import { runPostcheck } from '../checks/postcheck';
import { runPrecheck } from '../checks/precheck';
import { CheckResult, renderJson, renderTable } from '../checks/report';
import { rollbackSummary, runRollbackReport } from '../checks/rollback';
import { runValidate } from '../checks/validate';
import { utcTimestamp } from '../config/aftercare';
import { ConnectionConfigError, ConnectionError, redactUrl } from '../lib/pg/connection';
import { DEFAULT_OUT, DEFAULT_SIZE_MB, RehearsalUsageError, renderSummary, runRehearsal } from '../cli/rehearse';

export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;
type Values = Record<string, string | boolean | undefined>;

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** Progress lines on stderr (default: when stderr is a terminal). */
  progress: boolean;
}

export interface Command {
  summary: string;
  help: string;
  options: Options;
  run(values: Values, io: Io): Promise<number>;
}

const COMMON: Options = {
  json: { type: 'boolean' },
  insecure: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
};

const CONNECTION_HELP = `Connection strings are libpq URLs, e.g.
  postgresql://user:password@db.example.com:5432/tooljet?sslmode=verify-full&sslrootcert=/certs/global-bundle.pem
or keyword/value strings ("host=db.example.com dbname=tooljet sslmode=verify-full ..."). PGHOST PGPORT PGUSER
PGPASSWORD PGDATABASE PGSSLMODE PGSSLROOTCERT fill in what the string leaves out (keep passwords out of argv: use
PGPASSWORD, or pass the whole URL in the environment variable named below). TLS is always verified: chain and host
name (verify-full); sslmode=require/verify-ca are verified fully too; sslrootcert=system uses Node's CAs; without
sslrootcert Node's CAs plus NODE_EXTRA_CA_CERTS are trusted. sslmode=disable/allow/prefer need --insecure.`;

function str(v: Values, k: string): string | undefined {
  const x = v[k];
  return typeof x === 'string' ? x : undefined;
}

function printResult(io: Io, values: Values, command: string, title: string, checks: CheckResult[], extra: Record<string, unknown>, notices: string[]): void {
  if (values.json) io.out(renderJson(command, checks, extra));
  else {
    for (const n of notices) io.err(`note: ${n}`);
    io.out(renderTable(title, checks));
  }
}

const precheck: Command = {
  summary: 'report everything that stops an upgrade of a PostgreSQL 13 cluster to 16 (pg_upgrade --check + RDS)',
  help: `Usage: tj-pg-upgrade precheck [--source <url>] [options]

Connects to the PostgreSQL 13 source and reports every blocker that pg_upgrade --check (13 -> 16) and RDS's
pre-upgrade check stop on, with the objects found and what to do, plus warnings. Cluster-wide checks run once;
per-database checks run in every database that accepts connections. Read-only: everything runs in READ ONLY
transactions.

Options:
  --source <url>              the source (default: $TJ_PG_SOURCE_URL, else the PG* environment)
  --large-objects-warn <n>    warn from this many large objects (default 1000000)
  --json                      machine-readable output (every check with all objects)
  --insecure                  allow sslmode=disable/allow/prefer (plain text)
  -q, --quiet                 no progress lines on stderr
  -h, --help                  this help

${CONNECTION_HELP}

Exit codes: 0 no blocker (warnings allowed), 1 a blocker was found, 2 usage or connection error.`,
  options: {
    ...COMMON,
    source: { type: 'string' },
    'large-objects-warn': { type: 'string' },
  },
  async run(values, io) {
    const source = str(values, 'source') ?? io.env.TJ_PG_SOURCE_URL;
    if (!source && !io.env.PGHOST) throw new UsageError('precheck needs --source <url> (or TJ_PG_SOURCE_URL, or PGHOST and friends)');
    const lo = str(values, 'large-objects-warn');
    if (lo !== undefined && !/^\d+$/.test(lo)) throw new UsageError(`--large-objects-warn must be a whole number, got "${lo}"`);
    const r = await runPrecheck({
      source,
      insecure: !!values.insecure,
      env: io.env,
      largeObjectWarnThreshold: lo === undefined ? undefined : Number(lo),
      onProgress: io.progress && !values.quiet ? (m) => io.err(`... ${m}`) : undefined,
    });
    printResult(io, values, 'precheck', `tj-pg-upgrade precheck: ${r.source.display} (PostgreSQL ${r.source.version})`, r.checks,
      { source: r.source, databases: r.databases, notices: r.notices }, r.notices);
    return r.exitCode;
  },
};

const validate: Command = {
  summary: 'prove the target (16.9) holds what the source holds: TLS, version, schema, rows, checksums, sequences',
  help: `Usage: tj-pg-upgrade validate --source <url> --target <url> [options]

Compares the source (PostgreSQL 13) with the target (16.9): verified TLS on both, target version, schema parity
(tables, columns and types, indexes, constraints, sequences, views, functions, types, triggers, extensions), row
counts and an order-independent content checksum per table computed on the servers, sequence values, ToolJet's
migrations table, extensions to update, and tables without optimizer statistics. Both sides are read in READ ONLY
transactions on one snapshot per side. Nothing is written unless --analyze or --fix-sequences is given, and then
only on the target.

Options:
  --source <url>           the source database (default: $TJ_PG_SOURCE_URL)
  --target <url>           the target database (default: $TJ_PG_TARGET_URL)
  --expect-version <v>     expected target server_version: 16.9 (exact) or 16 (major) (default 16.9)
  --tooljet-db <name>      also validate this database (the ToolJet Database, e.g. tooljet_db) on both servers,
                           same host and credentials as --source/--target
  --analyze                run ANALYZE on target tables that have rows but no statistics (a write on the target)
  --fix-sequences          set target sequences that lag the source to the source values (a write on the target)
  --live-source            the source keeps taking writes (ToolJet not stopped): row, sequence and migration
                           differences are warnings, not failures; TLS, version and schema still fail
  --jobs <n>               sessions per side for the row checksums (default 4)
  --json                   machine-readable output
  --insecure               allow sslmode=disable/allow/prefer (plain text; the TLS checks then fail)
  -q, --quiet              no progress lines on stderr
  -h, --help               this help

${CONNECTION_HELP}

Exit codes: 0 all checks passed (warnings allowed), 1 a check failed, 2 usage or connection error.`,
  options: {
    ...COMMON,
    source: { type: 'string' },
    target: { type: 'string' },
    'expect-version': { type: 'string' },
    'tooljet-db': { type: 'string' },
    analyze: { type: 'boolean' },
    'fix-sequences': { type: 'boolean' },
    'live-source': { type: 'boolean' },
    jobs: { type: 'string' },
  },
  async run(values, io) {
    const source = str(values, 'source') ?? io.env.TJ_PG_SOURCE_URL;
    const target = str(values, 'target') ?? io.env.TJ_PG_TARGET_URL;
    if (!source) throw new UsageError('validate needs --source <url> (or TJ_PG_SOURCE_URL)');
    if (!target) throw new UsageError('validate needs --target <url> (or TJ_PG_TARGET_URL)');
    const expect = str(values, 'expect-version') ?? '16.9';
    if (!/^\d+(\.\d+)?$/.test(expect)) throw new UsageError(`--expect-version must look like 16.9 or 16, got "${expect}"`);
    const jobsText = str(values, 'jobs') ?? '4';
    if (!/^\d+$/.test(jobsText) || Number(jobsText) < 1 || Number(jobsText) > 16) throw new UsageError(`--jobs must be 1-16, got "${jobsText}"`);
    const tooljetDb = str(values, 'tooljet-db');
    if (tooljetDb !== undefined && !tooljetDb.trim()) throw new UsageError('--tooljet-db needs a database name');
    const r = await runValidate({
      source,
      target,
      expectVersion: expect,
      tooljetDb,
      analyze: !!values.analyze,
      fixSequences: !!values['fix-sequences'],
      liveSource: !!values['live-source'],
      jobs: Number(jobsText),
      insecure: !!values.insecure,
      env: io.env,
      onProgress: io.progress && !values.quiet ? (m) => io.err(`... ${m}`) : undefined,
    });
    const notices = [...r.notices, ...r.writes.map((w) => `wrote: ${w}`)];
    printResult(io, values, 'validate', `tj-pg-upgrade validate: ${r.source.display} (${r.source.version}) -> ${r.target.display} (${r.target.version})`,
      r.checks, { source: r.source, target: r.target, writes: r.writes, notices: r.notices, databases: r.databases }, notices);
    return r.exitCode;
  },
};

const rehearse: Command = {
  summary: 'the whole runbook on this machine: 13.21 -> 16.9 copy, precheck, validate, ToolJet connection, configs, results, rollback drill',
  help: `Usage: tj-pg-upgrade rehearse [--source <url>] [--size-mb N] [--out DIR] [--keep] [--json]

Rehearses ToolJet's PostgreSQL 13 -> 16.9 upgrade on this machine, with real PostgreSQL 13.21 and 16.9:
  1 source    a local PostgreSQL 13.21 seeded with a ToolJet-shaped fixture, or your --source (only ever read)
  2 precheck  blockers stop the rehearsal (exit 1) with the report
  3 clone     a point-in-time copy on a local PostgreSQL 16.9 with TLS (a CA generated for the run stands in for
              the RDS CA bundle): logical replication from the local source; pg_dump | psql from a --source
  4 cutover   (local source) writes stopped -> clone caught up -> replica detached -> sequences set
  5 validate  tj-pg-upgrade validate --analyze, ToolJet database and ToolJet Database
  6 configs   ToolJet configuration for Docker, ECS, EKS and AMI pointing at the clone, written under --out
  7 tooljet   connections made exactly as ToolJet makes them, from the rendered Docker .env
  8 rollback  every target rendered again with activeDatabase: source and compared setting by setting
  9 results   results.md (ToolJet's "PostgreSQL 16.9 Upgrade Test Results") and results.json under --out

Options:
  --source <url>      your PostgreSQL 13 (e.g. a restored copy of production); read-only session. Without it, a
                      local 13.21 with the fixture. Keep the password out of argv: PGPASSWORD works.
  --tooljet-db <name> the ToolJet Database on --source's server (default: tooljet_db if it exists there)
  --size-mb <n>       size of the generated fixture in MB (default ${DEFAULT_SIZE_MB}; not with --source)
  --out <dir>         where the configuration and results go (default ./${DEFAULT_OUT}); must be new, empty, or an
                      earlier rehearsal's output (which is replaced)
  --keep              leave both servers running and the temporary files in place (the summary says how to stop them)
  --json              print results.json on stdout instead of the summary
  --insecure          allow sslmode=disable/allow/prefer for --source (plain text)
  -q, --quiet         no progress lines on stderr
  -h, --help          this help

${CONNECTION_HELP}

Ctrl-C (SIGINT) or SIGTERM stops the servers and removes the temporary files and a partly written --out.
Exit codes: 0 everything passed (warnings allowed), 1 a blocker or a failed check (see results.md), 2 usage or
connection error, 130/143 interrupted.`,
  options: {
    json: COMMON.json,
    insecure: COMMON.insecure,
    quiet: COMMON.quiet,
    help: COMMON.help,
    source: { type: 'string' },
    'tooljet-db': { type: 'string' },
    'size-mb': { type: 'string' },
    out: { type: 'string' },
    keep: { type: 'boolean' },
  },
  async run(values, io) {
    const sizeText = str(values, 'size-mb');
    if (sizeText !== undefined && !/^\d+(\.\d+)?$/.test(sizeText)) throw new UsageError(`--size-mb must be a positive number of MB, got "${sizeText}"`);
    const out = str(values, 'out') ?? DEFAULT_OUT;
    if (!out.trim()) throw new UsageError('--out needs a directory');
    const controller = new AbortController();
    const onSignal = (sig: NodeJS.Signals): void => {
      if (controller.signal.aborted) return;
      io.err(`\ntj-pg-upgrade rehearse: ${sig} received: stopping the servers and removing temporary files ...`);
      controller.abort(sig);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const say = values.quiet ? undefined : (line: string) => io.err(line);
    try {
      const report = await runRehearsal({
        source: str(values, 'source'),
        tooljetDb: str(values, 'tooljet-db'),
        sizeMb: sizeText === undefined ? undefined : Number(sizeText),
        out,
        keep: !!values.keep,
        insecure: !!values.insecure,
        env: io.env,
        signal: controller.signal,
        onPhase: say,
        onProgress: io.progress ? say : undefined,
      });
      if (report.interrupted) {
        io.err(`tj-pg-upgrade rehearse: interrupted by ${report.interrupted}; servers stopped${values.keep ? '' : ', temporary files removed'}`);
        return report.exitCode;
      }
      if (values.json) io.out(JSON.stringify(report, null, 2));
      else io.out(renderSummary(report, `${report.outDir}/results.md`));
      return report.exitCode;
    } catch (err) {
      if (controller.signal.aborted) {
        // Interrupted before anything was started (nothing to clean up).
        io.err(`tj-pg-upgrade rehearse: interrupted by ${controller.signal.reason}`);
        return controller.signal.reason === 'SIGTERM' ? 143 : 130;
      }
      if (err instanceof RehearsalUsageError) throw new UsageError(err.message);
      throw err;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};

const postcheck: Command = {
  summary: 'check an upgraded instance on its own (no source left, e.g. after a blue/green switchover): TLS, version, sequences vs columns',
  help: `Usage: tj-pg-upgrade postcheck --target <url> [options]

Checks the upgraded PostgreSQL 16 instance alone, for when there is no source to compare with (an RDS blue/green
switchover deletes the old instance): verified TLS, server_version, every sequence against the columns it feeds
(logical replication copies rows but not sequence advances, so a lagging sequence makes the next INSERT fail with
a duplicate key), extensions still to update, tables without optimizer statistics. Nothing is written unless
--fix-sequences or --analyze is given.

Options:
  --target <url>           the upgraded database (default: $TJ_PG_TARGET_URL, else the PG* environment)
  --expect-version <v>     expected server_version: 16.9 (exact) or 16 (major) (default 16.9)
  --tooljet-db <name>      also check this database (the ToolJet Database), same host and credentials
  --fix-sequences          setval every lagging sequence to the largest value in its columns (a write)
  --analyze                ANALYZE tables that have rows but no statistics (a write)
  --json                   machine-readable output
  --insecure               allow sslmode=disable/allow/prefer (plain text; the TLS check then fails)
  -q, --quiet              no progress lines on stderr
  -h, --help               this help

${CONNECTION_HELP}

Exit codes: 0 all checks passed (warnings allowed), 1 a check failed, 2 usage or connection error.`,
  options: {
    ...COMMON,
    target: { type: 'string' },
    'expect-version': { type: 'string' },
    'tooljet-db': { type: 'string' },
    'fix-sequences': { type: 'boolean' },
    analyze: { type: 'boolean' },
  },
  async run(values, io) {
    const target = str(values, 'target') ?? io.env.TJ_PG_TARGET_URL;
    if (!target && !io.env.PGHOST) throw new UsageError('postcheck needs --target <url> (or TJ_PG_TARGET_URL, or PGHOST and friends)');
    const expect = str(values, 'expect-version') ?? '16.9';
    if (!/^\d+(\.\d+)?$/.test(expect)) throw new UsageError(`--expect-version must look like 16.9 or 16, got "${expect}"`);
    const tooljetDb = str(values, 'tooljet-db');
    if (tooljetDb !== undefined && !tooljetDb.trim()) throw new UsageError('--tooljet-db needs a database name');
    const r = await runPostcheck({
      target,
      expectVersion: expect,
      tooljetDb,
      fixSequences: !!values['fix-sequences'],
      analyze: !!values.analyze,
      insecure: !!values.insecure,
      env: io.env,
      onProgress: io.progress && !values.quiet ? (m) => io.err(`... ${m}`) : undefined,
    });
    printResult(io, values, 'postcheck', `tj-pg-upgrade postcheck: ${r.target.display} (${r.target.version})`, r.checks,
      { target: r.target, writes: r.writes, notices: r.notices }, [...r.notices, ...r.writes.map((w) => `wrote: ${w}`)]);
    return r.exitCode;
  },
};

const rollbackReport: Command = {
  summary: 'before rolling back to the source: count the rows written on the clone that stay there (read-only)',
  help: `Usage: tj-pg-upgrade rollback-report --source <url> --clone <url> [options]

Run it before ToolJet is pointed back at the source (activeDatabase: source). It compares the clone with the
source table by table, exactly (row hashes, only differing buckets are read) and read-only on both sides, and
prints how many rows exist only on the clone (writes made on the clone after the cutover: they STAY on the clone,
the source does not get them), how many only on the source, and with --since how many clone rows have a
created_at/updated_at later than the cutover.

Options:
  --source <url>           the original database (default: $TJ_PG_SOURCE_URL)
  --clone <url>            the clone (default: $TJ_PG_TARGET_URL)
  --since <time>           the cutover instant, UTC, e.g. 2026-07-01T22:00:00Z (the stack's cutoverAt)
  --tooljet-db <name>      also compare this database (the ToolJet Database), same hosts and credentials
  --jobs <n>               sessions per side (default 4)
  --json                   machine-readable output
  --insecure               allow sslmode=disable/allow/prefer (plain text)
  -q, --quiet              no progress lines on stderr
  -h, --help               this help

${CONNECTION_HELP}

Exit codes: 0 nothing stays behind on the clone, 1 rows written on the clone stay behind, 2 usage or connection error.`,
  options: {
    ...COMMON,
    source: { type: 'string' },
    clone: { type: 'string' },
    since: { type: 'string' },
    'tooljet-db': { type: 'string' },
    jobs: { type: 'string' },
  },
  async run(values, io) {
    const source = str(values, 'source') ?? io.env.TJ_PG_SOURCE_URL;
    const clone = str(values, 'clone') ?? io.env.TJ_PG_TARGET_URL;
    if (!source) throw new UsageError('rollback-report needs --source <url> (or TJ_PG_SOURCE_URL)');
    if (!clone) throw new UsageError('rollback-report needs --clone <url> (or TJ_PG_TARGET_URL)');
    const since = str(values, 'since');
    if (since !== undefined && !utcTimestamp(since)) throw new UsageError(`--since must be a UTC time like 2026-07-01T22:00:00Z, got "${since}"`);
    const jobsText = str(values, 'jobs') ?? '4';
    if (!/^\d+$/.test(jobsText) || Number(jobsText) < 1 || Number(jobsText) > 16) throw new UsageError(`--jobs must be 1-16, got "${jobsText}"`);
    const tooljetDb = str(values, 'tooljet-db');
    if (tooljetDb !== undefined && !tooljetDb.trim()) throw new UsageError('--tooljet-db needs a database name');
    const r = await runRollbackReport({
      source,
      clone,
      since: since === undefined ? undefined : utcTimestamp(since),
      tooljetDb,
      jobs: Number(jobsText),
      insecure: !!values.insecure,
      env: io.env,
      onProgress: io.progress && !values.quiet ? (m) => io.err(`... ${m}`) : undefined,
    });
    printResult(io, values, 'rollback-report', `tj-pg-upgrade rollback-report: clone ${r.clone.display} vs source ${r.source.display}`, r.checks,
      { source: r.source, clone: r.clone, since: r.since, onlyOnClone: r.onlyOnClone, onlyOnSource: r.onlyOnSource, writtenAfterCutover: r.writtenAfterCutover, databases: r.databases, notices: r.notices }, r.notices);
    if (!values.json) io.out(rollbackSummary(r));
    return r.exitCode;
  },
};

/** Subcommands. To add one, implement Command and list it here (the help text below is generated from this). */
export const COMMANDS: Record<string, Command> = { precheck, validate, rehearse, postcheck, 'rollback-report': rollbackReport };

function mainHelp(): string {
  const names = Object.keys(COMMANDS);
  const w = Math.max(...names.map((n) => n.length));
  return `Usage: tj-pg-upgrade <command> [options]

Commands:
${names.map((n) => `  ${n.padEnd(w)}  ${COMMANDS[n].summary}`).join('\n')}

Run tj-pg-upgrade <command> --help for the options of a command.
Exit codes: 0 all checks passed (warnings allowed), 1 a check failed, 2 usage or connection error.`;
}

/** Runs the CLI; returns the exit code. Never throws. */
export async function main(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '-h' || name === '--help' || name === 'help') {
    io.out(mainHelp());
    return name ? 0 : 2;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    io.err(`tj-pg-upgrade: unknown command "${name}" (commands: ${Object.keys(COMMANDS).join(', ')}; see tj-pg-upgrade --help)`);
    return 2;
  }
  let values: Values;
  try {
    const parsed = parseArgs({ args: rest, options: cmd.options, strict: true, allowPositionals: false });
    values = parsed.values as Values;
  } catch (err) {
    io.err(`tj-pg-upgrade ${name}: ${redactUrl((err as Error).message).replace(/\s*\n\s*/g, ' ')} (see tj-pg-upgrade ${name} --help)`);
    return 2;
  }
  if (values.help) {
    io.out(cmd.help);
    return 0;
  }
  try {
    return await cmd.run(values, io);
  } catch (err) {
    const known = err instanceof UsageError || err instanceof ConnectionConfigError || err instanceof ConnectionError;
    const message = redactUrl((err as Error).message ?? String(err)).replace(/\s*\n\s*/g, ' ');
    const kind = err instanceof ConnectionError ? err.kind : err instanceof UsageError ? 'usage' : err instanceof ConnectionConfigError ? 'config' : 'error';
    if (values.json) io.out(JSON.stringify({ command: name, ok: false, error: { kind, message } }, null, 2));
    io.err(`tj-pg-upgrade ${name}: ${known ? '' : 'error: '}${message}`);
    return 2;
  }
}

function isEntryPoint(): boolean {
  const m = require.main;
  return !!m && (m === module || /[\\/]bin[\\/]tj-pg-upgrade(\.js)?$/.test(m.filename));
}

if (isEntryPoint()) {
  main(process.argv.slice(2), {
    out: (t) => process.stdout.write(`${t}\n`),
    err: (t) => process.stderr.write(`${t}\n`),
    env: process.env,
    progress: !!process.stderr.isTTY,
  }).then((code) => {
    process.exitCode = code;
  });
}
