// The one shared Pulumi mocks helper. Pulumi mocks stand in for AWS (and Kubernetes) only: a small fake "AWS world"
// answers the program's invokes (aws.rds.getInstance / getSnapshot) and fills in the outputs AWS would compute.
// Besides inputs, it records what the engine would receive for every resource (protect, retainOnDelete,
// ignoreChanges, customTimeouts, dependencies, parent), read from the RegisterResourceRequest itself, because
// Mocks.newResource only sees type, name and inputs.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as pulumi from '@pulumi/pulumi';

export interface FakeInstance {
  dbInstanceIdentifier: string;
  engine: string;
  engineVersion: string;
  storageEncrypted: boolean;
  multiAz: boolean;
  port: number;
  dbSubnetGroup: string;
  vpcSecurityGroups: string[];
  dbClusterIdentifier: string;
  allocatedStorage: number;
  enabledCloudwatchLogsExports: string[];
  // What strategy blue-green reads and mirrors (getInstance fields).
  dbInstanceClass: string;
  backupRetentionPeriod: number;
  dbParameterGroups: string[];
  replicateSourceDb: string;
  masterUserSecrets: { secretArn: string }[];
  autoMinorVersionUpgrade: boolean;
  publiclyAccessible: boolean;
  monitoringInterval: number;
  maxAllocatedStorage: number;
  tags: Record<string, string>;
  // ... and what only the RDS API (describe-source.sh) returns.
  readReplicas: string[];
  parameterApplyStatus: string;
  /** rds.logical_replication in dbParameterGroups[0]; undefined: not listed. */
  logicalReplication: string | undefined;
  deletionProtection: boolean;
  copyTagsToSnapshot: boolean;
  iamDatabaseAuthenticationEnabled: boolean;
  performanceInsightsEnabled: boolean;
  /** The RDS CA of its server certificate (getInstance caCertIdentifier). */
  caCertIdentifier: string;
}

export interface FakeSnapshot {
  dbSnapshotIdentifier: string;
  dbInstanceIdentifier: string;
  engine: string;
  engineVersion: string;
  encrypted: boolean;
  status: string;
  snapshotType: string;
  /** RFC 3339 ('' while being created). */
  snapshotCreateTime: string;
}

/** The ECS side of the fake world: what aws.ecs.getCluster / getService / getTaskDefinition answer. */
export interface FakeEcs {
  /** cluster name -> ARN */
  clusters: Record<string, string>;
  /** `<cluster ARN>/<service name>` -> the task definition ARN the service runs */
  services: Record<string, string>;
  /** task definition ARN -> the data source's result (see ecsLookupFixture) */
  taskDefinitions: Record<string, Record<string, unknown>>;
  /**
   * `<cluster ARN>/<service name>` -> its deployment controller type; absent: the service was created without one, and
   * getService answers `deploymentControllers: []` (ECS's default, rolling update).
   */
  deploymentControllers?: Record<string, string>;
}

/**
 * The Kubernetes side of the fake world: the live objects of ToolJet's Helm release as the API server returns them
 * (`Kind/namespace/name` -> object). A Patch is applied to them with server-side apply and answers with the whole live
 * object, as pulumi-kubernetes does (it checkpoints the live object: issue 12 item 4).
 */
export interface FakeKubernetes {
  objects: Record<string, Record<string, any>>;
}

/** The secrets the chart's live objects hold by default (distinctive, to search state for). */
export const CHART_SECRETS = {
  pgPassword: 'chart-pg-pass-5e1f0c9a7b',
  pgrstJwtSecret: 'chart-jwt-2b8d4e6f1a3c5d7e9f0a1b2c3d4e5f60',
  lockboxMasterKey: '6c'.repeat(32),
  secretKeyBase: '7d'.repeat(64),
};

/**
 * The chart's Deployments tooljet and tooljet-postgrest and Secret tooljet-server in namespace tooljet
 * (fixtures/tooljet-chart-live.json), holding `values`: the passwords in plain env[].value, as the chart renders them.
 */
