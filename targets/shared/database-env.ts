// The ToolJet database environment for one DatabaseTarget (shared by all four targets) and the PostgREST URI.
import { percentEncode } from '../../lib/percent-encode';
import { checkAbsolutePath, DatabaseTarget, PGSSLMODE, RenderError, resolveDatabaseTarget } from './render';

/** The non-secret variables ToolJet reads for its databases and TLS, in a stable order. */
export const DATABASE_ENV_KEYS = [
  'PG_HOST',
  'PG_PORT',
  'PG_USER',
  'PG_DB',
  'TOOLJET_DB',
  'TOOLJET_DB_HOST',
  'TOOLJET_DB_PORT',
  'TOOLJET_DB_USER',
  'PGSSLMODE',
  'PGSSLROOTCERT',
  'NODE_EXTRA_CA_CERTS',
] as const;
export type DatabaseEnvKey = (typeof DATABASE_ENV_KEYS)[number];

/**
 * PG_* / TOOLJET_DB_* (hosts, ports, users, names) plus the TLS variables, all plain (no passwords):
 * - PGSSLMODE=verify-full: node-postgres (ToolJet's server) and libpq (ToolJet's createdb/psql calls) both verify.
 * - NODE_EXTRA_CA_CERTS: Node adds the bundle to its trust store at process start (node-postgres ignores PGSSLROOTCERT).
 * - PGSSLROOTCERT: libpq's trust store for verify-full (it ignores NODE_EXTRA_CA_CERTS).
 * `caPath` is where the bundle is visible to the process (in the container, or on the AMI host).
 */
export function tooljetDatabaseEnv(target: DatabaseTarget, caPath: string): Record<DatabaseEnvKey, string> {
  const t = resolveDatabaseTarget(target);
  checkAbsolutePath('caPath', caPath);
  return {
    PG_HOST: t.host,
    PG_PORT: String(t.port),
    PG_USER: t.user,
    PG_DB: t.database,
    TOOLJET_DB: t.tooljetDatabase,
    TOOLJET_DB_HOST: t.tooljetDbHost,
    TOOLJET_DB_PORT: String(t.tooljetDbPort),
    TOOLJET_DB_USER: t.tooljetDbUser,
    PGSSLMODE,
    PGSSLROOTCERT: caPath,
    NODE_EXTRA_CA_CERTS: caPath,
  };
}

export interface PostgrestUriOptions {
  /** Where libpq finds the bundle (`sslrootcert`). */
  caPath: string;
  /**
   * The ToolJet Database password. Omit it to render a URI without credentials: libpq (PostgREST) then takes the
   * password from PGPASSWORD, which ECS/EKS inject from a secret, so the URI itself can stay in plain config.
   */
  password?: string;
}

/**
 * PGRST_DB_URI for the ToolJet Database: `postgres://user[:password]@host:port/TOOLJET_DB?sslmode=verify-full&sslrootcert=...`.
 * User, password and database are percent-encoded, so the URI never contains quotes, backslashes, `$` or spaces
 * (ToolJet's image writes it into PostgREST's config file as `db-uri = "..."`).
 */
export function postgrestUri(target: DatabaseTarget, opts: PostgrestUriOptions): string {
  const t = resolveDatabaseTarget(target);
  const caPath = checkAbsolutePath('caPath', opts.caPath);
  if (opts.password !== undefined && (typeof opts.password !== 'string' || opts.password === '')) {
    throw new RenderError('the ToolJet Database password is empty: give the password or omit it to use PGPASSWORD');
  }
  const auth = percentEncode(t.tooljetDbUser) + (opts.password !== undefined ? ':' + percentEncode(opts.password) : '');
  return (
    `postgres://${auth}@${t.tooljetDbHost}:${t.tooljetDbPort}/${percentEncode(t.tooljetDatabase)}` +
    `?sslmode=${PGSSLMODE}&sslrootcert=${percentEncode(caPath, '/')}`
  );
}
