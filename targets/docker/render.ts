// Docker target: the `.env` of ToolJet's external-PostgreSQL compose setup
// (deploy/docker/docker-compose-with-external-postgresql/ in ToolJet's repository: one `tooljet` service with
// `env_file: .env`; PostgREST runs inside that container because PGRST_HOST is localhost:3001), a compose override
// mounting the RDS CA bundle read-only, and the bundle file. The .env is where Docker users keep ToolJet's secrets,
// so this renderer takes secret values; everything else it produces (override, summary) holds none.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { postgrestUri, tooljetDatabaseEnv } from '../shared/database-env';
import { EnvChange, mergeEnv, parseEnv, renderEnvFile } from '../shared/dotenv';
import { AppSecretValues, checkAppSecrets, checkPassword, checkTooljetHost } from '../shared/app-secrets';
import type { CaBundle } from '../../lib/tls/ca-bundle';
import { CONTAINER_CA_PATH, DatabaseTarget, RenderError } from '../shared/render';
import { UNSAFE_ENV, UNSAFE_ENV_NAMES } from '../shared/unsafe-env';

export interface DockerSecretValues extends AppSecretValues {
  /** PG_PASS */
  pgPassword: string;
  /** TOOLJET_DB_PASS; default `pgPassword`. */
  tooljetDbPassword?: string;
}

export interface DockerTargetInput {
  database: DatabaseTarget;
  secrets: DockerSecretValues;
  /** TOOLJET_HOST, e.g. https://tooljet.example.com. Required for a new .env; kept from the file otherwise. */
  tooljetHost?: string;
  /** The checked RDS CA bundle (global-bundle.pem); its `pem` is the file written. */
  caBundle: CaBundle;
  /** Compose services that get the bundle mounted; default ["tooljet"] (PostgREST runs inside it). */
  services?: string[];
  /** Bundle location relative to the compose directory; default "certs/global-bundle.pem". */
  bundleFile?: string;
  /** Override file name; default "docker-compose.override.yml" (docker compose loads it next to docker-compose.yaml). */
  overrideFile?: string;
}

/** Keys whose values are secrets in the Docker .env. */
export const DOCKER_SECRET_KEYS = [
  'PG_PASS',
  'TOOLJET_DB_PASS',
  'LOCKBOX_MASTER_KEY',
  'SECRET_KEY_BASE',
  'PGRST_JWT_SECRET',
  'PGRST_DB_URI',
];
/** Keys never replaced when the file already has a different non-empty value (see MergeOptions.protect). */
const PROTECTED_KEYS = ['LOCKBOX_MASTER_KEY', 'SECRET_KEY_BASE'];
/**
 * PostgREST-inside-the-container settings from ToolJet's example .env: written when absent, never overwritten
 * (a user who runs PostgREST elsewhere keeps their PGRST_HOST).
 */
const DEFAULT_ONLY: ReadonlyArray<readonly [string, string]> = [
  ['PGRST_HOST', 'localhost:3001'],
  ['PGRST_SERVER_PORT', '3001'],
  ['PGRST_DB_PRE_CONFIG', 'postgrest.pre_config'],
];

export const OVERRIDE_MARKER = '# Written by tj-pg-upgrade';
const DEFAULT_BUNDLE_FILE = 'certs/global-bundle.pem';
const DEFAULT_OVERRIDE_FILE = 'docker-compose.override.yml';
const SERVICE_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

function bundleFileOf(input: DockerTargetInput): string {
  const f = input.bundleFile ?? DEFAULT_BUNDLE_FILE;
  if (!/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(f) || f.split('/').some((p) => p === '..' || p === '.')) {
    throw new RenderError(
      `bundleFile must be a relative path inside the compose directory such as certs/global-bundle.pem, got ${JSON.stringify(f)}`,
    );
  }
  return f;
}

function overrideFileOf(input: DockerTargetInput): string {
  const f = input.overrideFile ?? DEFAULT_OVERRIDE_FILE;
  if (!/^[A-Za-z0-9_.-]+\.ya?ml$/.test(f))
    throw new RenderError(`overrideFile must be a file name ending in .yml or .yaml, got ${JSON.stringify(f)}`);
  return f;
}