export function fakeKubernetes(values: typeof CHART_SECRETS = CHART_SECRETS): FakeKubernetes {
  const b64 = (v: string) => Buffer.from(v, 'utf8').toString('base64');
  const fill: Record<string, string> = {
    PG_PASS: values.pgPassword,
    PGRST_JWT_SECRET: values.pgrstJwtSecret,
    PG_PASS_B64: b64(values.pgPassword),
    PGRST_JWT_SECRET_B64: b64(values.pgrstJwtSecret),
    LOCKBOX_MASTER_KEY_B64: b64(values.lockboxMasterKey),
    SECRET_KEY_BASE_B64: b64(values.secretKeyBase),
  };
  const text = fs
    .readFileSync(path.join(__dirname, 'fixtures', 'tooljet-chart-live.json'), 'utf8')
    .replace(/\{\{([A-Z_0-9]+)\}\}/g, (_, k: string) => JSON.stringify(fill[k]).slice(1, -1));
  const { ['//']: _comment, ...objects } = JSON.parse(text) as Record<string, Record<string, any>>;
  return { objects };
}

/** The key a list of Kubernetes objects merges on (strategic merge / server-side apply list-map keys). */
function listMapKey(items: unknown[]): string | undefined {
  for (const key of ['name', 'mountPath', 'containerPort']) {
    if (items.length > 0 && items.every((i) => typeof i === 'object' && i !== null && key in i)) return key;
  }
  return undefined;
}

/**
 * Server-side apply of `patch` onto `live` by a field manager that forces conflicts (pulumi.com/patchForce): maps merge
 * by field, list-maps (containers, env, volumes by name; volumeMounts by mountPath) by their key, anything else is
 * replaced. Returns the new live object.
 */
export function serverSideApply(live: unknown, patch: unknown): any {
  if (Array.isArray(patch)) {
    const key = listMapKey([...patch, ...(Array.isArray(live) ? live : [])]);
    if (!key || !Array.isArray(live)) return structuredClone(patch);
    const out = structuredClone(live) as Array<Record<string, unknown>>;
    for (const p of patch as Array<Record<string, unknown>>) {
      const i = out.findIndex((x) => x[key] === p[key]);
      if (i >= 0) out[i] = serverSideApply(out[i], p);
      else out.push(structuredClone(p));
    }
    return out;
  }
  if (typeof patch === 'object' && patch !== null) {
    const base = typeof live === 'object' && live !== null && !Array.isArray(live) ? live : {};
    const out: Record<string, unknown> = structuredClone(base) as Record<string, unknown>;
    for (const [k, v] of Object.entries(patch)) {
      if (v !== undefined) out[k] = serverSideApply((base as Record<string, unknown>)[k], v);
    }
    return out;
  }
  return patch;
}

/**
 * What deleting a pulumi-kubernetes Patch does to the live object when it is not retained: its field manager applies
 * an empty object, so every field it owns goes (pulumi-kubernetes RFC #2011 item 7; #2104: the Deployment then fails
 * validation or loses its settings; #2149: "this Patch resource is currently managing a required field, so it can't be
 * deleted directly. Either set the 'retainOnDelete' resource option, or transfer ownership of the field before
 * deleting"). With patchForce the manager owns every field it set, including values it took over from Helm: those are
 * removed too (a list-map element the object had before keeps only its key; one the patch added is removed).
 */
export function relinquishPatch(before: unknown, live: unknown, patch: unknown, listKey?: string): any {
  if (Array.isArray(patch) && Array.isArray(live)) {
    const key = listMapKey([...patch, ...live]);
    if (!key) return undefined;
    let out = structuredClone(live) as Array<Record<string, unknown>>;
    const old = Array.isArray(before) ? (before as Array<Record<string, unknown>>) : [];
    for (const p of patch as Array<Record<string, unknown>>) {
      const i = out.findIndex((x) => x[key] === p[key]);
      if (i < 0) continue;
      const was = old.find((x) => x[key] === p[key]);
      if (was) out[i] = relinquishPatch(was, out[i], p, key);
      else out = out.filter((_, j) => j !== i);
    }
    return out;
  }
  if (typeof patch === 'object' && patch !== null && typeof live === 'object' && live !== null) {
    const out = structuredClone(live) as Record<string, unknown>;
    const old = (typeof before === 'object' && before !== null ? before : {}) as Record<string, unknown>;
    for (const [k, v] of Object.entries(patch)) {
      if (k === listKey) continue;
      const r = relinquishPatch(old[k], out[k], v);
      if (r === undefined || (typeof r === 'object' && r !== null && Object.keys(r).length === 0 && !(k in old)))
        delete out[k];
      else out[k] = r;
    }
    return out;
  }
  return undefined;
}

