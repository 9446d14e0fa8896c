// The inputs every ToolJet target renderer shares: which database ToolJet points at, and the CA bundle that lets it
// verify that database's certificate (a checked CaBundle, lib/tls/ca-bundle.ts). Pure values and validation; no I/O.

/** Thrown for bad renderer input. The message is one line that says what to fix. */
export class RenderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RenderError';
  }
}

/**
 * The database ToolJet talks to: the upgraded clone, or the source after a rollback. Only this object changes when
 * the active database flips, so every target is re-pointed by rendering it again with a different `host`.
 */
export interface DatabaseTarget {
  /** RDS endpoint address (no port), e.g. `tooljet-pg16.abc.eu-west-1.rds.amazonaws.com`. */
  host: string;
  port: number;
  /** PG_USER */
  user: string;
  /** PG_DB: ToolJet's application database. */
  database: string;
  /** TOOLJET_DB: the ToolJet Database (PostgREST) database; must differ from `database`. */
  tooljetDatabase: string;
  /** TOOLJET_DB_HOST when the ToolJet Database lives elsewhere; default `host`. */
  tooljetDbHost?: string;
  /** TOOLJET_DB_PORT; default `port`. */
  tooljetDbPort?: number;
  /** TOOLJET_DB_USER; default `user`. */
  tooljetDbUser?: string;
}

/** DatabaseTarget with the ToolJet Database defaults filled in. */
export interface ResolvedDatabaseTarget {
  host: string;
  port: number;
  user: string;
  database: string;
  tooljetDatabase: string;
  tooljetDbHost: string;
  tooljetDbPort: number;
  tooljetDbUser: string;
}

/** Where the bundle is mounted inside the ToolJet (and PostgREST) containers: Docker, ECS, EKS. */
export const CONTAINER_CA_DIR = '/certs';
export const CA_FILE_NAME = 'global-bundle.pem';
export const CONTAINER_CA_PATH = `${CONTAINER_CA_DIR}/${CA_FILE_NAME}`;
/** Where the bundle lives on a ToolJet AMI instance. */
export const AMI_CA_PATH = '/home/ubuntu/certs/global-bundle.pem';
export const AMI_ENV_PATH = '/home/ubuntu/app/.env';

/**
 * The PGSSLMODE we render. ToolJet's server/ormconfig.ts passes no `ssl` option, so node-postgres reads PGSSLMODE,
 * and `require`, `verify-ca` and `verify-full` all mean "verify the chain and the host name" there. ToolJet also runs
 * libpq tools with the same environment (`createdb` in `npm run db:setup:prod`, `psql` in the AMI's setup_app); for
 * libpq `require` would mean "encrypt, verify nothing". `verify-full` is therefore the only spelling that is honest
 * for both clients, and libpq needs PGSSLROOTCERT next to it (rendered below) or it refuses to connect.
 */
export const PGSSLMODE = 'verify-full';

const HOST_LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
/** PostgreSQL role and database names we accept: plain identifiers (RDS master names are letters, digits, `_`). */
const PG_NAME = /^[A-Za-z_][A-Za-z0-9_$.-]{0,62}$/;

function checkHost(field: string, host: unknown): string {
  if (typeof host !== 'string' || host.length === 0 || host.length > 253) {
    throw new RenderError(`${field} must be a host name such as the RDS endpoint address, got ${JSON.stringify(host)}`);
  }
  if (IPV4.test(host)) return host;
  if (!host.split('.').every((l) => HOST_LABEL.test(l))) {
    throw new RenderError(
      `${field} ${JSON.stringify(host)} is not a valid DNS host name (give the endpoint address without port or scheme)`,
    );
  }
  return host;
}

function checkPort(field: string, port: unknown): number {
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new RenderError(`${field} must be an integer port 1-65535, got ${JSON.stringify(port)}`);
  }
  return port;
}

