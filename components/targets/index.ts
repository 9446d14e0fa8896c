// The ToolJet targets concern: one component per configured target kind, all pointed at the active database with the
// RDS CA bundle wired in, and the secret-free stack outputs an operator needs.
import * as pulumi from '@pulumi/pulumi';
import type { LoadedStackConfig } from '../../config/load';
import type { TargetConfigs } from '../../config/targets/types';
import { AmiTarget } from './ami';
import { DatabaseInputs, TargetStackArgs } from './common';
import { DockerTarget } from './docker';
import { EcsTarget } from './ecs';
import { EksTarget } from './eks';

export * from './ami';
export * from './ca-bundle-object';
export * from './common';
export * from './docker';
export * from './docker-write';
export * from './ecs';
export * from './eks';
export * from './scripts';

/** Stack outputs of the targets (only those of configured targets are set). None holds a secret. */
export interface TargetOutputs {
  dockerEnvFile?: string;
  dockerComposeOverrideFile?: string;
  dockerCaBundleFile?: string;
  ecsTaskDefinitionArn?: pulumi.Output<string>;
  ecsTaskDefinitionRevision?: pulumi.Output<number>;
  ecsService?: string;
  ecsCaBundleObject?: string;
  /** Only with targets.ecs.updateService false: the command that deploys the revision. */
  ecsDeployCommand?: pulumi.Output<string>;
  eksNamespace?: string;
  eksSecret?: string;
  eksConfigMap?: string;
  eksPatchedDeployments?: string[];
  amiLaunchTemplateId?: string;
  amiLaunchTemplateVersion?: pulumi.Output<number>;
  amiCaBundleSource?: string;
}

export interface DeployedTargets {
  docker?: DockerTarget;
  ecs?: EcsTarget;
  eks?: EksTarget;
  ami?: AmiTarget;
  /** Every target component (what the post-deploy validation waits for). */
  all: pulumi.ComponentResource[];
  outputs: TargetOutputs;
}

export interface DeployTargetsOptions {
  /**
   * What every target waits for before it changes anything: the rollback report (rows on the clone counted before
   * the source takes writes again), and in the maintenance window the validation (cutover) or the stop (rollback).
   * Given to each component; its resources are its children and are registered only after it.
   */
  dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** Creates the component of every configured target. */
export function deployTargets(targets: TargetConfigs, args: TargetStackArgs & { production: boolean }, options: DeployTargetsOptions = {}): DeployedTargets {
  const out: DeployedTargets = { all: [], outputs: {} };
  const o = out.outputs;
  const opts: pulumi.ComponentResourceOptions = options.dependsOn && options.dependsOn.length > 0 ? { dependsOn: options.dependsOn } : {};
  if (targets.docker) {
    const t = (out.docker = new DockerTarget('docker', { ...args, settings: targets.docker }, opts));
    o.dockerEnvFile = t.envFile;
    o.dockerComposeOverrideFile = t.overrideFile;
    o.dockerCaBundleFile = t.bundleFile;
  }
  if (targets.ecs) {
    const s = targets.ecs;
    const t = (out.ecs = new EcsTarget('ecs', { ...args, settings: s }, opts));
    o.ecsTaskDefinitionArn = t.taskDefinitionArn;
    o.ecsTaskDefinitionRevision = t.revision;
    o.ecsService = `${s.cluster}/${s.service}`;
    o.ecsCaBundleObject = t.caBundleUrl;
    if (!s.updateService) {
      o.ecsDeployCommand = t.taskDefinitionArn.apply((arn) => `aws ecs update-service --cluster ${s.cluster} --service ${s.service} --task-definition ${arn}`);
    }
  }
  if (targets.eks) {
    const s = targets.eks;
    const t = (out.eks = new EksTarget('eks', { ...args, settings: s }, opts));
    o.eksNamespace = s.namespace;
    o.eksSecret = s.secretName;
    o.eksConfigMap = s.configMapName;
    o.eksPatchedDeployments = t.patchedDeployments;
  }
  if (targets.ami) {
    const t = (out.ami = new AmiTarget('ami', { ...args, settings: targets.ami }, opts));
    o.amiLaunchTemplateId = targets.ami.launchTemplateId;
    o.amiLaunchTemplateVersion = t.version;
    o.amiCaBundleSource = t.caBundleSource;
  }
  out.all = [out.docker, out.ecs, out.eks, out.ami].filter((c): c is NonNullable<typeof c> => c !== undefined);
  return out;
}

/**
 * Every configured target of the stack, pointed at `endpoint` (the clone, the source or a restored instance: the
 * only thing callers choose) with the stack's database names, CA bundle, secrets and tags.
 */
export function deployStackTargets(
  config: LoadedStackConfig,
  endpoint: Pick<DatabaseInputs, 'host' | 'port'>,
  cli: TargetStackArgs['cli'],
  options: DeployTargetsOptions = {},
): DeployedTargets {
  const db = config.database;
  return deployTargets(
    config.targets,
    {
      database: { host: endpoint.host, port: endpoint.port, user: db.username, database: db.name, tooljetDatabase: db.tooljetDbName },
      caBundle: config.caBundle,
      dbPassword: config.dbPassword,
      appSecrets: config.appSecretValues,
      environment: config.environment,
      stack: config.stack,
      userTags: config.tags,
      cli,
      production: config.environment === 'production',
    },
    options,
  );
}
