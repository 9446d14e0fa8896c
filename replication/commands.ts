// What each of strategy replication's commands runs, and with which environment. Pure: replication/steps.ts wires
// them into local.Commands, and tests read the very text. The CLI is `tj-pg-upgrade replicate <step>` (and
// `precheck --strategy replication`), run like every other command of the program: `node bin/tj-pg-upgrade.js` in
// the project directory (lib/commands/cli.ts), `--source` the 13 instance and `--target` the new 16.9 one from
// TJ_PG_SOURCE_URL / TJ_PG_TARGET_URL (password-free verify-full URLs against the stack's CA bundle), the passwords
// in PGPASSWORD and TJ_PG_REPLICATION_PASSWORD. The whole environment is a secret; the command text holds flags only.
//
// What is verified where: this machine's connections (TJ_PG_*_URL) verify both instances against the stack's CA
// bundle. The subscription's own connection (CREATE SUBSCRIPTION ... CONNECTION, made by the subscriber instance)
// uses sslmode=verify-full with sslrootcert = the subscriber's own server certificate file,
// /rdsdbdata/rds-metadata/server-cert.pem (AWS Knowledge Center "root-certificate-file-rds-postgresql": libpq on an
// RDS instance has no ~/.postgresql/root.crt, but that file holds the instance's CA chain). So the publisher's
// certificate must chain to the subscriber's CA (both instances get the same caCertIdentifier) and name the
// publisher's endpoint (the RDS server certificate carries the endpoint as its CN: "Using SSL with a PostgreSQL DB
// instance"), which is why the publisher host is the instance's endpoint address and never an IP or a CNAME.
import { CLI, commandDatabaseUrl, inProjectDir } from '../lib/commands';
import { formatDuration } from '../lib/durations';

/** The subscriber's own CA file on RDS for PostgreSQL (`SHOW ssl_cert_file`): what it verifies its publisher with. */
export const SUBSCRIBER_SSLROOTCERT = '/rdsdbdata/rds-metadata/server-cert.pem';

/** The steps of the plan (plan/plan.ts ReplicationStep) that are `tj-pg-upgrade` commands. */
export type ReplicationCommandStep =
  | 'precheck'
  | 'setup'
  | 'status'
  | 'catch-up'
  | 'finish'
  | 'reverse'
  | 'catch-up-reverse'
  | 'finish-reverse'
  | 'teardown';

export const REPLICATION_COMMAND_STEPS: readonly ReplicationCommandStep[] = [
  'precheck',
  'setup',
  'status',
  'catch-up',
  'finish',
  'reverse',
  'catch-up-reverse',
  'finish-reverse',
  'teardown',
];

export interface ReplicationCommandOptions {
  /** database.name and database.tooljetDbName: what is published and subscribed. */
  databases: readonly string[];
  /** replication.user: the role the subscription connects as (its password in TJ_PG_REPLICATION_PASSWORD). */
  replicationUser?: string;
  /** replication.catchUpDeadline, seconds. */
  catchUpDeadlineSeconds: number;
}

const SAFE_ARG = /^[A-Za-z0-9_.-]+$/;

function arg(name: string, value: string): string {
  if (!SAFE_ARG.test(value))
    throw new Error(
      `replicate command: ${name} ${JSON.stringify(value)} has characters that do not belong on a command line`,
    );
  return value;
}

/** `tj-pg-upgrade replicate <args>` in the project directory. */
function replicate(args: string): string {
  return inProjectDir(`${CLI} replicate ${args}\n`);
}

/**
 * The script of one step. Hosts and ports come from the environment ($TJ_PUBLISHER_HOST, $TJ_PUBLISHER_PORT, and the
 * subscriber's CA file $TJ_SUBSCRIBER_SSLROOTCERT): the
 * new instance's endpoint is unknown until it exists, and the text stays the same for every run.
 */
