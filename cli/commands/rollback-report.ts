// `tj-pg-upgrade rollback-report`: what stays behind on the clone when ToolJet goes back to the source
// (checks/rollback). Loaded only when run.
import { utcTimestamp } from '../../config/aftercare';
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
  --strategy <s>           clone (default) or replication: after reverse replication (tj-pg-upgrade replicate
                           reverse, catch-up --direction reverse) every clone row must be on the source; also checks
                           what replication does not carry back: sequences (replicate finish --direction reverse
                           sets them) and DDL (schema differences)
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
    strategy: { type: 'string' },
    'tooljet-db': { type: 'string' },
    jobs: { type: 'string' },
  },
  async run(values, io) {
    const source = str(values, 'source') ?? io.env.TJ_PG_SOURCE_URL;
    const clone = str(values, 'clone') ?? io.env.TJ_PG_TARGET_URL;
    if (!source) throw new UsageError('rollback-report needs --source <url> (or TJ_PG_SOURCE_URL)');
    if (!clone) throw new UsageError('rollback-report needs --clone <url> (or TJ_PG_TARGET_URL)');
    const since = str(values, 'since');
    if (since !== undefined && !utcTimestamp(since))
      throw new UsageError(`--since must be a UTC time like 2026-07-01T22:00:00Z, got "${since}"`);
    const jobsText = str(values, 'jobs') ?? '4';
    if (!/^\d+$/.test(jobsText) || Number(jobsText) < 1 || Number(jobsText) > 16)
      throw new UsageError(`--jobs must be 1-16, got "${jobsText}"`);
    const strategy = str(values, 'strategy') ?? 'clone';
    if (strategy !== 'clone' && strategy !== 'replication')
      throw new UsageError(`--strategy must be clone or replication, got "${strategy}"`);
    const tooljetDb = str(values, 'tooljet-db');
    if (tooljetDb !== undefined && !tooljetDb.trim()) throw new UsageError('--tooljet-db needs a database name');
    const sourceConnection = await resolveConnection(values, io, 'source', 'TJ_PG_SOURCE_URL', 'rollback-report');
    const cloneConnection = await resolveConnection(values, io, 'clone', 'TJ_PG_TARGET_URL', 'rollback-report');
    const { rollbackSummary, runRollbackReport } = await import('../../checks/rollback');
    const r = await runRollbackReport({
      source: sourceConnection,
      clone: cloneConnection,
      since: since === undefined ? undefined : utcTimestamp(since),
      tooljetDb,
      strategy,
      jobs: Number(jobsText),
      insecure: !!values.insecure,
      env: io.env,
      onProgress: progressTo(io, values),
    });
    printResult(
      io,
      values,
      'rollback-report',
      `tj-pg-upgrade rollback-report: clone ${r.clone.display} vs source ${r.source.display}`,
      r.checks,
      {
        source: r.source,
        clone: r.clone,
        since: r.since,
        onlyOnClone: r.onlyOnClone,
        onlyOnSource: r.onlyOnSource,
        writtenAfterCutover: r.writtenAfterCutover,
        databases: r.databases,
        notices: r.notices,
      },
      r.notices,
    );
    if (!values.json) io.out(rollbackSummary(r));
    return r.exitCode;
  },
};
