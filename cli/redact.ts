// The CLI's redactor: every password it was given, found by the parser that connects (lib/pg/connection.ts
// passwordsIn: URL userinfo, password= parameters, keyword/value password=, also in strings the parser rejects) in
// argv and in TJ_PG_SOURCE_URL / TJ_PG_TARGET_URL, and PGPASSWORD and TJ_PG_REPLICATION_PASSWORD, registered with one Redactor (lib/redact.ts).
// main.ts passes every line it prints (errors, notes, progress, tables, --json) through it, and warns once when a
// password came from argv (visible to other users in `ps`).
import { passwordsIn } from '../lib/pg/connection';
import { Redactor } from '../lib/redact';

export const ARGV_PASSWORD_WARNING =
  'a password on the command line is visible to other users in ps; use PGPASSWORD or TJ_PG_SOURCE_URL/TJ_PG_TARGET_URL';

export interface CliRedaction {
  redactor: Redactor;
  /** A password was found in argv. */
  argvPassword: boolean;
}

/** The redactor for one run of the CLI: passwords in `argv` (each word, and the value of --option=value) and `env`. */
export function cliRedaction(argv: readonly string[], env: NodeJS.ProcessEnv): CliRedaction {
  const redactor = new Redactor();
  let argvPassword = false;
  for (const word of argv) {
    const eq = word.startsWith('--') ? word.indexOf('=') : -1;
    for (const value of eq > 0 ? [word, word.slice(eq + 1)] : [word]) {
      for (const p of passwordsIn(value)) {
        redactor.add(p);
        argvPassword = true;
      }
    }
  }
  for (const k of ['TJ_PG_SOURCE_URL', 'TJ_PG_TARGET_URL']) {
    const v = env[k];
    if (v) for (const p of passwordsIn(v)) redactor.add(p);
  }
  redactor.add(env.PGPASSWORD);
  redactor.add(env.TJ_PG_REPLICATION_PASSWORD);
  return { redactor, argvPassword };
}