export function replicationScript(step: ReplicationCommandStep, o: ReplicationCommandOptions): string {
  const deadline = arg('catchUpDeadline', formatDuration(o.catchUpDeadlineSeconds));
  // Every step names the databases: the CLI's default is the URL's database only, and ToolJet has two.
  const dbs = `--databases ${o.databases.map((d) => arg('database', d)).join(',')}`;
  switch (step) {
    case 'precheck':
      return inProjectDir(`${CLI} precheck --quiet --strategy replication\n`);
    case 'setup': {
      const user =
        o.replicationUser !== undefined ? ` --replication-user ${arg('replication.user', o.replicationUser)}` : '';
      return replicate(
        `setup ${dbs} --publisher-host "$TJ_PUBLISHER_HOST" --publisher-port "$TJ_PUBLISHER_PORT" --subscriber-sslrootcert "$TJ_SUBSCRIBER_SSLROOTCERT"${user}`,
      );
    }
    case 'status':
      return replicate(`status ${dbs}`);
    case 'catch-up':
      return replicate(`catch-up ${dbs} --direction forward --deadline ${deadline}`);
    case 'finish':
      return replicate(`finish ${dbs} --direction forward`);
    case 'reverse':
      return replicate(
        `reverse ${dbs} --publisher-host "$TJ_PUBLISHER_HOST" --subscriber-sslrootcert "$TJ_SUBSCRIBER_SSLROOTCERT"`,
      );
    case 'catch-up-reverse':
      return replicate(`catch-up ${dbs} --direction reverse --deadline ${deadline}`);
    case 'finish-reverse':
      return replicate(`finish ${dbs} --direction reverse`);
    case 'teardown':
      return replicate(`teardown ${dbs} --direction all`);
  }
}

export interface Endpoint {
  host: string;
  port: number;
}

export interface ReplicationEnvironmentInput {
  /** The 13 instance. */
  source: Endpoint;
  /** The new 16.9 instance. */
  target: Endpoint;
  /** ToolJet's database user: the new instance's master user, with the same password as on the source. */
  user: string;
  /** ToolJet's main database (PG_DB): the database the URLs name. */
  database: string;
  /** caFileForCommand of the stack's CA bundle: this machine verifies both instances against it. */
  caFile: string;
  password: string;
  replicationPassword?: string;
  /** The publisher of this step (setup: the source; reverse: the new instance). */
  publisher?: Endpoint;
  /**
   * Where the subscriber's server process finds the CA that signed the publisher's certificate. On RDS its own CA file,
   * SUBSCRIBER_SSLROOTCERT (both instances on the same CA); other values are for servers that are not RDS (tests).
   */
  subscriberSslRootCert?: string;
  connectTimeoutSeconds?: number;
}

/** The environment of a step: password-free URLs, the passwords, the publisher. The caller makes it a secret. */
export function replicationEnvironment(i: ReplicationEnvironmentInput): Record<string, string> {
  if (!i.password) throw new Error('replicate command: the database password is empty');
  return {
    TJ_PG_SOURCE_URL: commandDatabaseUrl({ ...i.source, user: i.user, database: i.database, caFile: i.caFile }),
    TJ_PG_TARGET_URL: commandDatabaseUrl({ ...i.target, user: i.user, database: i.database, caFile: i.caFile }),
    PGPASSWORD: i.password,
    PGCONNECT_TIMEOUT: String(i.connectTimeoutSeconds ?? 15),
    ...(i.replicationPassword !== undefined && { TJ_PG_REPLICATION_PASSWORD: i.replicationPassword }),
    ...(i.publisher && {
      TJ_PUBLISHER_HOST: i.publisher.host,
      TJ_PUBLISHER_PORT: String(i.publisher.port),
      TJ_SUBSCRIBER_SSLROOTCERT: i.subscriberSslRootCert ?? SUBSCRIBER_SSLROOTCERT,
    }),
  };
}

/** Which instance publishes in a step (undefined: the step names none). */
export function publisherOf(step: ReplicationCommandStep): 'source' | 'target' | undefined {
  if (step === 'setup') return 'source';
  if (step === 'reverse') return 'target';
  return undefined;
}
