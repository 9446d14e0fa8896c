// Pulumi entry point: load config -> database components -> ToolJet targets -> post-deploy validation -> outputs.
// Pulumi calls the exported function and turns the object it resolves to into stack outputs; the unit tests call
// the same function under pulumi.runtime.setMocks.
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import {
  cloneTags,
  lookupExistingSnapshot,
  lookupSourceInstance,
  parameterGroupTags,
  PostgresParameterGroup,
  POSTGRES16_PARAMETERS,
  selectActiveDatabase,
  SourceSnapshot,
  snapshotTags,
  UpgradedClone,
} from './components/database';
import { deployTargets, TargetOutputs } from './components/targets';
import { PostDeployValidation } from './components/validation';
import { loadStackConfig } from './config';

interface StackOutputs extends TargetOutputs {
  environment: string;
  sourceIdentifier: string;
  sourceEndpoint: string;
  sourceEngineVersion: string;
  snapshotIdentifier: pulumi.Output<string>;
  cloneIdentifier: pulumi.Output<string>;
  cloneEndpoint: pulumi.Output<string>;
  cloneAddress: pulumi.Output<string>;
  clonePort: pulumi.Output<number>;
  cloneEngineVersion: pulumi.Output<string>;
  cloneParameterGroupName: pulumi.Output<string>;
  activeDatabase: string;
  activeDatabaseIdentifier: pulumi.Output<string>;
  activeDatabaseEndpoint: pulumi.Output<string>;
  activeDatabaseAddress: pulumi.Output<string>;
  activeDatabasePort: pulumi.Output<number>;
  /** `enabled` (runs inside pulumi up) or `skipped` (validation.enabled: false). */
  postDeployValidation: 'enabled' | 'skipped';
}

async function main(): Promise<StackOutputs> {
  const config = loadStackConfig({ baseDir: __dirname });
  const production = config.environment === 'production';
  const common = { sourceIdentifier: config.source.identifier, environment: config.environment, userTags: config.tags };

  // Read-only lookups (they also run during preview): the source must be an encrypted PostgreSQL 13 instance.
  const source = await lookupSourceInstance(config.source.identifier, { requireEncrypted: config.snapshot.mode === 'create' });

  const snapshot =
    config.snapshot.mode === 'create'
      ? new SourceSnapshot('source-snapshot', {
          mode: 'create',
          sourceIdentifier: source.identifier,
          snapshotIdentifier: config.snapshot.identifier,
          createTimeout: config.snapshot.createTimeout,
          production,
          tags: snapshotTags({ ...common, snapshotIdentifier: config.snapshot.identifier }),
        })
      : new SourceSnapshot('source-snapshot', {
          mode: 'existing',
          existing: await lookupExistingSnapshot(config.snapshot.identifier, source.identifier),
        });

  const parameterGroup = new PostgresParameterGroup('clone-parameters', {
    groupName: config.clone.parameterGroupName,
    family: 'postgres16',
    parameters: POSTGRES16_PARAMETERS,
    production,
    tags: parameterGroupTags({ ...common, parameterGroupName: config.clone.parameterGroupName }),
  });

  const c = config.clone;
  const awsCli = { ...(aws.config.region && { region: aws.config.region }), ...(aws.config.profile && { profile: aws.config.profile }) };
  const clone = new UpgradedClone('clone', {
    identifier: c.identifier,
    snapshotIdentifier: snapshot.identifier,
    instanceClass: c.instanceClass,
    engineVersion: c.engineVersion,
    parameterGroupName: parameterGroup.name,
    caCertIdentifier: c.caCertIdentifier,
    port: config.database.port,
    ...(c.availabilityZone !== undefined && { availabilityZone: c.availabilityZone }),
    // Unset: the source's network, so the clone is as private and as reachable as the source.
    ...((c.dbSubnetGroupName ?? source.dbSubnetGroup) !== undefined && { dbSubnetGroupName: c.dbSubnetGroupName ?? source.dbSubnetGroup }),
    vpcSecurityGroupIds: [...(c.vpcSecurityGroupIds ?? source.vpcSecurityGroups)],
    multiAz: c.multiAz ?? (production ? source.multiAz : false),
    ...(c.backupRetentionPeriod !== undefined && { backupRetentionPeriod: c.backupRetentionPeriod }),
    production,
    ...(c.finalSnapshotIdentifier !== undefined && { finalSnapshotIdentifier: c.finalSnapshotIdentifier }),
    timeouts: c.timeouts,
    tags: cloneTags({ ...common, cloneIdentifier: c.identifier, snapshotIdentifier: config.snapshot.identifier }),
    cli: awsCli,
  });

  const active = selectActiveDatabase(config.activeDatabase, clone, source);

  // ToolJet, on each configured target, pointed at the active database over verified TLS.
  const targets = deployTargets(config.targets, {
    database: {
      host: active.address,
      port: active.port,
      user: config.database.username,
      database: config.database.name,
      tooljetDatabase: config.database.tooljetDbName,
    },
    caBundle: config.caBundle,
    dbPassword: config.dbPassword,
    appSecrets: config.appSecretValues,
    environment: config.environment,
    stack: config.stack,
    userTags: config.tags,
    cli: awsCli,
    production,
  });

  // Prove nothing was lost: the source against the clone, once the clone and every target are in place.
  if (config.validation.enabled) {
    new PostDeployValidation('post-deploy', {
      settings: config.validation,
      source: { address: source.address, port: source.port },
      clone: { address: clone.address, port: clone.port, engineVersion: clone.engineVersion, resourceId: clone.instance.resourceId },
      expectVersion: c.engineVersion,
      user: config.database.username,
      database: config.database.name,
      tooljetDatabase: config.database.tooljetDbName,
      password: config.dbPassword,
      caBundle: config.caBundle,
      projectDir: __dirname,
      dependsOn: [clone, ...targets.all],
    });
  }

  return {
    environment: config.environment,
    sourceIdentifier: source.identifier,
    sourceEndpoint: source.endpoint,
    sourceEngineVersion: source.engineVersion,
    snapshotIdentifier: snapshot.identifier,
    cloneIdentifier: clone.identifier,
    cloneEndpoint: clone.endpoint,
    cloneAddress: clone.address,
    clonePort: clone.port,
    cloneEngineVersion: clone.engineVersion,
    cloneParameterGroupName: clone.parameterGroupName,
    activeDatabase: active.kind,
    activeDatabaseIdentifier: active.identifier,
    activeDatabaseEndpoint: active.endpoint,
    activeDatabaseAddress: active.address,
    activeDatabasePort: active.port,
    ...targets.outputs,
    postDeployValidation: config.validation.enabled ? 'enabled' : 'skipped',
  };
}

export = main;
