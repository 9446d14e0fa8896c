// targets.docker: where ToolJet's docker-compose-with-external-postgresql folder lives and how to apply the files.
// The parser, its typed result, defaults and sub-keys (docs/targets.md documents each key).
import type { Reader } from '../../config/reader';
import type { TargetContext } from '../shared/kind';
import { Obj, readLocalPath, readStringList } from '../shared/settings';

export interface DockerTargetConfig {
  /** Absolute path (on the machine that runs `pulumi up`) of the folder holding ToolJet's docker-compose.yaml. */
  readonly directory: string;
  /** TOOLJET_HOST; needed only when the folder has no .env yet. */
  readonly tooljetHost?: string;
  /** Compose services that get the bundle mounted. */
  readonly services: readonly string[];
  /** Bundle file, relative to `directory`. */
  readonly bundleFile: string;
  /** Compose override file name (docker compose loads docker-compose.override.yml by itself). */
  readonly overrideFile: string;
  /** Run `docker compose up -d` in `directory` after writing (Node reads NODE_EXTRA_CA_CERTS only at start). */
  readonly restart: boolean;
}

/** Every sub-key of targets.docker. */
export const DOCKER_SUB_KEYS = {
  docker: ['directory', 'tooljetHost', 'services', 'bundleFile', 'overrideFile', 'restart'],
} as const;

export const DOCKER_SETTINGS_DEFAULTS = {
  services: ['tooljet'],
  bundleFile: 'certs/global-bundle.pem',
  overrideFile: 'docker-compose.override.yml',
  restart: false,
} as const;

const SERVICE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const RELATIVE_FILE = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;
const OVERRIDE_FILE = /^[A-Za-z0-9_.-]+\.ya?ml$/;

export function parseDockerTarget(r: Reader, o: Obj, ctx: TargetContext): DockerTargetConfig | undefined {
  const k = (sub: string) => `targets.docker.${sub}`;
  r.unknownKeys('targets.docker', o, DOCKER_SUB_KEYS.docker);
  const d = DOCKER_SETTINGS_DEFAULTS;

  if (o.directory === undefined) {
    r.problem(
      k('directory'),
      "not set; give the folder that holds ToolJet's docker-compose.yaml (deploy/docker/docker-compose-with-external-postgresql) on the machine that runs pulumi up: pulumi config set --path targets.docker.directory /opt/tooljet",
    );
  }
  const directory = readLocalPath(
    r,
    k('directory'),
    o.directory,
    ctx.baseDir,
    "give the folder that holds ToolJet's docker-compose.yaml",
  );

  const tooljetHost = r.matching(
    k('tooljetHost'),
    o.tooljetHost,
    /^https?:\/\/[A-Za-z0-9.-]+(:\d+)?(\/[^\s'"\\]*)?$/,
    'use the public URL of ToolJet such as https://tooljet.example.com',
  );
  const services = readStringList(
    r,
    k('services'),
    o.services,
    SERVICE,
    'use compose service names such as "tooljet"',
    { nonEmpty: true },
  ) ?? [...d.services];

  let bundleFile: string = d.bundleFile;
  const bf = r.matching(
    k('bundleFile'),
    o.bundleFile,
    RELATIVE_FILE,
    'use a path relative to targets.docker.directory such as certs/global-bundle.pem',
  );
  if (bf !== undefined) {
    if (bf.split('/').some((p) => p === '.' || p === '..'))
      r.problem(
        k('bundleFile'),
        `"${bf}" leaves the compose folder; use a path inside it such as certs/global-bundle.pem`,
      );
    else bundleFile = bf;
  }
  const overrideFile =
    r.matching(k('overrideFile'), o.overrideFile, OVERRIDE_FILE, 'use a file name ending in .yml or .yaml') ??
    d.overrideFile;
  if (overrideFile === '.env' || overrideFile === 'docker-compose.yaml' || overrideFile === 'docker-compose.yml') {
    r.problem(
      k('overrideFile'),
      `"${overrideFile}" is ToolJet's own file; use docker-compose.override.yml (loaded by docker compose automatically)`,
    );
  }
  const restart = r.boolean(k('restart'), o.restart) ?? d.restart;

  if (!directory) return undefined;
  return { directory, ...(tooljetHost !== undefined && { tooljetHost }), services, bundleFile, overrideFile, restart };
}
