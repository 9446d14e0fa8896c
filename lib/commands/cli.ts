// How the program's local.Commands run this project's own tools (bin/tj-pg-upgrade.js, the Docker writer) against a
// database: password-free libpq URLs with verify-full and the CA bundle (the password goes in PGPASSWORD, a secret
// environment value), and paths relative to the project directory. Pure; shared by every component that runs the CLI.
//
// Why relative paths and a guard rather than `dir: <absolute project path>`: a command's inputs are stored in the
// state and any change of them makes the provider run the command again. An absolute checkout path differs between
// a laptop and a CI runner, so `pulumi up` from another machine would re-run every command: the post-deploy
// validation (hours on a large database), the blue/green postcheck (setval + ANALYZE on production), a new launch
// template version. The engine starts the command provider in the project directory (where Pulumi.yaml is), so
// relative paths resolve there; each command that depends on it first checks that it runs there and otherwise stops
// with one line instead of running something else or failing with ENOENT.
import * as path from 'path';
import { percentEncode } from '../percent-encode';

/** The CLI's entry point, relative to the project directory. */
export const CLI_SCRIPT = 'bin/tj-pg-upgrade.js';
/** The CLI as a command runs it. */
export const CLI = `node ${CLI_SCRIPT}`;

/** The project directory of this checkout (lib/commands/ -> ..). For tests and messages; never put it in a command. */
export const PROJECT_DIR = path.resolve(__dirname, '..', '..');

/**
 * Shell lines that stop a command unless its working directory is the project directory (Pulumi.yaml and the CLI
 * are there). `onMissing: 'skip'` exits 0 after the message, for commands that must never block an update (the
 * rollback report).
 */
export function projectDirGuard(opts: { onMissing: 'fail' | 'skip' } = { onMissing: 'fail' }): string {
  return [
    `if [ ! -f Pulumi.yaml ] || [ ! -f ${CLI_SCRIPT} ]; then`,
    `  echo "tj-pg-upgrade: this command runs in the project directory (Pulumi.yaml, ${CLI_SCRIPT}), but its working directory is $(pwd): run pulumi from the project directory" >&2`,
    `  exit ${opts.onMissing === 'fail' ? 1 : 0}`,
    'fi',
    '',
  ].join('\n');
}

/** `script` preceded by the project-directory guard. */
export function inProjectDir(script: string, opts?: { onMissing: 'fail' | 'skip' }): string {
  return projectDirGuard(opts) + script;
}

/**
 * The CA bundle path as a command sees it: relative to the project directory when it lies inside it (so the state
 * does not name this checkout's location), absolute otherwise.
 */
export function caFileForCommand(projectDir: string, caBundlePath: string): string {
  const rel = path.relative(projectDir, caBundlePath);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : caBundlePath;
}

export interface CommandDatabase {
  host: string;
  port: number;
  user: string;
  database: string;
  /** From caFileForCommand. */
  caFile: string;
}

/** libpq URL without a password: `postgresql://user@host:port/db?sslmode=verify-full&sslrootcert=<caFile>`. */
export function commandDatabaseUrl(d: CommandDatabase): string {
  if (!/^[A-Za-z0-9.-]+$/.test(d.host) || !Number.isInteger(d.port) || d.port < 1 || d.port > 65535) {
    throw new Error(`command database URL: bad endpoint ${JSON.stringify({ host: d.host, port: d.port })}`);
  }
  return (
    `postgresql://${percentEncode(d.user)}@${d.host}:${d.port}/${percentEncode(d.database)}` +
    `?sslmode=verify-full&sslrootcert=${percentEncode(d.caFile, '/')}`
  );
}