export interface FakeAws {
  region: string;
  account: string;
  instances: Record<string, FakeInstance>;
  snapshots: Record<string, FakeSnapshot>;
  ecs: FakeEcs;
  /**
   * Buckets whose default encryption is SSE-KMS, with the key (bucket name -> key ARN). Every other bucket encrypts new
   * objects with SSE-S3 ("AES256"), S3's default for every bucket since January 2023.
   */
  bucketKmsKeys?: Record<string, string>;
  kubernetes: FakeKubernetes;
  /** When set, the AWS CLI behind command:local:run fails with this message (no CLI, no permission, ...). */
  cliError?: string;
  /** The region's default RDS CA: what an instance restored from a snapshot through the provider comes up on. */
  defaultCaCertIdentifier: string;
}

export function fakeInstance(id: string, overrides: Partial<FakeInstance> = {}): FakeInstance {
  return {
    dbInstanceIdentifier: id,
    engine: 'postgres',
    engineVersion: '13.20',
    storageEncrypted: true,
    multiAz: true,
    port: 5432,
    dbSubnetGroup: 'tooljet-private-db',
    vpcSecurityGroups: ['sg-0aaaaaaaaaaaaaaa1'],
    dbClusterIdentifier: '',
    allocatedStorage: 100,
    enabledCloudwatchLogsExports: [],
    dbInstanceClass: 'db.m6g.large',
    backupRetentionPeriod: 7,
    dbParameterGroups: ['tooljet-prod-postgres13'],
    replicateSourceDb: '',
    masterUserSecrets: [],
    autoMinorVersionUpgrade: true,
    publiclyAccessible: false,
    monitoringInterval: 0,
    maxAllocatedStorage: 0,
    tags: { team: 'platform' },
    readReplicas: [],
    parameterApplyStatus: 'in-sync',
    logicalReplication: '1',
    deletionProtection: true,
    copyTagsToSnapshot: true,
    iamDatabaseAuthenticationEnabled: false,
    performanceInsightsEnabled: false,
    caCertIdentifier: 'rds-ca-rsa2048-g1',
    ...overrides,
  };
}

export function fakeSnapshot(id: string, instance: string, overrides: Partial<FakeSnapshot> = {}): FakeSnapshot {
  return {
    dbSnapshotIdentifier: id,
    dbInstanceIdentifier: instance,
    engine: 'postgres',
    engineVersion: '13.20',
    encrypted: true,
    status: 'available',
    snapshotType: 'manual',
    snapshotCreateTime: '2026-06-01T10:00:00Z',
    ...overrides,
  };
}

/** The ToolJet services of both example stacks (clusters tooljet and tooljet-prod), running the fixture definition. */
export function fakeEcs(lookup: Record<string, unknown> & { arn: string } = ecsLookupFixture()): FakeEcs {
  const clusters = {
    tooljet: 'arn:aws:ecs:us-east-1:123456789012:cluster/tooljet',
    'tooljet-prod': 'arn:aws:ecs:us-east-1:123456789012:cluster/tooljet-prod',
  };
  return {
    clusters,
    services: Object.fromEntries(Object.values(clusters).map((arn) => [`${arn}/tooljet`, lookup.arn])),
    taskDefinitions: { [lookup.arn]: lookup },
  };
}

/** The default world: the placeholder source of both example stacks, a PostgreSQL 13.20 instance. */
export function fakeAws(overrides: Partial<FakeAws> = {}): FakeAws {
  return {
    region: 'us-east-1',
    account: '123456789012',
    instances: { 'tooljet-prod-db': fakeInstance('tooljet-prod-db') },
    snapshots: {},
    ecs: fakeEcs(),
    kubernetes: fakeKubernetes(),
    defaultCaCertIdentifier: 'rds-ca-rsa2048-g1',
    ...overrides,
  };
}