/**
 * The keys this target owns, in file order, with their values. App secrets and TOOLJET_HOST appear only when given.
 * PGRST_DB_URI carries the password (the .env is the secret store here) and points sslrootcert at the mounted bundle.
 */
export function renderDockerEnvEntries(input: DockerTargetInput): Array<[string, string]> {
  const db = tooljetDatabaseEnv(input.database, CONTAINER_CA_PATH);
  const s = input.secrets ?? ({} as DockerSecretValues);
  const pgPass = checkPassword('secrets.pgPassword (PG_PASS)', s.pgPassword);
  const tjPass = checkPassword('secrets.tooljetDbPassword (TOOLJET_DB_PASS)', s.tooljetDbPassword ?? s.pgPassword);
  checkAppSecrets(s);
  const out: Array<[string, string]> = [];
  if (input.tooljetHost !== undefined) out.push(['TOOLJET_HOST', checkTooljetHost(input.tooljetHost)]);
  if (s.lockboxMasterKey !== undefined) out.push(['LOCKBOX_MASTER_KEY', s.lockboxMasterKey]);
  if (s.secretKeyBase !== undefined) out.push(['SECRET_KEY_BASE', s.secretKeyBase]);
  out.push(
    ['PG_HOST', db.PG_HOST],
    ['PG_PORT', db.PG_PORT],
    ['PG_USER', db.PG_USER],
    ['PG_PASS', pgPass],
    ['PG_DB', db.PG_DB],
    ['TOOLJET_DB', db.TOOLJET_DB],
    ['TOOLJET_DB_HOST', db.TOOLJET_DB_HOST],
    ['TOOLJET_DB_PORT', db.TOOLJET_DB_PORT],
    ['TOOLJET_DB_USER', db.TOOLJET_DB_USER],
    ['TOOLJET_DB_PASS', tjPass],
    ['PGRST_DB_URI', postgrestUri(input.database, { caPath: CONTAINER_CA_PATH, password: tjPass })],
  );
  if (s.pgrstJwtSecret !== undefined) out.push(['PGRST_JWT_SECRET', s.pgrstJwtSecret]);
  out.push(
    ['PGSSLMODE', db.PGSSLMODE],
    ['PGSSLROOTCERT', db.PGSSLROOTCERT],
    ['NODE_EXTRA_CA_CERTS', db.NODE_EXTRA_CA_CERTS],
  );
  return out;
}

/** A complete .env for a new installation (every variable ToolJet requires must be given). */
export function renderDockerEnv(input: DockerTargetInput): string {
  const missing: string[] = [];
  if (input.tooljetHost === undefined) missing.push('tooljetHost (TOOLJET_HOST)');
  if (input.secrets?.lockboxMasterKey === undefined) missing.push('secrets.lockboxMasterKey (LOCKBOX_MASTER_KEY)');
  if (input.secrets?.secretKeyBase === undefined) missing.push('secrets.secretKeyBase (SECRET_KEY_BASE)');
  if (input.secrets?.pgrstJwtSecret === undefined) missing.push('secrets.pgrstJwtSecret (PGRST_JWT_SECRET)');
  if (missing.length) throw new RenderError(`a new ToolJet .env needs ${missing.join(', ')}`);
  const entries = renderDockerEnvEntries(input);
  const at = entries.findIndex(([k]) => k === 'PGRST_DB_URI');
  entries.splice(at, 0, ...DEFAULT_ONLY.map(([k, v]) => [k, v] as [string, string]));
  return renderEnvFile(entries, [
    'ToolJet with an external PostgreSQL (RDS) over verified TLS; written by tj-pg-upgrade.',
    'Keys you add are kept when tj-pg-upgrade updates this file.',
  ]);
}

/**
 * Updates an existing .env in place (see mergeEnv); throws if it would change LOCKBOX_MASTER_KEY or SECRET_KEY_BASE.
 * DATABASE_URL, TOOLJET_DB_URL, CA_CERT and NODE_TLS_REJECT_UNAUTHORIZED are commented out (targets/shared/unsafe-env.ts):
 * left in place they would turn certificate verification off or keep ToolJet on the old host.
 */
