// The resource graph of strategy blue-green (index.ts hands over to it): look the source up, refuse when a
// prerequisite is missing, import / upgrade it, monitor it. The clone strategy's resources are never declared here.
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { LoadedStackConfig } from '../config/load';
import { stackNamePart } from '../config/aftercare';
import { postgresLogGroupName } from '../monitoring';
import { caFileForCommand, commandDatabaseUrl } from '../lib/commands';
import { monitoringTags, parameterGroupTags, snapshotTags } from '../database/tags';
import { DatabaseMonitoring } from '../monitoring/component';
import { deployStackTargets, TargetOutputs } from '../targets/deploy';
import { lookupBlueGreenSource } from '../bluegreen/facts';
import { mirrorSourceInstance } from '../bluegreen/mirror';
import { BLUE_GREEN_TARGET_VERSION, checkBlueGreenPrerequisites } from '../bluegreen/prerequisites';
import { BlueGreenUpgrade } from '../bluegreen/upgrade';

export interface BlueGreenOutputs extends TargetOutputs {
  environment: string;
  strategy: 'blue-green';
  blueGreenPhase: string;
  sourceIdentifier: string;
  sourceEndpoint: string;
  /** As looked up at the start of this run (13.x before the switchover, 16.9 after). */
  sourceEngineVersion: string;
  /** What the stack's instance reports after this run. */
  engineVersion: pulumi.Output<string>;
  targetEngineVersion: string;
  snapshotIdentifier?: pulumi.Output<string>;
  parameterGroupName?: pulumi.Output<string>;
  activeDatabase: 'source';
  activeDatabaseIdentifier: string;
  activeDatabaseEndpoint: string;
  activeDatabaseAddress: string;
  activeDatabasePort: number;
  alarmTopicArn?: pulumi.Output<string>;
  dashboardName?: pulumi.Output<string>;
}

export async function deployBlueGreen(
  config: LoadedStackConfig,
  opts: { projectDir: string; cli: { region?: string; profile?: string } },
): Promise<BlueGreenOutputs> {
  const bg = config.blueGreen!;
  const production = config.environment === 'production';
  const common = { sourceIdentifier: config.source.identifier, environment: config.environment, userTags: config.tags };

  const source = await lookupBlueGreenSource(config.source.identifier, opts.cli);
  const problems = checkBlueGreenPrerequisites(source, { phase: bg.phase, targetVersion: BLUE_GREEN_TARGET_VERSION });
  if (problems.length > 0) throw new pulumi.RunError(problems.join('\n'));

  // ToolJet on every configured target, pointed at the source's endpoint (which the switchover keeps: the green takes
  // the source's identifier) with PGSSLMODE=verify-full and the RDS CA bundle. In phase upgrade the blue/green update
  // waits for them: the green 16.9 has rds.force_ssl=1, so ToolJet must speak verified TLS before the switchover.
  const targets = deployStackTargets(config, { host: source.address, port: source.port }, opts.cli);

  const caFile = caFileForCommand(opts.projectDir, config.caBundle.path);
  const db = config.database;
  const upgrade = new BlueGreenUpgrade('blue-green', {
    phase: bg.phase,
    mirror: mirrorSourceInstance(source),
    targetEngineVersion: BLUE_GREEN_TARGET_VERSION,
    parameterGroupName: bg.parameterGroupName,
    snapshotIdentifier: config.snapshot.identifier,
    snapshotCreateTimeout: config.snapshot.mode === 'create' ? config.snapshot.createTimeout : '4h',
    updateTimeout: bg.updateTimeout,
    production,
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

  const namePrefix = stackNamePart(config.project, config.stack);
  const monitoring = config.monitoring.enabled
    ? new DatabaseMonitoring('monitoring', {
        namePrefix,
        region: aws.config.region ?? '',
        instances: [
          {
            role: 'source',
            identifier: source.identifier,
            engine:
              bg.phase === 'upgrade'
                ? `PostgreSQL ${BLUE_GREEN_TARGET_VERSION} after the switchover`
                : `PostgreSQL ${source.engineVersion}`,
            ...(source.enabledCloudwatchLogsExports.includes('postgresql') && {
              logGroupName: postgresLogGroupName(source.identifier),
            }),
          },
        ],
        active: source.identifier,
        allocatedStorageGiB: source.allocatedStorage,
        settings: config.monitoring,
        tags: monitoringTags({ ...common, name: namePrefix }),
      })
    : undefined;

  return {
    environment: config.environment,
    strategy: 'blue-green',
    blueGreenPhase: bg.phase,
    sourceIdentifier: source.identifier,
    sourceEndpoint: source.endpoint,
    sourceEngineVersion: source.engineVersion,
    engineVersion: upgrade.engineVersion,
    targetEngineVersion: BLUE_GREEN_TARGET_VERSION,
    ...(upgrade.snapshot && { snapshotIdentifier: upgrade.snapshot.identifier }),
    ...(upgrade.parameterGroup && { parameterGroupName: upgrade.parameterGroup.name }),
    // The endpoint does not move: the switchover renames the green instance to the source's identifier.
    activeDatabase: 'source',
    activeDatabaseIdentifier: source.identifier,
    activeDatabaseEndpoint: source.endpoint,
    activeDatabaseAddress: source.address,
    activeDatabasePort: source.port,
    ...(monitoring && { alarmTopicArn: monitoring.topicArn, dashboardName: monitoring.dashboardName }),
    ...targets.outputs,
  };
}
