// ECS: the new task definition revision is the service's CURRENT one with only our parts replaced. A revision rebuilt
// from scratch would drop everything the operator's definition has and ours does not restate (other variables and
// secrets, health checks, stopTimeout, ulimits, logging, the image tag running today...). So:
//   - from the rendered containers (render.ts) we take, per container, only what this target owns: the
//     database/TLS variables and secrets, the read-only /certs mount and the dependency on the init container;
//   - the init container `rds-ca-bundle` and the task volume `rds-ca` are wholly ours;
//   - the PostgREST sidecar is merged like ToolJet when the definition has one (its port is ours, because PGRST_HOST
//     and PGRST_SERVER_PORT must agree with it), and added when it has none;
//   - everything else (image unless tooljetImage/postgrestImage is configured, command, portMappings, healthCheck,
//     logConfiguration, ulimits, stopTimeout, cpu/memory, other containers, other volumes) is kept as it is;
//   - DATABASE_URL, TOOLJET_DB_URL, CA_CERT and NODE_TLS_REJECT_UNAUTHORIZED are removed from every container (they
//     would undo verified TLS: targets/shared/unsafe-env.ts), and so is a PGRST_DB_URI in the ToolJet container (PostgREST
//     runs in the sidecar; a URI there points at the old host); each removal is reported;
//   - a container that loads `environmentFiles` (S3 .env objects this program cannot read) may get those four from a
//     file. An `environment` entry wins over the files ("If there are environment variables specified using the
//     environment parameter in a container definition, they take precedence over the variables contained within an
//     environment file", Amazon ECS API Reference, EnvironmentFile), but the only value that unsets them, "", does not
//     survive registration: ECS drops an environment entry whose value is empty (terraform-provider-aws#39533,
//     pulumi-aws#4576, aws-actions/amazon-ecs-deploy-task-definition#216). So such a file is refused
//     (checkEnvironmentFiles) unless the operator lists it in targets.ecs.reviewedEnvironmentFiles after checking it
//     sets none of the four. Every other database variable a file may set is overridden by the environment entries
//     this target renders into the container;
//   - every other container that talks to the database (a ToolJet worker, say) gets the same database/TLS variables
//     and passwords as the ToolJet container (PG_*, TOOLJET_DB_*, PGSSLMODE=verify-full, PGSSLROOTCERT,
//     NODE_EXTRA_CA_CERTS, PG_PASS, TOOLJET_DB_PASS), the read-only /certs mount and the dependency on the init
//     container; otherwise it would keep its old host and TLS settings (PGSSLMODE=no-verify verifies nothing in
//     node-postgres). "Talks to the database" (talksToDatabase): it names a database variable (ToolJet's PG_* /
//     TOOLJET_DB* or libpq's PG*), or it loads environment files (which may set them), or it runs the ToolJet
//     container's image. One that sets a libpq connection variable this target does not render (PGHOST, PGPASSWORD...)
//     or a PGRST_DB_URI outside the PostgREST sidecar is refused, named, since re-pointing it would need values this
//     target does not own.
// Merging is idempotent: merging the result again with the same rendering gives the same definition (after the first
// `pulumi up` the service's current definition is the one this produced).
import {
  CA_INIT_CONTAINER,
  CA_VOLUME,
  ContainerDefinition,
  ECS_DEFAULTS,
  EcsSecret,
  KeyValuePair,
  POSTGREST_CONTAINER,
} from './render';
import { DATABASE_ENV_KEYS } from '../shared/database-env';
import { CONTAINER_CA_DIR, RenderError } from '../shared/render';
import { isUnsafeEnvName, UNSAFE_ENV_NAMES } from '../shared/unsafe-env';

/** A task volume in the shape aws.ecs.TaskDefinition takes (`volumes[]`). */
export interface EcsTaskVolume {
  name: string;
  hostPath?: string;
  configureAtLaunch?: boolean;
  dockerVolumeConfiguration?: Record<string, unknown>;
  efsVolumeConfiguration?: Record<string, unknown>;
  fsxWindowsFileServerVolumeConfiguration?: Record<string, unknown>;
  s3filesVolumeConfiguration?: Record<string, unknown>;
}

