// What every strategy's program shares: where it runs (the project directory, the AWS CLI's region and profile), the
// tags' common part, logging the plan, the monitoring wiring (the dashboard charts the plan's instances, the alarms
// watch its active database) and the stack outputs every strategy exports.
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { stackNamePart } from '../config/aftercare';
import type { LoadedStackConfig } from '../config/load';
import type { ActiveDatabase } from '../config/types';
import { monitoringTags } from '../database/tags';
import type { ReplicationAlarmInstance } from '../monitoring/alarms';
import { DatabaseMonitoring, MonitoredInstance } from '../monitoring/component';
import { postgresLogGroupName } from '../monitoring/log-filter';
import type { MonitoringPlan, PlanLog } from '../plan';
import type { DeployedTargets, TargetOutputs } from '../targets/deploy';

export interface ProgramContext {
  /** The project directory: the program's commands run there, and the CA bundle path is given relative to it. */
  readonly projectDir: string;
  /** aws:region / aws:profile, so the AWS CLI in commands reaches the provider's account and region. */
  readonly cli: { readonly region?: string; readonly profile?: string };
}

/** The context of a program run from `projectDir` (index.ts passes its own directory). */
export function programContext(projectDir: string): ProgramContext {
  return {
    projectDir,
    cli: {
      ...(aws.config.region && { region: aws.config.region }),
      ...(aws.config.profile && { profile: aws.config.profile }),
    },
  };
}

/** What database/tags.ts puts on every resource: the source, the environment and the user's tags. */
export function tagBase(config: Pick<LoadedStackConfig, 'source' | 'environment' | 'tags'>) {
  return { sourceIdentifier: config.source.identifier, environment: config.environment, userTags: config.tags };
}

/** Logs the plan at start: the estimate (info) and each warning, before anything is declared. */
export function logPlan(log: PlanLog): void {
  if (log.estimate !== undefined) pulumi.log.info(log.estimate);
  for (const warning of log.warnings) pulumi.log.warn(warning);
}

/** The PostgreSQL log group of an instance that exports its log to CloudWatch Logs (this program never enables it). */
export function exportedLogGroup(identifier: string, logExports: readonly string[]): { logGroupName?: string } {
  return logExports.includes('postgresql') ? { logGroupName: postgresLogGroupName(identifier) } : {};
}

/** The instances the program knows, by the role the plan names them with. */
export type MonitoredInstances = Partial<Record<ActiveDatabase, Omit<MonitoredInstance, 'role'>>>;

/**
 * Alarms on the plan's active database, an SNS topic and the dashboard of the plan's instances (in its order), when
 * monitoring is enabled. `allocatedStorageGiB`: the source's (a clone or a restored instance has the same).
 * `replication`: strategy replication's alarms on both ends of the replication.
 */
export function declareMonitoring(
  config: Pick<LoadedStackConfig, 'project' | 'stack' | 'monitoring' | 'source' | 'environment' | 'tags'>,
  plan: MonitoringPlan,
  instances: MonitoredInstances,
  allocatedStorageGiB: number,
  replication?: readonly ReplicationAlarmInstance[],
): DatabaseMonitoring | undefined {
  if (!plan.enabled) return undefined;
  const known = (role: ActiveDatabase) => {
    const instance = instances[role];
    if (!instance) throw new Error(`monitoring: the plan names the ${role} instance, but the program has none`);
    return instance;
  };
  const namePrefix = stackNamePart(config.project, config.stack);
  return new DatabaseMonitoring('monitoring', {
    namePrefix,
    region: aws.config.region ?? '',
    instances: plan.instances.map((role) => ({ role, ...known(role) })),
    active: known(plan.active).identifier,
    allocatedStorageGiB,
    alarmEmails: config.monitoring.alarmEmails,
    alarms: config.monitoring.alarms,
    ...(replication && { replication }),
    tags: monitoringTags({ ...tagBase(config), name: namePrefix }),
  });
}

/** The stack outputs every strategy exports (none holds a secret). */
export interface CommonOutputs extends TargetOutputs {
  environment: string;
  sourceIdentifier: string;
  sourceEndpoint: string;
  /** As looked up at the start of this run. */
  sourceEngineVersion: string;
  activeDatabase: ActiveDatabase;
  activeDatabaseIdentifier: pulumi.Input<string>;
  activeDatabaseEndpoint: pulumi.Input<string>;
  activeDatabaseAddress: pulumi.Input<string>;
  activeDatabasePort: pulumi.Input<number>;
  alarmTopicArn?: pulumi.Output<string>;
  dashboardName?: pulumi.Output<string>;
}

/** The database ToolJet is pointed at, as the outputs name it. */
export interface ActiveEndpoint {
  readonly kind: ActiveDatabase;
  readonly identifier: pulumi.Input<string>;
  readonly endpoint: pulumi.Input<string>;
  readonly address: pulumi.Input<string>;
  readonly port: pulumi.Input<number>;
}

export function commonOutputs(args: {
  config: Pick<LoadedStackConfig, 'environment'>;
  source: { readonly identifier: string; readonly endpoint: string; readonly engineVersion: string };
  active: ActiveEndpoint;
  monitoring: DatabaseMonitoring | undefined;
  targets: DeployedTargets;
}): CommonOutputs {
  const { source, active, monitoring } = args;
  return {
    environment: args.config.environment,
    sourceIdentifier: source.identifier,
    sourceEndpoint: source.endpoint,
    sourceEngineVersion: source.engineVersion,
    activeDatabase: active.kind,
    activeDatabaseIdentifier: active.identifier,
    activeDatabaseEndpoint: active.endpoint,
    activeDatabaseAddress: active.address,
    activeDatabasePort: active.port,
    ...(monitoring && { alarmTopicArn: monitoring.topicArn, dashboardName: monitoring.dashboardName }),
    ...args.targets.outputs,
  };
}
