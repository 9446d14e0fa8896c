// What the post-deploy validation command runs, and with which environment. Pure: the component wires it into a
// local.Command, and tests run the very same command line and environment against real PostgreSQL 13.21 and 16.9.
//
// - The command line holds only non-secret flags; both connection URLs carry no password, which comes from
//   PGPASSWORD (the clone is restored from a snapshot of the source, so it has the source's users and passwords).
// - TLS is verify-full against the stack's CA bundle (sslrootcert), for both databases.
// - PGCONNECT_TIMEOUT makes an unreachable private clone fail in seconds with "connection timed out", not hang.
import { CLI, commandDatabaseUrl, inProjectDir } from '../lib/commands';

export interface ValidateEndpoint {
  host: string;
  port: number;
}

export interface ValidateCommandInput {
  source: ValidateEndpoint;
  /** The clone: always the database under test, whichever database ToolJet points at. */
  target: ValidateEndpoint;
  user: string;
  /** PG_DB */
  database: string;
  /** TOOLJET_DB, validated too when set. */
  tooljetDatabase?: string;
  password: string;
  /** Path of the CA bundle, relative to the command's working directory or absolute. */
  caFile: string;
  /** clone.engineVersion, e.g. "16.9". */
  expectVersion: string;
  jobs: number;
  analyze: boolean;
  fixSequences: boolean;
  /** `--live-source`: ToolJet still writes to the source (no maintenance window), data differences are warnings. */
  liveSource?: boolean;
  connectTimeoutSeconds?: number;
}

export interface ValidateCommand {
  /** The command line (no secrets, no host names). */
  create: string;
  /** Connection URLs without passwords, PGPASSWORD (secret), PGCONNECT_TIMEOUT. */
  environment: Record<string, string>;
}

const SAFE_ARG = /^[A-Za-z0-9_.-]+$/;

function arg(name: string, value: string): string {
  if (!SAFE_ARG.test(value))
    throw new Error(
      `validate command: ${name} ${JSON.stringify(value)} has characters that do not belong on a command line`,
    );
  return value;
}

function url(e: ValidateEndpoint, user: string, database: string, caFile: string): string {
  return commandDatabaseUrl({ host: e.host, port: e.port, user, database, caFile });
}

/** The command line alone: it depends on no endpoint and no secret. */
export function validateCommandLine(
  input: Pick<
    ValidateCommandInput,
    'expectVersion' | 'jobs' | 'tooljetDatabase' | 'analyze' | 'fixSequences' | 'liveSource'
  >,
): string {
  const flags = [
    `--expect-version ${arg('expectVersion', input.expectVersion)}`,
    `--jobs ${arg('jobs', String(input.jobs))}`,
    ...(input.tooljetDatabase !== undefined ? [`--tooljet-db ${arg('tooljetDatabase', input.tooljetDatabase)}`] : []),
    ...(input.analyze ? ['--analyze'] : []),
    ...(input.fixSequences ? ['--fix-sequences'] : []),
    ...(input.liveSource ? ['--live-source'] : []),
  ];
  // In the project directory (checked first: lib/commands/cli.ts), where bin/ and the relative CA path resolve.
  return inProjectDir(`${CLI} validate ${flags.join(' ')}`);
}

export function renderValidateCommand(input: ValidateCommandInput): ValidateCommand {
  if (!input.password) throw new Error('validate command: the database password is empty');
  return {
    create: validateCommandLine(input),
    environment: {
      TJ_PG_SOURCE_URL: url(input.source, input.user, input.database, input.caFile),
      TJ_PG_TARGET_URL: url(input.target, input.user, input.database, input.caFile),
      PGPASSWORD: input.password,
      PGCONNECT_TIMEOUT: String(input.connectTimeoutSeconds ?? 15),
    },
  };
}