/** The parts of the current task definition the new revision keeps (aws.ecs.TaskDefinition argument shapes). */
export interface CurrentEcsTaskDefinition {
  arn: string;
  family: string;
  cpu?: string;
  memory?: string;
  networkMode?: string;
  requiresCompatibilities: string[];
  executionRoleArn?: string;
  taskRoleArn?: string;
  pidMode?: string;
  ipcMode?: string;
  /** Only when true (false is ECS's default, and what the lookup returns for "not set"). */
  enableFaultInjection?: boolean;
  runtimePlatform?: { cpuArchitecture?: string; operatingSystemFamily?: string };
  ephemeralStorage?: { sizeInGib: number };
  proxyConfiguration?: { containerName: string; properties?: Record<string, string>; type?: string };
  placementConstraints: Array<{ type: string; expression?: string }>;
  volumes: EcsTaskVolume[];
  containerDefinitions: ContainerDefinition[];
}

export interface EcsMergeOptions {
  /** The ToolJet container (targets.ecs.containerName). */
  containerName: string;
  /**
   * S3 ARNs of environment files the operator has checked set none of the unsafe variables (targets.ecs.
   * reviewedEnvironmentFiles); any other file a container loads is refused (checkEnvironmentFiles).
   */
  reviewedEnvironmentFiles?: readonly string[];
}

export interface EcsMergeResult {
  containerDefinitions: ContainerDefinition[];
  volumes: EcsTaskVolume[];
  /** `container: NAME` for every variable or secret removed (never a value). */
  removed: string[];
  /** Whether the PostgREST sidecar was added (the current definition had none). */
  addedPostgrest: boolean;
  /** Other containers that talk to the database and got its variables, mount and dependency (talksToDatabase). */
  repointed: string[];
}

/** Variables the ToolJet container must not keep besides the unsafe ones (PostgREST runs in the sidecar). */
const STALE_IN_TOOLJET = ['PGRST_DB_URI'];

/** The secrets of the ToolJet container a database-talking side container gets too. */
const DATABASE_SECRETS = ['PG_PASS', 'TOOLJET_DB_PASS'];
/** Names that show a container talks to ToolJet's databases: ToolJet's (PG_*, TOOLJET_DB*, the URLs) and libpq's. */
const DATABASE_VARIABLE = /^(PG_\w+|TOOLJET_DB\w*|DATABASE_URL|PGRST_DB_URI|PG[A-Z]+)$/;
/**
 * libpq connection settings (PostgreSQL docs, "Environment Variables") and PostgREST's URI: this target renders none of
 * them into a side container, so one that sets them would keep connecting where they point.
 */
const FOREIGN_CONNECTION_VARIABLES = [
  'PGHOST',
  'PGHOSTADDR',
  'PGPORT',
  'PGDATABASE',
  'PGUSER',
  'PGPASSWORD',
  'PGPASSFILE',
  'PGSERVICE',
  'PGSERVICEFILE',
  'PGRST_DB_URI',
];

