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
   * When set, RegisterTaskDefinition answers with container environment entries whose value is "" left out (public
   * reports disagree whether ECS does that); the TaskDefinition's `containerDefinitions` output is then that answer.
   */
  dropsEmptyEnvironmentValues?: boolean;
}

export interface FakeAws {
  region: string;
  account: string;
  instances: Record<string, FakeInstance>;
  snapshots: Record<string, FakeSnapshot>;
  ecs: FakeEcs;
  /** When set, the AWS CLI behind command:local:run fails with this message (no CLI, no permission, ...). */
  cliError?: string;
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
  /** The provider reference the resource was registered with ('' for the default provider). */
  provider: string;
  /** The `additionalSecretOutputs` resource option. */
  additionalSecretOutputs: string[];
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
          stdout = `clone=${env.TJ_CLONE_ID} engine=${env.TJ_ENGINE_VERSION} parameterGroup=${env.TJ_PARAMETER_GROUP} parameterApplyStatus=in-sync`;
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
        if (aws.ecs.dropsEmptyEnvironmentValues && typeof inputs.containerDefinitions === 'string') {
          const defs = JSON.parse(inputs.containerDefinitions) as Array<{ environment?: Array<{ value?: string }> }>;
          for (const d of defs) if (d.environment) d.environment = d.environment.filter((e) => e.value !== '');
          state.containerDefinitions = JSON.stringify(defs);
        }
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
      case 'aws:s3/bucketObjectv2:BucketObjectv2':
        id = String(inputs.key);
        // A versioned bucket: the version id follows the content.
        state = {
          ...inputs,
          versionId: `ver-${hex(String(inputs.content), 16)}`,
          etag: hex(String(inputs.content), 32),
        };
        break;
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
      provider: req.getProvider(),
      additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
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
  getProvider(): string;
  getAdditionalsecretoutputsList(): string[];
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
