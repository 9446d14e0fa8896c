// What every subcommand shares: the Command shape, how it talks to the terminal (Io), usage errors, the common
// options and connection help, and how results are printed. Light on purpose: main.ts and every subcommand load it,
// and `tj-pg-upgrade --help` must not load pg or the checks (checks/report.ts imports nothing).
import type { ParseArgsConfig } from 'util';
import { CheckResult, renderJson, renderTable } from '../checks/report';
import type { ConnectionTarget } from '../lib/pg/connection';

/** Bad input on the command line: one line on stderr, exit 2. */
export class UsageError extends Error {}

export type Options = NonNullable<ParseArgsConfig['options']>;
export type Values = Record<string, string | boolean | undefined>;

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** Progress lines on stderr (default: when stderr is a terminal). */
  progress: boolean;
}

/** A subcommand: its help text, its options (util.parseArgs), and run, which returns the exit code. */
export interface Command {
  help: string;
  options: Options;
  /** Accepts positional arguments (e.g. `replicate <step>`); they are handed to run. Default: none allowed. */
  positionals?: boolean;
  run(values: Values, io: Io, positionals: string[]): Promise<number>;
}

export const COMMON: Options = {
  json: { type: 'boolean' },
  insecure: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
};

export const CONNECTION_HELP = `Connection strings are libpq URLs, e.g.
  postgresql://user:password@db.example.com:5432/tooljet?sslmode=verify-full&sslrootcert=/certs/global-bundle.pem
or keyword/value strings ("host=db.example.com dbname=tooljet sslmode=verify-full ..."). PGHOST PGPORT PGUSER
PGPASSWORD PGDATABASE PGSSLMODE PGSSLROOTCERT fill in what the string leaves out (keep passwords out of argv: use
PGPASSWORD, or pass the whole URL in the environment variable named below). TLS is always verified: chain and host
name (verify-full); sslmode=require/verify-ca are verified fully too; sslrootcert=system uses Node's CAs; without
sslrootcert Node's CAs plus NODE_EXTRA_CA_CERTS are trusted. sslmode=disable/allow/prefer need --insecure.`;

export function str(v: Values, k: string): string | undefined {
  const x = v[k];
  return typeof x === 'string' ? x : undefined;
}

/**
 * Resolves the connection string of `--<option>` (else the environment variable `envVar`, else the PG* variables
 * alone) with errors that name where it came from ("the port of --source is not a number ..."). Loads pg.
 */
export async function resolveConnection(
  values: Values,
  io: Io,
  option: string,
  envVar: string,
  command: string,
): Promise<ConnectionTarget> {
  const { resolveTarget } = await import('../lib/pg/connection');
  const given = str(values, option);
  const input = given ?? io.env[envVar];
  return resolveTarget(input, {
    env: io.env,
    insecure: !!values.insecure,
    applicationName: `tj-pg-upgrade ${command}`,
    name: given !== undefined ? `--${option}` : input !== undefined ? envVar : 'the PG* environment',
  });
}

/** Progress lines ("... message") on stderr, unless --quiet or stderr is not a terminal. */
export function progressTo(io: Io, values: Values): ((message: string) => void) | undefined {
  return io.progress && !values.quiet ? (m) => io.err(`... ${m}`) : undefined;
}

/** --json: the JSON document on stdout; otherwise notices on stderr and the table on stdout. */
export function printResult(
  io: Io,
  values: Values,
  command: string,
  title: string,
  checks: CheckResult[],
  extra: Record<string, unknown>,
  notices: string[],
): void {
  if (values.json) io.out(renderJson(command, checks, extra));
  else {
    for (const n of notices) io.err(`note: ${n}`);
    io.out(renderTable(title, checks));
  }
}
