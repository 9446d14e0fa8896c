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
//     this target renders into the container.
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
}

/** Variables the ToolJet container must not keep besides the unsafe ones (PostgREST runs in the sidecar). */
const STALE_IN_TOOLJET = ['PGRST_DB_URI'];

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
  const seen = new Set<string>();
  const out: ContainerDefinition[] = [];
  for (const c of containers) {
    seen.add(c.name);
    if (c.name === CA_INIT_CONTAINER) out.push(init);
    else if (c.name === opts.containerName) out.push(mergeContainer(c, tooljet, removed, STALE_IN_TOOLJET));
    else if (c.name === POSTGREST_CONTAINER)
      out.push({ ...mergeContainer(c, postgrest, removed), portMappings: postgrest.portMappings });
    else if (byName.has(c.name))
      out.push(scrub(byName.get(c.name)!, removed)); // an extra container: as configured
    else out.push(scrub(c, removed));
  }
  const addedPostgrest = !seen.has(POSTGREST_CONTAINER);
  for (const r of rendered) {
    if (seen.has(r.name)) continue;
    if (r.name === POSTGREST_CONTAINER) out.push({ ...r, image: r.image ?? ECS_DEFAULTS.postgrestImage });
    else out.push(r);
  }
  checkEnvironmentFiles(out, opts.reviewedEnvironmentFiles);
  const volumes = [...(current.volumes ?? []).filter((v) => v.name !== CA_VOLUME), { name: CA_VOLUME }];
  return { containerDefinitions: out, volumes, removed, addedPostgrest };
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
