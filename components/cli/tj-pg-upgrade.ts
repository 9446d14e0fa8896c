// How a `local.Command` runs the project's own CLI (bin/tj-pg-upgrade.js) against a database: connection URLs with
// verify-full and the CA bundle, never a password (that goes in PGPASSWORD, a secret environment value), and the CA
// bundle path relative to the project directory (commands run there), so the state does not depend on where the
// repository is checked out. Pure.
import * as path from 'path';

/** The CLI, relative to the project directory (the working directory of Pulumi's commands). */
export const CLI = 'node bin/tj-pg-upgrade.js';

/** The bundle path as the command should see it: relative when it lies inside the project directory. */
export function caFileForCommand(projectDir: string, caBundlePath: string): string {
  const rel = path.relative(projectDir, caBundlePath);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : caBundlePath;
}

export interface CommandDatabase {
  host: string;
  port: number;
  user: string;
  database: string;
  caFile: string;
}

/** libpq URL without a password: verify-full against the bundle. */
export function commandDatabaseUrl(d: CommandDatabase): string {
  const q = new URLSearchParams({ sslmode: 'verify-full', sslrootcert: d.caFile }).toString();
  return `postgresql://${encodeURIComponent(d.user)}@${d.host}:${d.port}/${encodeURIComponent(d.database)}?${q}`;
}
