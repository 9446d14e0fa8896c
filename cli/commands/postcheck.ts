// `tj-pg-upgrade postcheck`: the upgraded instance on its own (checks/postcheck). Loaded only when run.
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
    if (!target && !io.env.PGHOST)
      throw new UsageError('postcheck needs --target <url> (or TJ_PG_TARGET_URL, or PGHOST and friends)');
    const expect = str(values, 'expect-version') ?? '16.9';
    if (!/^\d+(\.\d+)?$/.test(expect))
      throw new UsageError(`--expect-version must look like 16.9 or 16, got "${expect}"`);
    const tooljetDb = str(values, 'tooljet-db');
    if (tooljetDb !== undefined && !tooljetDb.trim()) throw new UsageError('--tooljet-db needs a database name');
    const targetConnection = await resolveConnection(values, io, 'target', 'TJ_PG_TARGET_URL', 'postcheck');
    const { runPostcheck } = await import('../../checks/postcheck');
    const r = await runPostcheck({
      target: targetConnection,
      expectVersion: expect,
      tooljetDb,
      fixSequences: !!values['fix-sequences'],
      analyze: !!values.analyze,
      insecure: !!values.insecure,
      env: io.env,
      onProgress: progressTo(io, values),
    });
    printResult(
      io,
      values,
      'postcheck',
      `tj-pg-upgrade postcheck: ${r.target.display} (${r.target.version})`,
      r.checks,
      { target: r.target, writes: r.writes, notices: r.notices },
      [...r.notices, ...r.writes.map((w) => `wrote: ${w}`)],
    );
    return r.exitCode;
  },
};
