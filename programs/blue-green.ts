// The resource graph of strategy blue-green, built from the plan (plan/): look the source up, refuse when a
// prerequisite is missing, import (phase import) or upgrade it (phase upgrade), monitor it. The clone strategy's
// resources are never declared here.
import * as pulumi from '@pulumi/pulumi';
import { lookupBlueGreenSource } from '../bluegreen/facts';
import { mirrorSourceInstance } from '../bluegreen/mirror';
import { checkBlueGreenPrerequisites } from '../bluegreen/prerequisites';
import { BlueGreenUpgrade } from '../bluegreen/upgrade';
import type { LoadedStackConfig } from '../config/load';
import { DEFAULTS } from '../config/types';
import { parameterGroupTags, snapshotTags } from '../database/tags';
import { caFileForCommand, commandDatabaseUrl } from '../lib/commands';
import type { BlueGreenPlan } from '../plan';
import { deployStackTargets } from '../targets/deploy';
import {
  commonOutputs,
  CommonOutputs,
  declareMonitoring,
  exportedLogGroup,
  logPlan,
  ProgramContext,
  tagBase,
} from './shared';

export interface BlueGreenOutputs extends CommonOutputs {
  strategy: 'blue-green';
  blueGreenPhase: string;
  /** What the stack's instance reports after this run. */
  engineVersion: pulumi.Output<string>;
  targetEngineVersion: string;
  snapshotIdentifier?: pulumi.Output<string>;
  parameterGroupName?: pulumi.Output<string>;
}

export async function blueGreenProgram(
  config: LoadedStackConfig,
  plan: BlueGreenPlan,
  ctx: ProgramContext,
): Promise<BlueGreenOutputs> {
  const bg = config.blueGreen!;
  const common = tagBase(config);

  const source = await lookupBlueGreenSource(config.source.identifier, ctx.cli);
  const problems = checkBlueGreenPrerequisites(source, { phase: plan.phase, targetVersion: plan.targetVersion });
  if (problems.length > 0) throw new pulumi.RunError(problems.join('\n'));
  logPlan(plan.log);

  // ToolJet on every configured target, pointed at the source's endpoint (which the switchover keeps: the green takes
  // the source's identifier) with PGSSLMODE=verify-full and the RDS CA bundle. In phase upgrade the blue/green update
  // waits for them: the green 16.9 has rds.force_ssl=1, so ToolJet must speak verified TLS before the switchover.
  const targets = deployStackTargets(config, { host: source.address, port: source.port }, ctx.cli);

  const caFile = caFileForCommand(ctx.projectDir, config.caBundle.path);
  const db = config.database;
  const upgrade = new BlueGreenUpgrade('blue-green', {
    phase: plan.phase,
    mirror: mirrorSourceInstance(source),
    targetEngineVersion: plan.targetVersion,
    parameterGroupName: bg.parameterGroupName,
    snapshotIdentifier: config.snapshot.identifier,
    // (config/aftercare.ts refuses snapshot.mode existing with this strategy; the default stands in for the type.)
    snapshotCreateTimeoutSeconds:
      config.snapshot.mode === 'create' ? config.snapshot.createTimeoutSeconds : DEFAULTS.snapshotCreateTimeoutSeconds,
    updateTimeoutSeconds: bg.updateTimeoutSeconds,
    production: plan.production,
    databaseUrl: commandDatabaseUrl({
      host: source.address,
      port: source.port,
      user: db.username,
      database: db.name,
      caFile,
    }),
    tooljetDb: db.tooljetDbName,
    password: config.dbPassword,
    snapshotTags: snapshotTags({
      ...common,
      snapshotIdentifier: config.snapshot.identifier,
      deleteAfter: config.cleanup.snapshotDeleteAfter,
    }),
    parameterGroupTags: parameterGroupTags({ ...common, parameterGroupName: bg.parameterGroupName }),
    after: targets.all,
  });

  const monitoring = declareMonitoring(
    config,
    plan.monitoring,
    {
      source: {
        identifier: source.identifier,
        engine: plan.upgrade
          ? `PostgreSQL ${plan.targetVersion} after the switchover`
          : `PostgreSQL ${source.engineVersion}`,
        ...exportedLogGroup(source.identifier, source.enabledCloudwatchLogsExports),
      },
    },
    source.allocatedStorage,
  );

  return {
    // The endpoint does not move: the switchover renames the green instance to the source's identifier.
    ...commonOutputs({
      config,
      source,
      active: {
        kind: plan.activeDatabase,
        identifier: source.identifier,
        endpoint: source.endpoint,
        address: source.address,
        port: source.port,
      },
      monitoring,
      targets,
    }),
    strategy: 'blue-green',
    blueGreenPhase: plan.phase,
    engineVersion: upgrade.engineVersion,
    targetEngineVersion: plan.targetVersion,
    ...(upgrade.snapshot && { snapshotIdentifier: upgrade.snapshot.identifier }),
    ...(upgrade.parameterGroup && { parameterGroupName: upgrade.parameterGroup.name }),
  };
}
