// `tj-pg-upgrade replicate <step>`: strategy replication's database steps (lib/replication). Loaded only when run.
import { COMMON, CONNECTION_HELP, Command, progressTo, resolveConnection, str, UsageError, Values } from '../command';

const STEPS = ['setup', 'status', 'catch-up', 'finish', 'reverse', 'teardown'] as const;
type Step = (typeof STEPS)[number];

export const command: Command = {
  help: `Usage: tj-pg-upgrade replicate <step> --source <url> --target <url> [options]

Strategy replication: a new PostgreSQL 16.9 instance fed by logical replication from the 13 source, a cutover of
minutes, and replication back to the source after it, so a rollback loses no write. --source is always the
PostgreSQL 13 instance, --target always the 16.9 one; --direction says which one publishes.

Steps:
  setup       copy the source's roles and schema to the target (skipped when the schema is already there and
              identical), create publication tj_upgrade on the source (FOR TABLE, every user table) and subscription
              tj_upgrade on the target (initial copy, then streaming), per database. Re-running is a no-op
  status      per database: subscription enabled / worker running, each table's sync state, the publisher's slot
              (active, lag and retained WAL in bytes). Exit 0 when every table is ready and streaming, 1 otherwise
  catch-up    with writes stopped (ToolJet stopped): wait until the subscriber has applied everything the
              publisher committed (slot confirmed_flush_lsn >= the publisher's pg_current_wal_lsn) and every table
              is ready; warns naming other sessions still connected to the publisher; prints the seconds taken
  finish      set the subscriber's sequences to the publisher's values and refresh the materialized views that are
              populated on the publisher (logical replication carries neither)
  reverse     after the cutover: check the forward subscription is caught up, drop it (and its slot on the source),
              create publication tj_upgrade_reverse on the target and subscription tj_upgrade_reverse on the source
              without an initial copy (copy_data = false)
  teardown    drop the subscriptions, publications and slots of --direction (forward, reverse or all); lists what
              it removed. A subscriber that cannot reach its publisher is detached from its slot, and the slot named
              for dropping by hand

Options:
  --source <url>                 the PostgreSQL 13 instance (default: $TJ_PG_SOURCE_URL)
  --target <url>                 the PostgreSQL 16.9 instance (default: $TJ_PG_TARGET_URL)
  --databases <a,b>              databases to replicate, same names on both (default: the --source URL's
                                 database; ToolJet uses two, e.g. tooljet,tooljet_db)
  --direction <d>                forward (13 -> 16.9, default) or reverse (16.9 -> 13) for status, catch-up and
                                 finish; forward, reverse or all for teardown (default all)
  --publisher-host <host>        the publisher's host as the subscriber's server reaches it and as its certificate
                                 names it (default: the publisher URL's host; for reverse the target's)
  --publisher-port <port>        (default: the publisher URL's port)
  --subscriber-sslrootcert <f>   CA file on the subscriber's own server that verifies the publisher
                                 (sslmode=verify-full); required for setup and reverse. On RDS:
                                 /rdsdbdata/rds-metadata/server-cert.pem (both instances must use the same CA)
  --replication-user <name>      the role the subscription connects as (default: the publisher URL's user); its
                                 password comes from $TJ_PG_REPLICATION_PASSWORD, else the publisher URL's
  --deadline <duration>          catch-up: give up after this long (default 10m; exit 1); reverse: how long to wait
                                 for the forward subscription to be caught up (default 5m)
  --json                         machine-readable output
  --insecure                     allow sslmode=disable/allow/prefer for this tool's own connections
  -q, --quiet                    no progress lines on stderr
  -h, --help                     this help

The subscription's connection string holds the password (an RDS subscriber has no password file): it is stored in
pg_subscription, readable by superusers only, and never printed.

${CONNECTION_HELP}

Exit codes: 0 done (status: every table ready and streaming), 1 not ready, not caught up by the deadline, or the
servers are in a state the step cannot continue from (the message says what to drop), 2 usage or connection error.`,
  options: {
    ...COMMON,
    source: { type: 'string' },
    target: { type: 'string' },
    databases: { type: 'string' },
    direction: { type: 'string' },
    'publisher-host': { type: 'string' },
    'publisher-port': { type: 'string' },
    'subscriber-sslrootcert': { type: 'string' },
    'replication-user': { type: 'string' },
    deadline: { type: 'string' },
  },
  positionals: true,
  async run(values, io, positionals) {
    const step = positionals[0] as Step | undefined;
    if (!step) throw new UsageError(`replicate needs a step: ${STEPS.join(', ')}`);
    if (!STEPS.includes(step)) throw new UsageError(`unknown step "${step}" (steps: ${STEPS.join(', ')})`);
    if (positionals.length > 1) throw new UsageError(`replicate takes one step, got "${positionals.join(' ')}"`);
    const o = await options(step, values, io);
    const lib = await import('../../lib/replication/run');
    const deadline = await deadlineSeconds(values, step === 'reverse' ? '5m' : '10m');
    let r;
    try {
      r =
        step === 'setup'
          ? await lib.setup(o.replication)
          : step === 'status'
            ? await lib.status(o.replication)
            : step === 'catch-up'
              ? await lib.catchUp(o.replication, deadline)
              : step === 'finish'
                ? await lib.finish(o.replication)
                : step === 'reverse'
                  ? await lib.reverse(o.replication, deadline)
                  : await lib.teardown(o.replication, o.teardown);
    } catch (err) {
      if (!(err instanceof lib.ReplicationError)) throw err;
      if (values.json)
        io.out(JSON.stringify({ command: 'replicate', step, ok: false, error: { message: err.message } }, null, 2));
      io.err(`tj-pg-upgrade replicate ${step}: ${err.message}`);
      return err.exitCode;
    }
    if (values.json)
      io.out(
        JSON.stringify(
          {
            command: 'replicate',
            step,
            direction: r.direction,
            ok: r.exitCode === 0,
            ...r.data,
            warnings: r.warnings,
            notices: o.notices,
          },
          null,
          2,
        ),
      );
    else {
      for (const n of o.notices) io.err(`note: ${n}`);
      for (const w of r.warnings) io.err(`warning: ${w}`);
      io.out(r.lines.join('\n'));
    }
    return r.exitCode;
  },
};

