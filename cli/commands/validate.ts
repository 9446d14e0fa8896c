// `tj-pg-upgrade validate`: the target against the source (checks/validate). Loaded only when run.
import {
  COMMON,
  CONNECTION_HELP,
  Command,
  printResult,
  progressTo,
  resolveConnection,
  str,
  UsageError,
} from '../command';

export const command: Command = {
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
  --deadline <duration>    give up after this long, e.g. 90m, 2h, 1h30m, 300s (default 1h): every session is
                           closed and the exit code is 2, naming the side and host that did not answer. An hour
                           covers a ToolJet database of tens of GB read at 15-35 s/GB; raise it beyond ~50 GB.
                           Every session also has statement_timeout (the deadline), lock_timeout (30 s: an object
                           locked by someone else fails, named), TCP keepalives, and on the source
                           idle_in_transaction_session_timeout, so a vanished validator leaves nothing behind
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
    deadline: { type: 'string' },
  },
  async run(values, io) {
    const source = str(values, 'source') ?? io.env.TJ_PG_SOURCE_URL;
    const target = str(values, 'target') ?? io.env.TJ_PG_TARGET_URL;
    if (!source) throw new UsageError('validate needs --source <url> (or TJ_PG_SOURCE_URL)');
    if (!target) throw new UsageError('validate needs --target <url> (or TJ_PG_TARGET_URL)');
    const expect = str(values, 'expect-version') ?? '16.9';
    if (!/^\d+(\.\d+)?$/.test(expect))
      throw new UsageError(`--expect-version must look like 16.9 or 16, got "${expect}"`);
    const jobsText = str(values, 'jobs') ?? '4';
    if (!/^\d+$/.test(jobsText) || Number(jobsText) < 1 || Number(jobsText) > 16)
      throw new UsageError(`--jobs must be 1-16, got "${jobsText}"`);
    const deadlineText = str(values, 'deadline') ?? '1h';
    const { durationSeconds } = await import('../../lib/durations');
    const deadlineSeconds = /^\d+$/.test(deadlineText) ? Number(deadlineText) : durationSeconds(deadlineText);
    if (!deadlineSeconds)
      throw new UsageError(`--deadline must be a duration such as 90m, 2h, 1h30m or 300s, got "${deadlineText}"`);
    const tooljetDb = str(values, 'tooljet-db');
    if (tooljetDb !== undefined && !tooljetDb.trim()) throw new UsageError('--tooljet-db needs a database name');
    const sourceConnection = await resolveConnection(values, io, 'source', 'TJ_PG_SOURCE_URL', 'validate');
    const targetConnection = await resolveConnection(values, io, 'target', 'TJ_PG_TARGET_URL', 'validate');
    const { runValidate } = await import('../../checks/validate');
    const r = await runValidate({
      source: sourceConnection,
      target: targetConnection,
      expectVersion: expect,
      tooljetDb,
      analyze: !!values.analyze,
      fixSequences: !!values['fix-sequences'],
      liveSource: !!values['live-source'],
      jobs: Number(jobsText),
      deadlineSeconds,
      insecure: !!values.insecure,
      env: io.env,
      onProgress: progressTo(io, values),
    });
    const notices = [...r.notices, ...r.writes.map((w) => `wrote: ${w}`)];
    printResult(
      io,
      values,
      'validate',
      `tj-pg-upgrade validate: ${r.source.display} (${r.source.version}) -> ${r.target.display} (${r.target.version})`,
      r.checks,
      { source: r.source, target: r.target, writes: r.writes, notices: r.notices, databases: r.databases },
      notices,
    );
    return r.exitCode;
  },
};