/**
 * The service's current ECS task definition as aws.ecs.getTaskDefinition returns it (containerDefinitions as JSON
 * text): a realistic ToolJet definition with settings the target must keep (tests/helpers/fixtures/). The second
 * fixture loads its variables from S3 environment files (ToolJet, PostgREST sidecar and a worker), enables fault
 * injection and has an S3 Files volume.
 */
export function ecsLookupFixture(
  file: 'ecs-task-definition.json' | 'ecs-task-definition-env-files.json' = 'ecs-task-definition.json',
): Record<string, unknown> & { arn: string; family: string; containerDefinitions: string } {
  const raw = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', file), 'utf8')) as Record<string, unknown> & {
    arn: string;
    family: string;
  };
  return { ...raw, containerDefinitions: JSON.stringify(raw.containerDefinitions) };
}

/**
 * What RegisterTaskDefinition keeps of the container definitions sent: ECS drops every environment entry whose value is
 * empty ("" or no value at all). terraform-provider-aws#39533 and pulumi-aws#4576 (the registered definition lacks
 * them, so the provider shows a diff on every run); aws-actions/amazon-ecs-deploy-task-definition#216/#224: "ECS removes
 * the complete object with no value field from the environment array". The TaskDefinition's `containerDefinitions`
 * output is this answer, as the provider reads it back with DescribeTaskDefinition.
 */
export function registeredContainerDefinitions(sent: string): string {
  const defs = JSON.parse(sent) as Array<{ environment?: Array<{ value?: unknown }> }>;
  for (const d of defs) {
    if (Array.isArray(d.environment))
      d.environment = d.environment.filter((e) => typeof e.value === 'string' && e.value !== '');
  }
  return JSON.stringify(defs);
}

export const FAKE_LAUNCH_TEMPLATE_VERSION = 8;
export const FAKE_TASK_DEFINITION_REVISION = 12;
/** When the fake maintenance-window stop commands report ToolJet stopped. */
export const FAKE_STOPPED_AT = '2026-07-01T22:00:05Z';

export interface ResourceOptionsSeen {
  parent: string;
  protect: boolean;
  retainOnDelete: boolean;
  deleteBeforeReplace: boolean;
  ignoreChanges: string[];
  customTimeouts: { create: string; update: string; delete: string };
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
  /** The `import` resource option (empty when not importing). */
  importId: string;
  /** Top-level inputs that were sent as (or contain) Pulumi secrets. */
  secretInputs: string[];
  /** The `additionalSecretOutputs` resource option: outputs the engine stores as secrets whatever the provider says. */
  additionalSecretOutputs: string[];
  /** The provider reference the resource was registered with ('' for the default provider). */
  provider: string;
}

export interface RecordedResource {
  type: string;
  name: string;
  urn: string;
  custom: boolean;
  inputs: Record<string, unknown>;
  state: Record<string, unknown>;
  options: ResourceOptionsSeen;
}

export interface RecordedInvoke {
  token: string;
  inputs: Record<string, unknown>;
}

function hex(text: string, n = 12): string {
  return crypto.createHash('sha256').update(text).digest('hex').slice(0, n);
}

function host(aws: FakeAws, id: string): string {
  return `${id}.c${hex(aws.account, 10)}.${aws.region}.rds.amazonaws.com`;
}

export class RecordingMocks implements pulumi.runtime.Mocks {
  readonly resources: RecordedResource[] = [];
  readonly invokes: RecordedInvoke[] = [];
  private readonly options = new Map<string, ResourceOptionsSeen>();

  constructor(readonly aws: FakeAws = fakeAws()) {}