async function deadlineSeconds(values: Values, fallback: string): Promise<number> {
  const text = str(values, 'deadline') ?? fallback;
  const { durationSeconds } = await import('../../lib/durations');
  const s = /^\d+$/.test(text) ? Number(text) : durationSeconds(text);
  if (!s) throw new UsageError(`--deadline must be a duration such as 10m, 90s or 1h, got "${text}"`);
  return s;
}

async function options(step: Step, values: Values, io: Parameters<Command['run']>[1]) {
  const source = str(values, 'source') ?? io.env.TJ_PG_SOURCE_URL;
  const target = str(values, 'target') ?? io.env.TJ_PG_TARGET_URL;
  if (!source) throw new UsageError('replicate needs --source <url> (the PostgreSQL 13 instance; or TJ_PG_SOURCE_URL)');
  if (!target)
    throw new UsageError('replicate needs --target <url> (the PostgreSQL 16.9 instance; or TJ_PG_TARGET_URL)');
  const direction = str(values, 'direction');
  const allowed = step === 'teardown' ? ['forward', 'reverse', 'all'] : ['forward', 'reverse'];
  if (direction !== undefined && !allowed.includes(direction))
    throw new UsageError(`--direction must be ${allowed.join(', ')}; got "${direction}"`);
  if (direction !== undefined && (step === 'setup' || step === 'reverse'))
    throw new UsageError(`--direction does not apply to ${step} (setup is forward, reverse is reverse)`);
  const portText = str(values, 'publisher-port');
  if (portText !== undefined && (!/^\d+$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535))
    throw new UsageError(`--publisher-port must be 1-65535, got "${portText}"`);
  const host = str(values, 'publisher-host');
  if (host !== undefined && !/^[A-Za-z0-9.:_-]+$/.test(host))
    throw new UsageError(`--publisher-host must be a host name or address, got "${host}"`);
  const dbText = str(values, 'databases');
  const databases = dbText?.split(',').map((d) => d.trim());
  if (databases && (!databases.length || databases.some((d) => !d)))
    throw new UsageError(`--databases must be a comma-separated list of database names, got "${dbText}"`);
  if (databases && new Set(databases).size !== databases.length)
    throw new UsageError(`--databases names a database twice: "${dbText}"`);
  const rootcert = str(values, 'subscriber-sslrootcert');
  if ((step === 'setup' || step === 'reverse') && !rootcert)
    throw new UsageError(
      `replicate ${step} needs --subscriber-sslrootcert <path>: the CA file on the subscriber's own server that verifies the publisher (RDS: /rdsdbdata/rds-metadata/server-cert.pem)`,
    );
  const user = str(values, 'replication-user');
  if (user !== undefined && !user.trim()) throw new UsageError('--replication-user needs a role name');
  const src = await resolveConnection(values, io, 'source', 'TJ_PG_SOURCE_URL', `replicate ${step}`);
  const tgt = await resolveConnection(values, io, 'target', 'TJ_PG_TARGET_URL', `replicate ${step}`);
  const password = io.env.TJ_PG_REPLICATION_PASSWORD || undefined;
  return {
    notices: [...src.notices.map((n) => `source: ${n}`), ...tgt.notices.map((n) => `target: ${n}`)],
    teardown: (direction ?? 'all') as 'forward' | 'reverse' | 'all',
    replication: {
      source: src,
      target: tgt,
      databases,
      direction: (direction === 'all' ? undefined : direction) as 'forward' | 'reverse' | undefined,
      publisherHost: host,
      publisherPort: portText === undefined ? undefined : Number(portText),
      subscriberSslrootcert: rootcert,
      replicationUser: user,
      replicationPassword: password,
      onProgress: progressTo(io, values),
    },
  };
}
