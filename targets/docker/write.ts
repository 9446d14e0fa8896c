// How the Docker target writes its files under `pulumi up`: a local.Command runs `node <DOCKER_WRITE_SCRIPT>` in the
// project directory, the settings and secret values arrive in its environment (a secret Output, so encrypted in the
// state and never on a command line), the CA bundle on stdin (at ~170 KB it is over Linux's 128 KB limit for one
// environment string). The script calls writeDockerTarget (render.ts: atomic writes, .env merged in place,
// mode 600) and prints only the secret-free plan summary. Commands never run during `pulumi preview`.
//
// Why a command and not a dynamic provider: a dynamic provider serializes its code (closures over this repository's
// modules) into the state; a command runs the tested module as it is in the checkout. The files are not Pulumi state
// either way: the command's inputs are, so a changed input writes the files again (the write is idempotent).
import { spawnSync } from 'child_process';
import { inProjectDir } from '../../lib/commands';
import { caBundleFromPem, CaBundleError } from '../../lib/tls/ca-bundle';
import { DatabaseTarget, RenderError } from '../shared/render';
import { DockerTargetInput, writeDockerTarget } from './render';

/** The writer's entry point, relative to the project directory (the command's working directory, checked first). */
export const DOCKER_WRITE_SCRIPT = 'targets/docker/write-cli.js';
export const DOCKER_WRITE_COMMAND = inProjectDir(`node ${DOCKER_WRITE_SCRIPT}\n`);

export interface DockerWriteSettings {
  directory: string;
  services: readonly string[];
  bundleFile: string;
  overrideFile: string;
  restart: boolean;
  tooljetHost?: string;
  database: DatabaseTarget;
  secrets: { pgPassword: string; lockboxMasterKey?: string; secretKeyBase?: string; pgrstJwtSecret?: string };
}

/** Variables holding secret values (the component passes the whole environment as a secret Output). */
export const DOCKER_WRITE_SECRET_VARIABLES = [
  'TJ_PG_PASS',
  'TJ_LOCKBOX_MASTER_KEY',
  'TJ_SECRET_KEY_BASE',
  'TJ_PGRST_JWT_SECRET',
] as const;

/** The command's environment (pure). */
export function dockerWriteEnvironment(s: DockerWriteSettings): Record<string, string> {
  const env: Record<string, string> = {
    TJ_DOCKER_DIR: s.directory,
    TJ_DOCKER_SERVICES: s.services.join(','),
    TJ_DOCKER_BUNDLE_FILE: s.bundleFile,
    TJ_DOCKER_OVERRIDE_FILE: s.overrideFile,
    TJ_DOCKER_RESTART: s.restart ? 'true' : 'false',
    TJ_DB_HOST: s.database.host,
    TJ_DB_PORT: String(s.database.port),
    TJ_DB_USER: s.database.user,
    TJ_DB_NAME: s.database.database,
    TJ_TOOLJET_DB: s.database.tooljetDatabase,
    TJ_PG_PASS: s.secrets.pgPassword,
  };
  if (s.tooljetHost !== undefined) env.TJ_TOOLJET_HOST = s.tooljetHost;
  if (s.secrets.lockboxMasterKey !== undefined) env.TJ_LOCKBOX_MASTER_KEY = s.secrets.lockboxMasterKey;
  if (s.secrets.secretKeyBase !== undefined) env.TJ_SECRET_KEY_BASE = s.secrets.secretKeyBase;
  if (s.secrets.pgrstJwtSecret !== undefined) env.TJ_PGRST_JWT_SECRET = s.secrets.pgrstJwtSecret;
  return env;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const v = env[name];
  if (v === undefined || v === '')
    throw new RenderError(`${name} is not set (run this through the Pulumi program, not by hand)`);
  return v;
}

/** The writer's input back from the environment and stdin (inverse of dockerWriteEnvironment). */
export function dockerWriteInput(
  env: NodeJS.ProcessEnv,
  bundlePem: string,
): { directory: string; restart: boolean; input: DockerTargetInput } {
  const port = Number(required(env, 'TJ_DB_PORT'));
  const input: DockerTargetInput = {
    database: {
      host: required(env, 'TJ_DB_HOST'),
      port,
      user: required(env, 'TJ_DB_USER'),
      database: required(env, 'TJ_DB_NAME'),
      tooljetDatabase: required(env, 'TJ_TOOLJET_DB'),
    },
    secrets: {
      pgPassword: required(env, 'TJ_PG_PASS'),
      ...(env.TJ_LOCKBOX_MASTER_KEY ? { lockboxMasterKey: env.TJ_LOCKBOX_MASTER_KEY } : {}),
      ...(env.TJ_SECRET_KEY_BASE ? { secretKeyBase: env.TJ_SECRET_KEY_BASE } : {}),
      ...(env.TJ_PGRST_JWT_SECRET ? { pgrstJwtSecret: env.TJ_PGRST_JWT_SECRET } : {}),
    },
    ...(env.TJ_TOOLJET_HOST ? { tooljetHost: env.TJ_TOOLJET_HOST } : {}),
    caBundle: caBundleFromPem(bundlePem),
    services: required(env, 'TJ_DOCKER_SERVICES').split(','),
    bundleFile: required(env, 'TJ_DOCKER_BUNDLE_FILE'),
    overrideFile: required(env, 'TJ_DOCKER_OVERRIDE_FILE'),
  };
  return { directory: required(env, 'TJ_DOCKER_DIR'), restart: env.TJ_DOCKER_RESTART === 'true', input };
}

/** Replaces every secret value (and its URI-encoded form) in `text`: error messages are printed. */
export function redactSecrets(text: string, env: NodeJS.ProcessEnv): string {
  let out = text;
  for (const name of DOCKER_WRITE_SECRET_VARIABLES) {
    const v = env[name];
    if (!v) continue;
    for (const form of [v, encodeURIComponent(v)]) out = out.split(form).join(`<${name.slice(3)} hidden>`);
  }
  return out;
}

export interface WriterIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Runs `docker compose up -d` in `dir`; returns its exit code. */
  composeUp?: (dir: string) => number;
}

function defaultComposeUp(dir: string): number {
  const r = spawnSync('docker', ['compose', 'up', '-d'], { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.error)
    throw new RenderError(
      `cannot run "docker compose up -d" in ${dir} (${(r.error as NodeJS.ErrnoException).code ?? r.error.message}); install Docker Compose v2 or set targets.docker.restart to false and run it yourself`,
    );
  return r.status ?? 1;
}

/** Writes the files, prints the summary, optionally restarts. Returns the exit code; never prints a secret value. */
export function runDockerWrite(env: NodeJS.ProcessEnv, bundlePem: string, io: WriterIo): number {
  try {
    const { directory, restart, input } = dockerWriteInput(env, bundlePem);
    const plan = writeDockerTarget(directory, input);
    io.out(plan.summary);
    if (!restart) return 0;
    io.out(`running docker compose up -d in ${directory}`);
    const code = (io.composeUp ?? defaultComposeUp)(directory);
    if (code !== 0) {
      io.err(
        `docker-target: "docker compose up -d" in ${directory} exited with ${code}; the files are written, fix the compose error and run it again`,
      );
      return 1;
    }
    return 0;
  } catch (err) {
    const known = err instanceof RenderError || err instanceof CaBundleError;
    const message = known
      ? (err as Error).message
      : `unexpected ${(err as Error)?.name ?? 'error'}: ${(err as Error)?.message ?? String(err)}`;
    io.err(`docker-target: ${redactSecrets(message, env).replace(/\s*\n\s*/g, ' ')}`);
    return known ? 1 : 2;
  }
}
