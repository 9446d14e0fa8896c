// AMI (EC2) target: the user-data script for ToolJet AMI instances. The logic is the bash file
// targets/ami/user-data.sh; this renderer validates the inputs and puts them above it as TJ_* settings.
// The user-data holds no secret and not the bundle (~170 KB, EC2 user-data is limited to 16 KB): the instance
// downloads the bundle and checks it against the SHA-256 embedded here, and reads the password with its role.
import * as fs from 'fs';
import * as path from 'path';
import type { CaBundle } from '../../lib/tls/ca-bundle';
import { DATABASE_ENV_KEYS } from '../shared/database-env';
import { UNSAFE_ENV_NAMES } from '../shared/unsafe-env';
import {
  AMI_CA_PATH,
  AMI_ENV_PATH,
  checkAbsolutePath,
  checkRegion,
  checkS3Object,
  DatabaseTarget,
  PGSSLMODE,
  RenderError,
  resolveDatabaseTarget,
  S3ObjectRef,
} from '../shared/render';

/** Where the instance reads a password at boot (with its instance role). */
export type PasswordSource =
  | { secretsManager: { secretId: string; jsonKey?: string } }
  | { ssmParameter: { name: string } };

/** Where the instance downloads the bundle: an S3 object (instance role) or an https URL (e.g. RDS's truststore). */
export type CaBundleSource = { s3: S3ObjectRef } | { url: string };

export interface AmiTargetInput {
  database: DatabaseTarget;
  region: string;
  /**
   * The checked bundle. S3 source: the object holds `pem`, so the instance checks `pemSha256`. URL source: the instance
   * checks the published file's bytes, `fileSha256` (`pem` may be a normalised form of that file: CRLF, text between
   * blocks).
   */
  caBundle: CaBundle;
  caBundleSource: CaBundleSource;
  /** PG_PASS (and, unless `tooljetDbPassword` is given, TOOLJET_DB_PASS and the PostgREST URI). */
  pgPassword: PasswordSource;
  tooljetDbPassword?: PasswordSource;
  /** Default /home/ubuntu/app/.env */
  envFile?: string;
  /** Default /home/ubuntu/certs/global-bundle.pem */
  caFile?: string;
  /** Default ["nest", "postgrest"] (ToolJet's units; there is no "tooljet" unit). */
  restartUnits?: string[];
}

/** EC2's limit for user-data before base64 encoding. */
export const EC2_USER_DATA_LIMIT = 16 * 1024;

/** The .env keys the user-data owns, in the order it appends missing ones (same list as the script's ENV_KEYS). */
export const AMI_ENV_KEYS = [
  'PG_HOST',
  'PG_PORT',
  'PG_USER',
  'PG_PASS',
  'PG_DB',
  'TOOLJET_DB',
  'TOOLJET_DB_HOST',
  'TOOLJET_DB_PORT',
  'TOOLJET_DB_USER',
  'TOOLJET_DB_PASS',
  'PGRST_DB_URI',
  'PGSSLMODE',
  'PGSSLROOTCERT',
  'NODE_EXTRA_CA_CERTS',
] as const;

const TEMPLATE = path.join('targets', 'ami', 'user-data.sh');
let templateCache: string | undefined;

/**
 * The script body shipped with this package (found by walking up from this file), without its comment lines: EC2 takes
 * 16 KB of user-data, and the explanations live in targets/ami/user-data.sh (no line of the script's code starts with
 * `#`, not even inside a quoted value).
 */
export function amiScriptBody(): string {
  if (templateCache !== undefined) return templateCache;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, TEMPLATE);
    if (fs.existsSync(file))
      return (templateCache = fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => !/^\s*#/.test(l))
        .join('\n'));
    if (path.dirname(dir) === dir)
      throw new Error(`${TEMPLATE} not found above ${__dirname}: the package is incomplete`);
  }
}