  call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    this.invokes.push({ token: args.token, inputs: args.inputs });
    try {
      return this.answer(args);
    } catch (err) {
      // Like the engine's gRPC error: the SDK rethrows `details` as the invoke's error message.
      throw Object.assign(err as Error, {
        details: `invocation of ${args.token} returned an error: ${(err as Error).message}`,
      });
    }
  }

  private answer(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    const aws = this.aws;
    switch (args.token) {
      case 'aws:rds/getInstance:getInstance': {
        const i = aws.instances[args.inputs.dbInstanceIdentifier];
        if (!i) throw new Error(`DBInstanceNotFound: DBInstance ${args.inputs.dbInstanceIdentifier} not found.`);
        const address = host(aws, i.dbInstanceIdentifier);
        return {
          ...i,
          id: i.dbInstanceIdentifier,
          address,
          endpoint: `${address}:${i.port}`,
          dbInstancePort: i.port,
          dbInstanceArn: `arn:aws:rds:${aws.region}:${aws.account}:db:${i.dbInstanceIdentifier}`,
          resourceId: `db-${hex(`${i.dbInstanceIdentifier}/${i.engineVersion}`, 26).toUpperCase()}`,
        };
      }
      case 'command:local:run': {
        // Only the blue-green source description is answered (what describe-source.sh prints for the fake world).
        const env = (args.inputs.environment ?? {}) as Record<string, string>;
        if (aws.cliError) throw new Error(aws.cliError);
        const i = aws.instances[env.TJ_SOURCE_ID];
        if (!String(args.inputs.command).includes('describe-db-parameters') || !i)
          throw new Error(`unexpected command:local:run ${String(args.inputs.command).slice(0, 80)}`);
        if (env.TJ_PARAMETER_GROUP !== i.dbParameterGroups[0])
          throw new Error(`DBParameterGroupNotFound: ${env.TJ_PARAMETER_GROUP}`);
        const stdout = JSON.stringify({
          instance: {
            readReplicas: i.readReplicas,
            parameterGroups: i.dbParameterGroups.map((name) => ({ name, status: i.parameterApplyStatus })),
            deletionProtection: i.deletionProtection,
            copyTagsToSnapshot: i.copyTagsToSnapshot,
            iamDatabaseAuthenticationEnabled: i.iamDatabaseAuthenticationEnabled,
            performanceInsightsEnabled: i.performanceInsightsEnabled,
          },
          parameters:
            i.logicalReplication === undefined
              ? []
              : [{ name: 'rds.logical_replication', value: i.logicalReplication }],
        });
        return { ...args.inputs, stdout, stderr: '' };
      }
      case 'aws:ecs/getCluster:getCluster': {
        const arn = aws.ecs.clusters[String(args.inputs.clusterName)];
        if (!arn) throw new Error(`ClusterNotFoundException: Cluster not found.`);
        return { arn, id: arn, clusterName: args.inputs.clusterName, status: 'ACTIVE' };
      }
      case 'aws:ecs/getService:getService': {
        const key = `${String(args.inputs.clusterArn)}/${String(args.inputs.serviceName)}`;
        const taskDefinition = aws.ecs.services[key];
        if (!taskDefinition)
          throw new Error(
            `ServiceNotFoundException: service ${String(args.inputs.serviceName)} not found in ${String(args.inputs.clusterArn)}`,
          );
        return {
          arn: `arn:aws:ecs:${aws.region}:${aws.account}:service/${key.split('/').slice(1).join('/')}`,
          serviceName: args.inputs.serviceName,
          clusterArn: args.inputs.clusterArn,
          status: 'ACTIVE',
          taskDefinition,
          deploymentControllers: aws.ecs.deploymentControllers?.[key]
            ? [{ type: aws.ecs.deploymentControllers[key] }]
            : [],
        };
      }
      case 'aws:ecs/getTaskDefinition:getTaskDefinition': {
        const td = aws.ecs.taskDefinitions[String(args.inputs.taskDefinition)];
        if (!td)
          throw new Error(`ClientException: Unable to describe task definition ${String(args.inputs.taskDefinition)}.`);
        return { ...td, id: td.arn, taskDefinition: args.inputs.taskDefinition };
      }
      case 'aws:rds/getSnapshot:getSnapshot': {
        const requested = String(args.inputs.dbSnapshotIdentifier);
        const s = aws.snapshots[requested];
        if (!s || args.inputs.mostRecent) throw new Error(`DBSnapshotNotFound: DBSnapshot ${requested} not found.`);
        return {
          ...s,
          id: s.dbSnapshotIdentifier,
          dbSnapshotArn: requested.startsWith('arn:')
            ? requested
            : `arn:aws:rds:${aws.region}:${aws.account}:snapshot:${requested}`,
        };
      }
      case 'aws:rds/getSnapshots:getSnapshots': {
        // Only the exact-identifier filter the program uses; an absent snapshot is an empty list, not an error.
        const filters = (args.inputs.filters ?? []) as Array<{ name: string; values: string[] }>;
        const ids = filters.find((f) => f.name === 'db-snapshot-id')?.values;
        if (!ids || filters.length !== 1) throw new Error(`unexpected getSnapshots filters ${JSON.stringify(filters)}`);
        const snapshots = ids.flatMap((id) =>
          aws.snapshots[id]
            ? [{ ...aws.snapshots[id], dbSnapshotArn: `arn:aws:rds:${aws.region}:${aws.account}:snapshot:${id}` }]
            : [],
        );
        return { id: aws.region, region: aws.region, filters, snapshots };
      }
      default:
        // Anything else (e.g. command:local:run, which would run during preview) is a test failure.
        throw new Error(`unexpected invoke ${args.token}`);
    }
  }

  newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, unknown> } {
    const inputs = args.inputs as Record<string, unknown>;
    let id: string | undefined = `${args.name}-id`;
    let state: Record<string, unknown> = { ...inputs };
    const aws = this.aws;
    switch (args.type) {
      case 'aws:rds/instance:Instance': {
        const identifier = String(inputs.identifier);
        const port = Number(inputs.port ?? 5432);
        const address = host(aws, identifier);
        id = identifier;
        state = {
          ...inputs,
          address,
          port,
          endpoint: `${address}:${port}`,
          engineVersionActual: inputs.engineVersion,
          // terraform-provider-aws's restore-from-snapshot path does not send ca_cert_identifier (#33572 "not applied
          // when creating from a snapshot", #35711): the instance comes up on the region's default CA, and the
          // provider records that in the state. (An imported instance keeps its own.)
          ...(inputs.snapshotIdentifier !== undefined && { caCertIdentifier: aws.defaultCaCertIdentifier }),
          resourceId: `db-${hex(identifier, 26).toUpperCase()}`,
          arn: `arn:aws:rds:${aws.region}:${aws.account}:db:${identifier}`,
        };
        break;
      }
      case 'aws:rds/snapshot:Snapshot':
        id = String(inputs.dbSnapshotIdentifier);
        state = {
          ...inputs,
          dbSnapshotArn: `arn:aws:rds:${aws.region}:${aws.account}:snapshot:${id}`,
          status: 'available',
        };
        break;
      case 'aws:rds/parameterGroup:ParameterGroup':
        id = String(inputs.name);
        state = { ...inputs, arn: `arn:aws:rds:${aws.region}:${aws.account}:pg:${id}` };
        break;
      case 'aws:cloudwatch/logGroup:LogGroup':
        id = String(inputs.name);
        state = { ...inputs, arn: `arn:aws:logs:${aws.region}:${aws.account}:log-group:${id}` };
        break;
      case 'aws:sns/topic:Topic':
        id = `arn:aws:sns:${aws.region}:${aws.account}:${String(inputs.name)}`;
        state = { ...inputs, arn: id };
        break;
      case 'aws:cloudwatch/metricAlarm:MetricAlarm':
        id = String(inputs.name);
        state = { ...inputs, arn: `arn:aws:cloudwatch:${aws.region}:${aws.account}:alarm:${id}` };
        break;
      case 'aws:cloudwatch/dashboard:Dashboard':
        id = String(inputs.dashboardName);
        state = { ...inputs, dashboardArn: `arn:aws:cloudwatch::${aws.account}:dashboard/${id}` };
        break;
      case 'command:local:Command': {
        // What each command of the program prints on success (the real scripts are run in their own tests).
        const env = (inputs.environment ?? {}) as Record<string, string>;
        let stdout = '';
        if (env.TJ_CLONE_ID) {
          stdout = `clone=${env.TJ_CLONE_ID} engine=${env.TJ_ENGINE_VERSION} parameterGroup=${env.TJ_PARAMETER_GROUP} parameterApplyStatus=in-sync ca=${env.TJ_CA_CERT_IDENTIFIER}`;
        } else if (env.TJ_ACTION === 'stop') {
          // The maintenance window's stop (targets/<kind>/window.sh): its record and when it finished.
          stdout = `tooljet=stopped stoppedAt=${FAKE_STOPPED_AT} stoppedEpoch=${Date.parse(FAKE_STOPPED_AT) / 1000}`;
        } else if (env.TJ_ACTION === 'start') {
          stdout = `tooljet=started startedAt=${FAKE_STOPPED_AT} downtimeSeconds=0`;
        } else if (env.TJ_LAUNCH_TEMPLATE_ID) {
          stdout = `launchTemplateId=${env.TJ_LAUNCH_TEMPLATE_ID} launchTemplateVersion=${FAKE_LAUNCH_TEMPLATE_VERSION} default=${env.TJ_SET_DEFAULT_VERSION}`;
        }
        state = { ...inputs, stdout, stderr: '' };
        break;
      }
      case 'aws:ecs/taskDefinition:TaskDefinition': {
        const family = String(inputs.family);
        const arnWithoutRevision = `arn:aws:ecs:${aws.region}:${aws.account}:task-definition/${family}`;
        id = family;
        state = {
          ...inputs,
          arn: `${arnWithoutRevision}:${FAKE_TASK_DEFINITION_REVISION}`,
          arnWithoutRevision,
          revision: FAKE_TASK_DEFINITION_REVISION,
        };
        if (typeof inputs.containerDefinitions === 'string')
          state.containerDefinitions = registeredContainerDefinitions(inputs.containerDefinitions);
        break;
      }
      case 'kubernetes:apps/v1:DeploymentPatch':
      case 'kubernetes:core/v1:SecretPatch': {
        // Server-side apply onto the live object; the provider answers with (and checkpoints) the whole live object.
        const kind = args.type.endsWith('DeploymentPatch') ? 'Deployment' : 'Secret';
        const meta = plain<{ name: string; namespace?: string }>(inputs.metadata);
        const key = `${kind}/${meta.namespace ?? 'default'}/${meta.name}`;
        const live = aws.kubernetes.objects[key];
        if (!live) throw new Error(`${kind.toLowerCase()}s "${meta.name}" not found`);
        const applied = serverSideApply(
          live,
          plain({ metadata: inputs.metadata, spec: inputs.spec, data: inputs.data }),
        );
        aws.kubernetes.objects[key] = applied;
        id = `${meta.namespace ?? 'default'}/${meta.name}`;
        state = applied;
        break;
      }
      case 'aws:secretsmanager/secret:Secret': {
        const arn = `arn:aws:secretsmanager:${aws.region}:${aws.account}:secret:${String(inputs.name)}-${hex(String(inputs.name), 6)}`;
        id = arn;
        state = { ...inputs, arn };
        break;
      }
      case 'aws:secretsmanager/secretVersion:SecretVersion':
        state = { ...inputs, arn: inputs.secretId, versionId: `v-${hex(String(args.name), 8)}` };
        break;
      case 'aws:s3/bucketObjectv2:BucketObjectv2': {
        id = String(inputs.key);
        // A versioned bucket: the version id follows the content. The object is encrypted as the bucket's default
        // encryption says (S3 User Guide, "Setting default server-side encryption behavior"); the provider reads the
        // algorithm and the key ARN back (HeadObject ServerSideEncryption / SSEKMSKeyId).
        const kmsKey = aws.bucketKmsKeys?.[String(inputs.bucket)];
        state = {
          ...inputs,
          versionId: `ver-${hex(String(inputs.content), 16)}`,
          etag: hex(String(inputs.content), 32),
          serverSideEncryption: kmsKey ? 'aws:kms' : 'AES256',
          ...(kmsKey && { kmsKeyId: kmsKey }),
        };
        break;
      }
      default:
        if (args.custom) id = `${args.name}-id`;
        else id = undefined;
    }
    const key = `${args.type}::${args.name}`;
    this.resources.push({
      type: args.type,
      name: args.name,
      urn: '',
      custom: args.custom ?? true,
      inputs,
      state,
      options: this.options.get(key) ?? ({} as ResourceOptionsSeen),
    });
    return { id, state };
  }

  /** Called by the monitor wrapper with each RegisterResourceRequest, before newResource. */
  observe(req: RegisterResourceRequest): void {
    const t = req.getCustomtimeouts();
    const propertyDependencies: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((deps, prop) => {
      propertyDependencies[prop] = deps.getUrnsList();
    });
    this.options.set(`${req.getType()}::${req.getName()}`, {
      parent: req.getParent(),
      protect: req.getProtect() === true,
      retainOnDelete: req.getRetainondelete() === true,
      deleteBeforeReplace: req.getDeletebeforereplace() === true,
      ignoreChanges: req.getIgnorechangesList(),
      customTimeouts: { create: t?.getCreate() ?? '', update: t?.getUpdate() ?? '', delete: t?.getDelete() ?? '' },
      dependencies: req.getDependenciesList(),
      propertyDependencies,
      importId: req.getImportid(),
      secretInputs: Object.entries(req.getObject()?.toJavaScript() ?? {})
        .filter(([, v]) => containsSecret(v))
        .map(([k]) => k),
      additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
      provider: req.getProvider(),
    });
  }

  setUrn(type: string, name: string, urn: string): void {
    const r = this.resources.find((x) => x.type === type && x.name === name && x.urn === '');
    if (r) r.urn = urn;
  }
}

