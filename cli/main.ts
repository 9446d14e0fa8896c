// `tj-pg-upgrade`: a thin CLI over checks/ (precheck, validate, postcheck, rollback-report) and cli/rehearse
// (rehearse). Exit codes: 0 all checks passed (warnings allowed), 1 a check failed / a blocker was found, 2 usage or
// connection error; rehearse: 130/143 when interrupted (SIGINT/SIGTERM).
//
// It runs compiled: `npm ci` (prepare) builds dist/ with tsconfig.build.json and bin/tj-pg-upgrade.js calls cli()
// here. Only the subcommand that runs is loaded (commands/index.ts), and pg only when a connection is made.
import { parseArgs } from 'util';
import { Io, UsageError, Values } from './command';
import { COMMANDS } from './commands';

function mainHelp(): string {
  const names = Object.keys(COMMANDS);
  const w = Math.max(...names.map((n) => n.length));
  return `Usage: tj-pg-upgrade <command> [options]

Commands:
${names.map((n) => `  ${n.padEnd(w)}  ${COMMANDS[n].summary}`).join('\n')}

Run tj-pg-upgrade <command> --help for the options of a command.
Exit codes: 0 all checks passed (warnings allowed), 1 a check failed, 2 usage or connection error.`;
}

/** One line (passwords are masked by the Io every line goes through). */
function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ');
}

/**
 * `io` with every line passed through the redactor of ./redact.ts (the passwords in argv, TJ_PG_SOURCE_URL,
 * TJ_PG_TARGET_URL, PGPASSWORD and TJ_PG_REPLICATION_PASSWORD), and whether argv held one. Loaded only when argv or the environment may hold a
 * password, so `--help` loads no pg.
 */
async function redacting(argv: string[], io: Io): Promise<{ io: Io; argvPassword: boolean }> {
  const may =
    argv.some((w) => w.includes('=') || w.includes(':')) ||
    ['TJ_PG_SOURCE_URL', 'TJ_PG_TARGET_URL', 'PGPASSWORD', 'TJ_PG_REPLICATION_PASSWORD'].some((k) => !!io.env[k]);
  if (!may) return { io, argvPassword: false };
  const { cliRedaction } = await import('./redact');
  const { redactor, argvPassword } = cliRedaction(argv, io.env);
  const redact = (t: string): string => redactor.redact(t);
  return { io: { ...io, out: (t) => io.out(redact(t)), err: (t) => io.err(redact(t)) }, argvPassword };
}

/** Runs the CLI; returns the exit code. Never throws. */
export async function main(argv: string[], terminal: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '-h' || name === '--help' || name === 'help') {
    terminal.out(mainHelp());
    return name ? 0 : 2;
  }
  const { io, argvPassword } = await redacting(rest, terminal);
  const entry = Object.prototype.hasOwnProperty.call(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!entry) {
    io.err(
      `tj-pg-upgrade: unknown command "${name}" (commands: ${Object.keys(COMMANDS).join(', ')}; see tj-pg-upgrade --help)`,
    );
    return 2;
  }
  if (argvPassword) {
    const { ARGV_PASSWORD_WARNING } = await import('./redact');
    io.err(`tj-pg-upgrade ${name}: warning: ${ARGV_PASSWORD_WARNING}`);
  }
  const cmd = await entry.load();
  let values: Values;
  let positionals: string[];
  try {
    const parsed = parseArgs({ args: rest, options: cmd.options, strict: true, allowPositionals: !!cmd.positionals });
    values = parsed.values as Values;
    positionals = parsed.positionals;
  } catch (err) {
    io.err(`tj-pg-upgrade ${name}: ${oneLine((err as Error).message)} (see tj-pg-upgrade ${name} --help)`);
    return 2;
  }
  if (values.help) {
    io.out(cmd.help);
    return 0;
  }
  try {
    return await cmd.run(values, io, positionals);
  } catch (err) {
    const { ConnectionConfigError, ConnectionError } = await import('../lib/pg/connection');
    const known = err instanceof UsageError || err instanceof ConnectionConfigError || err instanceof ConnectionError;
    const message = oneLine((err as Error).message ?? String(err));
    const kind =
      err instanceof ConnectionError
        ? err.kind
        : err instanceof UsageError
          ? 'usage'
          : err instanceof ConnectionConfigError
            ? 'config'
            : 'error';
    if (values.json) io.out(JSON.stringify({ command: name, ok: false, error: { kind, message } }, null, 2));
    io.err(`tj-pg-upgrade ${name}: ${known ? '' : 'error: '}${message}`);
    return 2;
  }
}

/** The process entry (bin/tj-pg-upgrade.js): the real terminal, and the exit code on the way out. */
export function cli(): void {
  main(process.argv.slice(2), {
    out: (t) => process.stdout.write(`${t}\n`),
    err: (t) => process.stderr.write(`${t}\n`),
    env: process.env,
    progress: !!process.stderr.isTTY,
  }).then((code) => {
    process.exitCode = code;
  });
}