/** An image reference without tag or digest (`repo[:tag][@digest]` -> `repo`). */
function imageRepository(image: string | undefined): string | undefined {
  if (!image) return undefined;
  const noDigest = image.split('@')[0];
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

/**
 * Whether a container (other than ours) talks to ToolJet's databases: it names a database variable in `environment` or
 * `secrets`, it loads environment files (which may set them; the program cannot read them), or it runs the ToolJet
 * container's image (a worker of the same application).
 */
export function talksToDatabase(c: ContainerDefinition, tooljetImage: string | undefined): boolean {
  const names = [...(c.environment ?? []), ...(c.secrets ?? [])].map((e) => e.name);
  if (names.some((n) => DATABASE_VARIABLE.test(n))) return true;
  if (loadsEnvironmentFiles(c)) return true;
  const repo = imageRepository(c.image);
  return repo !== undefined && repo === imageRepository(tooljetImage);
}

/** The part of the rendered ToolJet container every database-talking container gets (no TOOLJET_HOST, PGRST_*...). */
function databasePart(tooljet: ContainerDefinition, name: string): ContainerDefinition {
  const dbEnv = new Set<string>(DATABASE_ENV_KEYS);
  return {
    name,
    environment: (tooljet.environment ?? []).filter((e) => dbEnv.has(e.name)),
    secrets: (tooljet.secrets ?? []).filter((e) => DATABASE_SECRETS.includes(e.name)),
    mountPoints: tooljet.mountPoints,
    dependsOn: tooljet.dependsOn,
  };
}

function namesOf(list: ReadonlyArray<{ name: string }> | undefined): Set<string> {
  return new Set((list ?? []).map((e) => e.name));
}

/**
 * `current`'s entries minus those `rendered` sets (and `drop`), then `rendered`'s: every name once, ours last, so a
 * second merge gives the same list.
 */
function mergeNamed<T extends { name: string }>(
  current: T[] | undefined,
  rendered: T[] | undefined,
  owned: Set<string>,
  drop: (entry: T) => boolean,
): T[] {
  return [...(current ?? []).filter((e) => !owned.has(e.name) && !drop(e)), ...(rendered ?? [])];
}

function mergeContainer(
  current: ContainerDefinition,
  rendered: ContainerDefinition,
  removed: string[],
  extraDrop: string[] = [],
): ContainerDefinition {
  // A name is ours whether it was an environment variable or a secret before (ECS refuses the same name in both).
  const owned = new Set([...namesOf(rendered.environment), ...namesOf(rendered.secrets)]);
  const drop = (e: KeyValuePair | EcsSecret) => {
    const bad = isUnsafeEnvName(e.name) || extraDrop.includes(e.name);
    if (bad && !owned.has(e.name)) removed.push(`${current.name}: ${e.name}`);
    return bad;
  };
  const out: ContainerDefinition = { ...current };
  out.environment = mergeNamed<KeyValuePair>(current.environment, rendered.environment, owned, drop);
  out.secrets = mergeNamed<EcsSecret>(current.secrets, rendered.secrets, owned, drop);
  if (out.secrets.length === 0 && current.secrets === undefined) delete out.secrets;
  out.mountPoints = [
    ...(current.mountPoints ?? []).filter((m) => m.sourceVolume !== CA_VOLUME && m.containerPath !== CONTAINER_CA_DIR),
    ...(rendered.mountPoints ?? []),
  ];
  out.dependsOn = [
    ...(current.dependsOn ?? []).filter((d) => d.containerName !== CA_INIT_CONTAINER),
    ...(rendered.dependsOn ?? []),
  ];
  if (rendered.image !== undefined) out.image = rendered.image;
  return out;
}

/** Removes the unsafe variables from a container we do not otherwise touch. */
function scrub(c: ContainerDefinition, removed: string[]): ContainerDefinition {
  const bad = [...(c.environment ?? []), ...(c.secrets ?? [])].filter((e) => isUnsafeEnvName(e.name));
  if (bad.length === 0) return c;
  for (const e of bad) removed.push(`${c.name}: ${e.name}`);
  const out: ContainerDefinition = { ...c };
  if (c.environment) out.environment = c.environment.filter((e) => !isUnsafeEnvName(e.name));
  if (c.secrets) out.secrets = c.secrets.filter((e) => !isUnsafeEnvName(e.name));
  return out;
}

/** Whether ECS loads S3 environment files into the container. */
export function loadsEnvironmentFiles(c: ContainerDefinition): boolean {
  return Array.isArray(c.environmentFiles) && c.environmentFiles.length > 0;
}

/**
 * Refuses environment files nobody has vouched for: ECS applies them under the container's `environment`, this program
 * cannot read them, and the one value that would neutralise an unsafe variable there ("") is dropped by ECS when it
 * registers the definition. One line, naming every container and file, with both ways out.
 */
export function checkEnvironmentFiles(
  containers: readonly ContainerDefinition[],
  reviewed: readonly string[] = [],
): void {
  const ok = new Set(reviewed);
  const unreviewed: Array<{ container: string; files: string[] }> = [];
  for (const c of containers) {
    if (!loadsEnvironmentFiles(c)) continue;
    const files = c.environmentFiles!.map((f) => String(f?.value)).filter((v) => !ok.has(v));
    if (files.length > 0) unreviewed.push({ container: c.name, files });
  }
  if (unreviewed.length === 0) return;
  const all = [...new Set(unreviewed.flatMap((u) => u.files))];
  throw new RenderError(
    `${unreviewed.map((u) => `container "${u.container}" loads environmentFiles ${u.files.join(', ')}`).join('; ')}: ` +
      `ECS applies those S3 .env files, which this program cannot read, and they may set ${UNSAFE_ENV_NAMES.join(', ')} ` +
      '(an environment entry cannot unset them: ECS drops an environment variable whose value is empty); ' +
      "move the containers' variables from the files into environment/secrets of the service's task definition, or, " +
      `once you have checked that the files set none of those four, list them: targets.ecs.reviewedEnvironmentFiles: [${all.join(', ')}]`,
  );
}

/**
 * The new revision's containers and volumes: `current` (the service's task definition) with the parts this target
 * owns replaced by `rendered` (renderEcsContainerDefinitions: init, ToolJet, PostgREST, extra containers). Pure.
 */
export function mergeEcsTaskDefinition(
  current: CurrentEcsTaskDefinition,
  rendered: ContainerDefinition[],
  opts: EcsMergeOptions,
): EcsMergeResult {
  const containers = current.containerDefinitions;
  if (!Array.isArray(containers) || containers.length === 0) {
    throw new RenderError(
      `the service's task definition ${current.arn} has no container definitions: check targets.ecs.cluster and targets.ecs.service`,
    );
  }
  const byName = new Map(rendered.map((c) => [c.name, c]));
  const init = byName.get(CA_INIT_CONTAINER);
  const tooljet = byName.get(opts.containerName);
  const postgrest = byName.get(POSTGREST_CONTAINER);
  if (!init || !tooljet || !postgrest)
    throw new Error('internal: the rendering lacks the init, ToolJet or PostgREST container');
  if (!containers.some((c) => c.name === opts.containerName)) {
    throw new RenderError(
      `the service's task definition ${current.arn} has no container "${opts.containerName}" (it has ${containers.map((c) => `"${c.name}"`).join(', ')}): ` +
        'set targets.ecs.containerName to the ToolJet container',
    );
  }
  const removed: string[] = [];
  const repointed: string[] = [];
  const foreign: string[] = [];
  const tooljetImage = tooljet.image ?? containers.find((c) => c.name === opts.containerName)?.image;
  /** Another container (kept from the current definition, or an extra one as configured). */
  const side = (c: ContainerDefinition): ContainerDefinition => {
    if (!talksToDatabase(c, tooljetImage)) return scrub(c, removed);
    const names = [...(c.environment ?? []), ...(c.secrets ?? [])].map((e) => e.name);
    for (const n of names.filter((x) => FOREIGN_CONNECTION_VARIABLES.includes(x))) foreign.push(`${c.name}: ${n}`);
    repointed.push(c.name);
    return mergeContainer(c, databasePart(tooljet, c.name), removed);
  };
  const seen = new Set<string>();
  const out: ContainerDefinition[] = [];
  for (const c of containers) {
    seen.add(c.name);
    if (c.name === CA_INIT_CONTAINER) out.push(init);
    else if (c.name === opts.containerName) out.push(mergeContainer(c, tooljet, removed, STALE_IN_TOOLJET));
    else if (c.name === POSTGREST_CONTAINER)
      out.push({ ...mergeContainer(c, postgrest, removed), portMappings: postgrest.portMappings });
    else if (byName.has(c.name))
      out.push(side(byName.get(c.name)!)); // an extra container: as configured
    else out.push(side(c));
  }
  const addedPostgrest = !seen.has(POSTGREST_CONTAINER);
  for (const r of rendered) {
    if (seen.has(r.name)) continue;
    if (r.name === POSTGREST_CONTAINER) out.push({ ...r, image: r.image ?? ECS_DEFAULTS.postgrestImage });
    else if (r.name === CA_INIT_CONTAINER) out.push(r);
    else out.push(side(r));
  }
  if (foreign.length > 0) {
    throw new RenderError(
      `${foreign.join(', ')}: these containers talk to the database with connection settings this target does not re-point, ` +
        "so they would keep the old host (or their own TLS settings); remove those variables from the containers of the service's task definition " +
        '(ToolJet reads PG_HOST, PG_USER, PG_PASS..., which this target sets in every container that talks to the database; PostgREST runs in the "postgrest" sidecar)',
    );
  }
  checkEnvironmentFiles(out, opts.reviewedEnvironmentFiles);
  const volumes = [...(current.volumes ?? []).filter((v) => v.name !== CA_VOLUME), { name: CA_VOLUME }];
  return { containerDefinitions: out, volumes, removed, addedPostgrest, repointed };
}

// --- the lookup's shape -> CurrentEcsTaskDefinition --------------------------------------------------------------

/** What aws.ecs.getTaskDefinition returns (@pulumi/aws 7: nested blocks are lists, unset strings are ""). */
export interface EcsTaskDefinitionLookup {
  arn: string;
  family: string;
  containerDefinitions: string;
  cpu?: string;
  memory?: string;
  networkMode?: string;
  requiresCompatibilities?: string[];
  executionRoleArn?: string;
  taskRoleArn?: string;
  pidMode?: string;
  ipcMode?: string;
  enableFaultInjection?: boolean;
  runtimePlatforms?: Array<{ cpuArchitecture?: string; operatingSystemFamily?: string }>;
  ephemeralStorages?: Array<{ sizeInGib: number }>;
  proxyConfigurations?: Array<{ containerName: string; properties?: Record<string, string>; type?: string }>;
  placementConstraints?: Array<{ type: string; expression?: string }>;
  volumes?: ReadonlyArray<{ name: string }>;
}

const orUndefined = (s: string | undefined): string | undefined => (s === undefined || s === '' ? undefined : s);

/** Drops "", empty lists/maps and nulls, and turns one-element block lists into the single block the resource takes. */
function compact(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(compact);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (x === '' || x === null || x === undefined) continue;
    if (Array.isArray(x) && x.length === 0) continue;
    if (typeof x === 'object' && !Array.isArray(x) && Object.keys(x as object).length === 0) continue;
    out[k] = compact(x);
  }
  return out;
}