// How the SDK marks a secret on the wire (runtime/rpc specialSigKey / specialSecretSig).
const SIG_KEY = '4dabf18193072939515e22adb298388d';
const SECRET_SIG = '1b47061264138c4ac30d75fd1eb44270';

/**
 * Mocks record inputs as the engine receives them: a Pulumi secret stays wrapped as `{<sig>: <secret sig>, value}`.
 * This returns the same value with every wrapper replaced by its plain value (for assertions on the value itself).
 */
export function plain<T = unknown>(v: unknown): T {
  if (Array.isArray(v)) return v.map((x) => plain(x)) as T;
  if (typeof v !== 'object' || v === null) return v as T;
  const o = v as Record<string, unknown>;
  if (o[SIG_KEY] === SECRET_SIG) return plain(o.value);
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, plain(x)])) as T;
}

/**
 * The resource's outputs as the engine checkpoints them: `secret` are the top-level outputs it encrypts (named in
 * additionalSecretOutputs, or secret as inputs: the provider keeps an input's secretness on the output of that name),
 * `plain` everything else, in clear text in the state file.
 */
export function checkpoint(r: RecordedResource): { secret: string[]; plain: Record<string, unknown> } {
  const secret = new Set([...(r.options.additionalSecretOutputs ?? []), ...(r.options.secretInputs ?? [])]);
  for (const [k, v] of Object.entries(r.state)) if (containsSecret(v)) secret.add(k);
  return {
    secret: [...secret].sort(),
    plain: Object.fromEntries(Object.entries(r.state).filter(([k]) => !secret.has(k))),
  };
}