export function mergeDockerEnv(
  existing: string,
  input: DockerTargetInput,
): { text: string; changes: Array<{ key: string; change: EnvChange }> } {
  const current = parseEnv(existing);
  const updates = [...renderDockerEnvEntries(input), ...DEFAULT_ONLY.filter(([k]) => !current.has(k))];
  return mergeEnv(existing, updates, { protect: PROTECTED_KEYS, disable: UNSAFE_ENV_NAMES });
}

/**
 * The compose override: the bundle bind-mounted read-only at /certs/global-bundle.pem for each service.
 *
 * Long syntax without `bind.create_host_path`: docker-compose 1.29 (Debian's, what ToolJet's guide runs) refuses that
 * option ("services.tooljet.volumes contains unsupported option: 'create_host_path'", docker/dev-environments #54; it
 * came with the Compose spec, compose-spec PR #163), and Compose v2 reads the same file. It stays closed when the
 * bundle is missing: a long-syntax bind goes to the engine as a mount (`HostConfig.Mounts`; compose 1.29:
 * compose/service.py, `build_mount` when the API is >= 1.30), which the engine refuses when the source does not exist
 * ("bind source path does not exist"), unlike a short-syntax bind, which creates a directory. Some Compose v2 versions
 * create it anyway (docker/compose #13602), so that is not the only guard: with the bundle missing or replaced by a
 * directory, ToolJet (PGSSLMODE verify-full, NODE_EXTRA_CA_CERTS) and PostgREST (sslrootcert) cannot verify RDS's
 * certificate and refuse to connect; nothing connects unverified or to another database.
 */
export function renderComposeOverride(input: Pick<DockerTargetInput, 'services' | 'bundleFile'>): string {
  const services = input.services ?? ['tooljet'];
  if (services.length === 0)
    throw new RenderError('services must name at least one compose service (ToolJet\'s is "tooljet")');
  for (const s of services)
    if (!SERVICE_NAME.test(s)) throw new RenderError(`invalid compose service name ${JSON.stringify(s)}`);
  const source = `./${bundleFileOf(input as DockerTargetInput)}`;
  const lines = [
    `${OVERRIDE_MARKER}: mounts the RDS CA bundle read-only for ToolJet (NODE_EXTRA_CA_CERTS,`,
    '# PGSSLROOTCERT and the sslrootcert of PGRST_DB_URI point at it). docker compose merges this file with',
    '# docker-compose.yaml; tj-pg-upgrade rewrites it, so keep your own changes in another file.',
    'services:',
  ];
  for (const s of services) {
    lines.push(
      `  ${s}:`,
      '    volumes:',
      '      - type: bind',
      `        source: ${source}`,
      `        target: ${CONTAINER_CA_PATH}`,
      '        read_only: true',
    );
  }
  return lines.join('\n') + '\n';
}

export interface DockerFiles {
  env: { path: string; text: string; mode: number };
  override: { path: string; text: string; mode: number };
  bundle: { path: string; text: string; mode: number };
}

export interface DockerPlan {
  files: DockerFiles;
  changes: Array<{ key: string; change: EnvChange }>;
  /** Human-readable, secret-free description of what writing the plan changes (for previews and logs). */
  summary: string;
}

/**
 * Computes everything writeDockerTarget would write into `dir` given the current .env text (undefined when the
 * directory has none yet), without touching the disk.
 */