const shq = (v: string): string => `'${v.replace(/'/g, `'\\''`)}'`;

function passwordSettings(field: string, src: PasswordSource | undefined): [string, string, string] {
  if (src === undefined) return ['', '', ''];
  if ('secretsManager' in src && src.secretsManager) {
    const { secretId, jsonKey } = src.secretsManager;
    if (typeof secretId !== 'string' || !/^[A-Za-z0-9/_+=.@:-]{1,2048}$/.test(secretId)) {
      throw new RenderError(`${field}.secretsManager.secretId ${JSON.stringify(secretId)} is not a secret name or ARN`);
    }
    if (jsonKey !== undefined && !/^[A-Za-z0-9_.-]+$/.test(jsonKey))
      throw new RenderError(`${field}.secretsManager.jsonKey ${JSON.stringify(jsonKey)} is not a plain JSON key`);
    return ['secretsmanager', secretId, jsonKey ?? ''];
  }
  if ('ssmParameter' in src && src.ssmParameter) {
    const { name } = src.ssmParameter;
    if (
      typeof name !== 'string' ||
      !/^(arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter\/|\/?)[A-Za-z0-9/_.-]{1,1011}$/.test(name)
    ) {
      throw new RenderError(`${field}.ssmParameter.name ${JSON.stringify(name)} is not an SSM parameter name or ARN`);
    }
    return ['ssm', name, ''];
  }
  throw new RenderError(`${field} must be {secretsManager: {secretId, jsonKey?}} or {ssmParameter: {name}}`);
}

/** The user-data script (bash) for `input`; throws if it would not fit EC2's 16 KB. */
export function renderAmiUserData(input: AmiTargetInput): string {
  const db = resolveDatabaseTarget(input.database);
  const region = checkRegion(input.region);
  const certs = input.caBundle.certificateCount;
  const envFile = checkAbsolutePath('envFile', input.envFile ?? AMI_ENV_PATH);
  const caFile = checkAbsolutePath('caFile', input.caFile ?? AMI_CA_PATH);
  const units = input.restartUnits ?? ['nest', 'postgrest'];
  for (const u of units)
    if (!/^[A-Za-z0-9@_.-]+$/.test(u))
      throw new RenderError(`restartUnits: ${JSON.stringify(u)} is not a systemd unit name`);
  let s3: S3ObjectRef | undefined;
  let url = '';
  const src = input.caBundleSource;
  if (src && 's3' in src && src.s3) s3 = checkS3Object('caBundleSource.s3', src.s3);
  else if (src && 'url' in src && typeof src.url === 'string') {
    if (!/^https:\/\/[A-Za-z0-9.-]+(:\d+)?\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/.test(src.url) || src.url.includes("'")) {
      throw new RenderError(
        `caBundleSource.url ${JSON.stringify(src.url)} must be an https URL (such as https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem)`,
      );
    }
    url = src.url;
  } else throw new RenderError('caBundleSource must be {s3: {bucket, key, versionId?}} or {url: "https://..."}');
  const [pgKind, pgId, pgKey] = passwordSettings('pgPassword', input.pgPassword);
  if (!pgKind)
    throw new RenderError('pgPassword is missing: give the Secrets Manager secret or SSM parameter holding PG_PASS');
  const [tjKind, tjId, tjKey] = passwordSettings('tooljetDbPassword', input.tooljetDbPassword);

  const settings: Array<[string, string]> = [
    ['TJ_REGION', region],
    ['TJ_ENV_FILE', envFile],
    ['TJ_CA_FILE', caFile],
    // S3: the object is the bundle's pem itself. URL: the published file's own bytes (the instance hashes the download).
    ['TJ_CA_SHA256', url ? input.caBundle.fileSha256 : input.caBundle.pemSha256],
    ['TJ_CA_S3_BUCKET', s3?.bucket ?? ''],
    ['TJ_CA_S3_KEY', s3?.key ?? ''],
    ['TJ_CA_S3_VERSION_ID', s3?.versionId ?? ''],
    ['TJ_CA_URL', url],
    ['TJ_PG_HOST', db.host],
    ['TJ_PG_PORT', String(db.port)],
    ['TJ_PG_USER', db.user],
    ['TJ_PG_DB', db.database],
    ['TJ_TOOLJET_DB', db.tooljetDatabase],
    ['TJ_TOOLJET_DB_HOST', db.tooljetDbHost],
    ['TJ_TOOLJET_DB_PORT', String(db.tooljetDbPort)],
    ['TJ_TOOLJET_DB_USER', db.tooljetDbUser],
    ['TJ_PGSSLMODE', PGSSLMODE],
    ['TJ_PG_PASS_SOURCE', pgKind],
    ['TJ_PG_PASS_ID', pgId],
    ['TJ_PG_PASS_JSON_KEY', pgKey],
    ['TJ_TJDB_PASS_SOURCE', tjKind],
    ['TJ_TJDB_PASS_ID', tjId],
    ['TJ_TJDB_PASS_JSON_KEY', tjKey],
    ['TJ_RESTART_UNITS', units.join(' ')],
    // Commented out in the .env (names only: the policy pack flags these names only with a non-empty value).
    ['TJ_DISABLE_KEYS', UNSAFE_ENV_NAMES.join(' ')],
  ];
  const header = [
    '#!/bin/bash',
    `# ToolJet AMI: point ToolJet at ${db.host} over verified TLS (PGSSLMODE=${PGSSLMODE}) with the RDS CA bundle`,
    // Verbatim, old paths included: a changed user-data adds a launch template version on every existing stack.
    `# (${certs} certificates). Rendered by tj-pg-upgrade (lib/render/ami.ts + scripts/ami/tooljet-rds-ca.sh).`,
    '# No secrets here: the passwords are read from AWS at boot with the instance role.',
    ...settings.map(([k, v]) => `${k}=${shq(v)}`),
    '',
  ].join('\n');
  const script = header + amiScriptBody();
  const size = Buffer.byteLength(script, 'utf8');
  if (size > EC2_USER_DATA_LIMIT)
    throw new RenderError(`the user-data is ${size} bytes, over EC2's ${EC2_USER_DATA_LIMIT}-byte limit`);
  return script;
}

// The script and the TypeScript renderers must agree on the keys; fail loudly at load if someone changes one side.
for (const k of DATABASE_ENV_KEYS) {
  if (!(AMI_ENV_KEYS as readonly string[]).includes(k)) throw new Error(`AMI_ENV_KEYS lacks ${k}`);
}