function checkName(field: string, name: unknown): string {
  if (typeof name !== 'string' || !PG_NAME.test(name)) {
    throw new RenderError(
      `${field} must be a plain PostgreSQL name (letters, digits, _ . $ -; at most 63), got ${JSON.stringify(name)}`,
    );
  }
  return name;
}

/** Validates a DatabaseTarget and fills in the ToolJet Database defaults. */
export function resolveDatabaseTarget(t: DatabaseTarget): ResolvedDatabaseTarget {
  if (!t || typeof t !== 'object') throw new RenderError('database target is missing');
  const r: ResolvedDatabaseTarget = {
    host: checkHost('database.host', t.host),
    port: checkPort('database.port', t.port),
    user: checkName('database.user', t.user),
    database: checkName('database.database (PG_DB)', t.database),
    tooljetDatabase: checkName('database.tooljetDatabase (TOOLJET_DB)', t.tooljetDatabase),
    tooljetDbHost: checkHost('database.tooljetDbHost', t.tooljetDbHost ?? t.host),
    tooljetDbPort: checkPort('database.tooljetDbPort', t.tooljetDbPort ?? t.port),
    tooljetDbUser: checkName('database.tooljetDbUser', t.tooljetDbUser ?? t.user),
  };
  if (r.tooljetDatabase === r.database) {
    throw new RenderError(
      `database.tooljetDatabase (TOOLJET_DB) must differ from database.database (PG_DB); both are ${JSON.stringify(r.database)}`,
    );
  }
  return r;
}

/** Absolute path check for paths that end up inside containers or on hosts. */
export function checkAbsolutePath(field: string, p: unknown): string {
  if (typeof p !== 'string' || !/^\/[A-Za-z0-9._/-]*$/.test(p) || p.includes('//') || /(^|\/)\.\.?(\/|$)/.test(p)) {
    throw new RenderError(
      `${field} must be a plain absolute path (letters, digits, . _ - /), got ${JSON.stringify(p)}`,
    );
  }
  return p;
}

/** An image reference (what ECS and Kubernetes take in `image`). */
export const IMAGE_REFERENCE = /^[a-z0-9][a-z0-9._/:@-]*$/i;
/** An image pinned by digest (`name@sha256:<64 hex>`, optionally `name:tag@sha256:...`): a moved tag cannot change it. */
export const IMAGE_BY_DIGEST = /^[a-z0-9][a-z0-9._/:-]*@sha256:[0-9a-f]{64}$/;
export const IMAGE_DIGEST_FIX =
  'use <image>@sha256:<64 hex digits> (docker buildx imagetools inspect <image>:<tag> prints the digest)';

/** A KMS key ARN (not an alias: a policy's Resource needs the key). */
export const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;

/** An S3 object (the CA bundle for ECS and AMI). */
export interface S3ObjectRef {
  bucket: string;
  key: string;
  versionId?: string;
}

export function checkS3Object(field: string, o: S3ObjectRef): S3ObjectRef {
  if (!o || typeof o.bucket !== 'string' || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(o.bucket)) {
    throw new RenderError(`${field}.bucket ${JSON.stringify(o?.bucket)} is not an S3 bucket name`);
  }
  // No `*` (or `?`): the key is the Resource of IAM policies, where both are wildcards.
  if (typeof o.key !== 'string' || !/^[A-Za-z0-9!_.()/-]+$/.test(o.key) || o.key.startsWith('/')) {
    throw new RenderError(
      `${field}.key ${JSON.stringify(o.key)} must be an S3 key of letters, digits and ! _ . ( ) / - (no *: it would be a wildcard in the IAM policy)`,
    );
  }
  if (o.versionId !== undefined && !/^[A-Za-z0-9._-]+$/.test(o.versionId))
    throw new RenderError(`${field}.versionId has invalid characters`);
  return o;
}

export function checkRegion(region: unknown): string {
  if (typeof region !== 'string' || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) {
    throw new RenderError(`region ${JSON.stringify(region)} is not an AWS region such as eu-west-1`);
  }
  return region;
}