function containsSecret(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(containsSecret);
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  if (o[SIG_KEY] === SECRET_SIG) return true;
  return Object.values(o).some(containsSecret);
}

/** The parts of the generated protobuf request the recorder reads. */
interface RegisterResourceRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getProtect(): boolean | undefined;
  getRetainondelete(): boolean | undefined;
  getDeletebeforereplace(): boolean;
  getIgnorechangesList(): string[];
  getCustomtimeouts(): { getCreate(): string; getUpdate(): string; getDelete(): string } | undefined;
  getDependenciesList(): string[];
  getPropertydependenciesMap(): { forEach(cb: (deps: { getUrnsList(): string[] }, prop: string) => void): void };
  getImportid(): string;
  getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
  getAdditionalsecretoutputsList(): string[];
  getProvider(): string;
}

type Callback = (err: unknown, response: { getUrn?(): string } | undefined) => void;
interface MonitorLike {
  registerResource(req: RegisterResourceRequest, callback: Callback): Promise<void>;
}

// Internal module of @pulumi/pulumi 3.x: the monitor setMocks installed, and the RPC queue.
const settings = require('@pulumi/pulumi/runtime/settings') as {
  getMonitor(): MonitorLike;
  waitForRPCs(): Promise<void>;
};

/** Installs `mocks` for project/stack and records resource options. Call before running the program. */
export function installMocks(mocks: RecordingMocks, project: string, stack: string, preview: boolean): void {
  void pulumi.runtime.setMocks(mocks, project, stack, preview);
  const monitor = settings.getMonitor();
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    mocks.observe(req);
    return register(req, (err, response) => {
      if (response?.getUrn) mocks.setUrn(req.getType(), req.getName(), response.getUrn());
      callback(err, response);
    });
  };
}

/** Waits until every pending registration and invoke of the current program has finished. */
export function settle(): Promise<void> {
  return settings.waitForRPCs();
}