export function planDockerTarget(dir: string, input: DockerTargetInput, existingEnv: string | undefined): DockerPlan {
  const certs = input.caBundle.certificateCount;
  const bundleFile = bundleFileOf(input);
  const overrideFile = overrideFileOf(input);
  let text: string;
  let changes: Array<{ key: string; change: EnvChange }>;
  if (existingEnv === undefined) {
    text = renderDockerEnv(input);
    changes = [...parseEnv(text).keys()].map((key) => ({ key, change: 'added' as EnvChange }));
  } else {
    ({ text, changes } = mergeDockerEnv(existingEnv, input));
  }
  const files: DockerFiles = {
    env: { path: path.join(dir, '.env'), text, mode: 0o600 },
    override: { path: path.join(dir, overrideFile), text: renderComposeOverride(input), mode: 0o644 },
    bundle: { path: path.join(dir, bundleFile), text: input.caBundle.pem, mode: 0o644 },
  };
  const before = existingEnv === undefined ? new Map<string, string>() : parseEnv(existingEnv);
  const after = parseEnv(text);
  const lines = [`${files.env.path} (mode 600):`];
  for (const { key, change } of changes) {
    // The old value is not printed: a DATABASE_URL holds a password.
    if (change === 'disabled') lines.push(`  ${key}: disabled (commented out; ${UNSAFE_ENV[key]})`);
    else if (DOCKER_SECRET_KEYS.includes(key)) lines.push(`  ${key}: ${change} (secret, value hidden)`);
    else if (change === 'updated')
      lines.push(`  ${key}: ${JSON.stringify(before.get(key) ?? '')} -> ${JSON.stringify(after.get(key))}`);
    else lines.push(`  ${key}: ${change} ${JSON.stringify(after.get(key))}`);
  }
  lines.push(
    `${files.override.path}: ${(input.services ?? ['tooljet']).join(', ')} mount ./${bundleFile} read-only at ${CONTAINER_CA_PATH}`,
    `${files.bundle.path} (mode 644): ${certs} certificates, sha256 ${input.caBundle.pemSha256}`,
    'apply with: docker compose up -d (NODE_EXTRA_CA_CERTS is read only at start, so the container must be recreated)',
  );
  return { files, changes, summary: lines.join('\n') };
}

/** Writes `text` to `file` atomically: temporary file in the same directory, fsync, chmod, rename. */
export function writeFileAtomic(file: string, text: string, mode: number, owner?: { uid: number; gid: number }): void {
  const tmp = path.join(
    path.dirname(file),
    `.${path.basename(file)}.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`,
  );
  const fd = fs.openSync(tmp, 'wx', mode);
  try {
    try {
      fs.writeFileSync(fd, text);
      fs.fchmodSync(fd, mode);
      if (owner) fs.fchownSync(fd, owner.uid, owner.gid);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * Writes the bundle, the override and the .env into the compose directory `dir`, each atomically, in that order (the
 * .env switch comes last, so a failure leaves the old configuration working). Refuses to replace an override file it
 * did not write. Returns the plan it applied.
 */
export function writeDockerTarget(dir: string, input: DockerTargetInput): DockerPlan {
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch {
    throw new RenderError(
      `docker target directory ${dir} does not exist: point it at the folder that holds ToolJet's docker-compose.yaml`,
    );
  }
  if (!st.isDirectory()) throw new RenderError(`docker target directory ${dir} is not a directory`);
  const envPath = path.join(dir, '.env');
  const existing = fs.existsSync(envPath) ? fs.readFileSync(envPath, 'utf8') : undefined;
  const plan = planDockerTarget(dir, input, existing);
  const { env, override, bundle } = plan.files;
  if (fs.existsSync(override.path) && !fs.readFileSync(override.path, 'utf8').startsWith(OVERRIDE_MARKER)) {
    throw new RenderError(
      `${override.path} exists and was not written by tj-pg-upgrade: add the read-only mount of ./${bundleFileOf(input)} at ${CONTAINER_CA_PATH} to it by hand, or set overrideFile to another name`,
    );
  }
  if (fs.existsSync(bundle.path) && fs.statSync(bundle.path).isDirectory()) {
    throw new RenderError(
      `${bundle.path} is a directory, not the CA bundle (Docker creates one when a bind mount's source is missing): remove it (rmdir ${bundle.path}) and run again`,
    );
  }
  fs.mkdirSync(path.dirname(bundle.path), { recursive: true, mode: 0o755 });
  writeFileAtomic(bundle.path, bundle.text, bundle.mode);
  writeFileAtomic(override.path, override.text, override.mode);
  let owner: { uid: number; gid: number } | undefined;
  if (existing !== undefined && process.getuid?.() === 0) {
    const s = fs.statSync(envPath);
    owner = { uid: s.uid, gid: s.gid };
  }
  writeFileAtomic(env.path, env.text, env.mode, owner);
  return plan;
}