const BLOCK_LISTS: Record<string, string> = {
  dockerVolumeConfigurations: 'dockerVolumeConfiguration',
  efsVolumeConfigurations: 'efsVolumeConfiguration',
  fsxWindowsFileServerVolumeConfigurations: 'fsxWindowsFileServerVolumeConfiguration',
  s3filesVolumeConfigurations: 's3filesVolumeConfiguration',
  authorizationConfigs: 'authorizationConfig',
};

function singleBlocks(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(singleBlocks);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const single = BLOCK_LISTS[k];
    if (single && Array.isArray(x)) {
      if (x.length > 0) out[single] = singleBlocks(x[0]);
    } else out[k] = singleBlocks(x);
  }
  return out;
}

/** The lookup result in the resource's argument shapes; refuses what the new revision could not carry over. */
export function currentEcsTaskDefinition(l: EcsTaskDefinitionLookup): CurrentEcsTaskDefinition {
  let containers: unknown;
  try {
    containers = JSON.parse(l.containerDefinitions);
  } catch {
    containers = undefined;
  }
  if (!Array.isArray(containers)) {
    throw new RenderError(
      `the lookup of task definition ${l.arn} returned no container definitions (needs @pulumi/aws 7 and ecs:DescribeTaskDefinition)`,
    );
  }
  // Every volume block the resource takes (host path, Docker, EFS, FSx for Windows, S3 Files) has a list of the same
  // fields in the data source (@pulumi/aws 7.48 GetTaskDefinitionVolume*).
  const volumes = (l.volumes ?? []).map((v) => compact(singleBlocks(v)) as EcsTaskVolume);
  const runtime = l.runtimePlatforms?.[0];
  const storage = l.ephemeralStorages?.[0];
  const proxy = l.proxyConfigurations?.[0];
  return {
    arn: l.arn,
    family: l.family,
    ...(orUndefined(l.cpu) && { cpu: l.cpu }),
    ...(orUndefined(l.memory) && { memory: l.memory }),
    ...(orUndefined(l.networkMode) && { networkMode: l.networkMode }),
    requiresCompatibilities: [...(l.requiresCompatibilities ?? [])],
    ...(orUndefined(l.executionRoleArn) && { executionRoleArn: l.executionRoleArn }),
    ...(orUndefined(l.taskRoleArn) && { taskRoleArn: l.taskRoleArn }),
    ...(orUndefined(l.pidMode) && { pidMode: l.pidMode }),
    ...(orUndefined(l.ipcMode) && { ipcMode: l.ipcMode }),
    ...(l.enableFaultInjection === true && { enableFaultInjection: true }),
    ...(runtime &&
      (orUndefined(runtime.cpuArchitecture) || orUndefined(runtime.operatingSystemFamily)) && {
        runtimePlatform: compact(runtime) as CurrentEcsTaskDefinition['runtimePlatform'],
      }),
    ...(storage && storage.sizeInGib > 0 && { ephemeralStorage: { sizeInGib: storage.sizeInGib } }),
    ...(proxy &&
      orUndefined(proxy.containerName) && {
        proxyConfiguration: compact(proxy) as CurrentEcsTaskDefinition['proxyConfiguration'],
      }),
    placementConstraints: (l.placementConstraints ?? []).map(
      (p) => compact(p) as { type: string; expression?: string },
    ),
    volumes,
    containerDefinitions: containers as ContainerDefinition[],
  };
}

/** The current definition's roles must be the configured ones (the inline policies go onto those). */
export function checkEcsRoles(
  current: CurrentEcsTaskDefinition,
  roles: { executionRoleArn: string; taskRoleArn: string },
): void {
  for (const [key, configured, actual] of [
    ['executionRoleArn', roles.executionRoleArn, current.executionRoleArn],
    ['taskRoleArn', roles.taskRoleArn, current.taskRoleArn],
  ] as const) {
    if (configured !== actual) {
      throw new RenderError(
        `targets.ecs.${key} is ${configured} but the service's task definition ${current.arn} uses ${actual ?? 'none'}: ` +
          `set targets.ecs.${key} to ${actual ?? 'the role the tasks run with'} (the policies this target adds go onto that role)`,
      );
    }
  }
}
