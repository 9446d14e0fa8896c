// `tj-pg-upgrade precheck`: the source cluster's upgrade blockers (checks/precheck). Loaded only when run.
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
  help: `Usage: tj-pg-upgrade precheck [--source <url>] [options]

Connects to the PostgreSQL 13 source and reports every blocker that pg_upgrade --check (13 -> 16) and RDS's
pre-upgrade check stop on, with the objects found and what to do, plus warnings. Cluster-wide checks run once;
per-database checks run in every database that accepts connections; a database the role may not enter fails
("databases checked": its blockers are unknown), except RDS's own rdsadmin. Objects using functions, operators or
catalog columns that 14-16 removed are found from the catalog (pg_depend, function text); the exact check, a replay
of pg_dump --schema-only into 16.9, runs in tj-pg-upgrade rehearse. Read-only: everything runs in READ ONLY
transactions.

Options:
  --source <url>              the source (default: $TJ_PG_SOURCE_URL, else the PG* environment)
  --strategy <s>              clone (default) or replication: also the prerequisites of logical replication
                              (wal_level = logical / rds.logical_replication, a role that may replicate, slot
                              and walsender headroom, tables without a replica identity, large objects, unlogged
                              tables, table ownership), each refused with its fix
  --replication-user <name>   strategy replication: the role the subscription connects as (default: the
                              --source user)
  --large-objects-warn <n>    warn from this many large objects (default 1000000)
  --deadline <duration>       give up after this long, e.g. 5m, 300s (default 15m; catalog reads only): every
                              session is closed, exit 2 naming the host that did not answer. Each session also has
                              statement_timeout, lock_timeout (30 s), TCP keepalives and
                              idle_in_transaction_session_timeout
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
    strategy: { type: 'string' },
    'replication-user': { type: 'string' },
    deadline: { type: 'string' },
  },
  async run(values, io) {
    const source = str(values, 'source') ?? io.env.TJ_PG_SOURCE_URL;
    if (!source && !io.env.PGHOST)
      throw new UsageError('precheck needs --source <url> (or TJ_PG_SOURCE_URL, or PGHOST and friends)');
    const lo = str(values, 'large-objects-warn');
    if (lo !== undefined && !/^\d+$/.test(lo))
      throw new UsageError(`--large-objects-warn must be a whole number, got "${lo}"`);
    const deadlineText = str(values, 'deadline') ?? '15m';
    const { durationSeconds } = await import('../../lib/durations');
    const deadlineSeconds = /^\d+$/.test(deadlineText) ? Number(deadlineText) : durationSeconds(deadlineText);
    if (!deadlineSeconds)
      throw new UsageError(`--deadline must be a duration such as 15m, 1h or 300s, got "${deadlineText}"`);
    const strategy = str(values, 'strategy') ?? 'clone';
    if (strategy !== 'clone' && strategy !== 'replication')
      throw new UsageError(`--strategy must be clone or replication, got "${strategy}"`);
    const replicationUser = str(values, 'replication-user');
    if (replicationUser !== undefined && strategy !== 'replication')
      throw new UsageError('--replication-user goes with --strategy replication');
    const sourceConnection = await resolveConnection(values, io, 'source', 'TJ_PG_SOURCE_URL', 'precheck');
    const { runPrecheck } = await import('../../checks/precheck');
    const r = await runPrecheck({
      source: sourceConnection,
      insecure: !!values.insecure,
      env: io.env,
      largeObjectWarnThreshold: lo === undefined ? undefined : Number(lo),
      deadlineSeconds,
      strategy,
      replicationUser,
      onProgress: progressTo(io, values),
    });
    printResult(
      io,
      values,
      'precheck',
      `tj-pg-upgrade precheck: ${r.source.display} (PostgreSQL ${r.source.version})`,
      r.checks,
      { source: r.source, databases: r.databases, notices: r.notices },
      r.notices,
    );
    return r.exitCode;
  },
};
