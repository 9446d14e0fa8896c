// Pulumi entry point: load config -> database components -> ToolJet targets -> post-deploy validation -> outputs.
// With maintenanceWindow (production default) the graph is the cutover: stop ToolJet -> snapshot -> clone + 16.9 ->
// parameter group -> validation -> re-point -> start ToolJet (or, rolling back: stop -> rollback report -> re-point
// -> start; to a restored instance: stop -> re-point -> start); README "Production cutover and rollback".
// Pulumi calls the exported function and turns the object it resolves to into stack outputs; the unit tests call
// the same function under pulumi.runtime.setMocks.
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { BlueGreenOutputs, deployBlueGreen } from './programs/blue-green';
import { caFileForCommand, commandDatabaseUrl } from './lib/commands';
import {
  cloneTags,
  findSnapshot,
  lookupExistingSnapshot,
  lookupRestoredInstance,
  lookupSourceInstance,
  monitoringTags,
  parameterGroupTags,
  PostgresParameterGroup,
  POSTGRES16_PARAMETERS,
  selectActiveDatabase,
  SourceSnapshot,
  snapshotTags,
  UpgradedClone,
} from './database';
import { DatabaseMonitoring, PostgresLogGroup } from './monitoring';
import { RollbackReport } from './validation';
import {
  cutoverMode,
  CutoverMode,
  formatEstimate,
  StartToolJet,
  staleSnapshotWarning,
  StopToolJet,
  windowKinds,
  windowTriggers,
} from './cutover';
import { postgresLogGroupName } from './monitoring/log-filter';
import { deployStackTargets, TargetOutputs } from './targets/deploy';
import { PostDeployValidation } from './validation';
import { loadStackConfig, stackNamePart } from './config';

interface StackOutputs extends TargetOutputs {
  environment: string;
  sourceIdentifier: string;
  sourceEndpoint: string;
  sourceEngineVersion: string;
  snapshotIdentifier: pulumi.Output<string>;
  // Absent once cleanup has removed the clone.
  cloneIdentifier?: pulumi.Output<string>;
  cloneEndpoint?: pulumi.Output<string>;
  cloneAddress?: pulumi.Output<string>;
  clonePort?: pulumi.Output<number>;
  cloneEngineVersion?: pulumi.Output<string>;
  cloneParameterGroupName?: pulumi.Output<string>;
  activeDatabase: string;
  activeDatabaseIdentifier: pulumi.Output<string>;
  activeDatabaseEndpoint: pulumi.Output<string>;
  activeDatabaseAddress: pulumi.Output<string>;
  activeDatabasePort: pulumi.Output<number>;
  /** `tooljet:delete-after` of the kept snapshot (cleanup). */
  snapshotDeleteAfter?: string;
  alarmTopicArn?: pulumi.Output<string>;
  dashboardName?: pulumi.Output<string>;
  /** What `tj-pg-upgrade rollback-report` printed during the rollback (secret: it ran with the password). */
  rollbackReport?: pulumi.Output<string>;
  /**
   * `enabled` (declared inside pulumi up) or `skipped` (validation.enabled: false, a maintenance-window rollback, or
   * activeDatabase restored).
   */
  postDeployValidation: 'enabled' | 'skipped';
  /** `cutover`, `rollback` (maintenanceWindow: true) or `off`. */
  maintenanceWindow: CutoverMode;
}

async function main(): Promise<StackOutputs | BlueGreenOutputs> {
  const config = loadStackConfig({ baseDir: __dirname });
  const production = config.environment === 'production';
  const common = { sourceIdentifier: config.source.identifier, environment: config.environment, userTags: config.tags };
  const cli = {
    ...(aws.config.region && { region: aws.config.region }),
    ...(aws.config.profile && { profile: aws.config.profile }),
  };

  // RDS Blue/Green on the source itself: its own resource graph (components/bluegreen); the clone path below is untouched.
  if (config.strategy === 'blue-green') return deployBlueGreen(config, { projectDir: __dirname, cli });

  // Read-only lookups (they also run during preview): the source must be an encrypted PostgreSQL 13 instance.
  const source = await lookupSourceInstance(config.source.identifier, {
    requireEncrypted: config.snapshot.mode === 'create',
    restoring: config.activeDatabase === 'restored',
  });
  // activeDatabase restored: the instance restored from a snapshot (README "Second path"); read, never modified.
  const restored = config.restoredInstance
    ? await lookupRestoredInstance(config.restoredInstance.identifier, config.caBundle)
    : undefined;

  // The maintenance window (config/cutover.ts checked that it can be run): off, cutover or rollback.
  const mode = cutoverMode(config);
  const keepClone = !config.cleanup.enabled;
  const c = config.clone;
  const willReport = keepClone && config.activeDatabase === 'source' && config.cutoverAt !== undefined;
  pulumi.log.info(
    formatEstimate({
      mode,
      allocatedStorageGiB: source.allocatedStorage,
      snapshotMode: config.snapshot.mode,
      clone: keepClone,
      validation: config.validation.enabled && keepClone && mode !== 'rollback' && config.activeDatabase !== 'restored',
      rollbackReport: willReport,
      targets: windowKinds(config.targets),
    }),
  );
  // A window against a snapshot taken before it cannot pass the exact validation: say so before anything stops.
  if (mode === 'cutover' && config.snapshot.mode === 'create') {
    const warning = staleSnapshotWarning({
      snapshotIdentifier: config.snapshot.identifier,
      cloneIdentifier: c.identifier,
      presence: await findSnapshot(config.snapshot.identifier),
      ...(config.cutoverAt !== undefined && { cutoverAt: config.cutoverAt }),
    });
    if (warning) pulumi.log.warn(warning);
  }
  if (production && !config.maintenanceWindow) {
    const by =
      windowKinds(config.targets).length === 0
        ? 'no ToolJet target is configured, so this program cannot stop ToolJet'
        : 'maintenanceWindow: false';
    // activeDatabase clone gets here only with cutoverWithoutWindow: true (config/cutover.ts): the operator stops ToolJet.
    pulumi.log.warn(
      config.activeDatabase === 'clone'
        ? `maintenanceWindow is off (${by}): ToolJet keeps running while the snapshot is taken. Stop it yourself before the snapshot and keep it stopped until it points at the clone, or the writes in between are lost (README "Production cutover and rollback").`
        : `maintenanceWindow is off (${by}): ToolJet keeps running on the ${config.activeDatabase === 'source' ? 'source' : 'restored instance'} while the clone is built, so the clone is a copy of a moving source; cut over later in a maintenance window, with a fresh snapshot and clone (README "A window needs a fresh snapshot").`,
    );
  }
  // Stop ToolJet everywhere first: nothing below that depends on `stop` starts before every target reports stopped.
  const cutoverIdentity = windowTriggers({
    snapshotIdentifier: config.snapshot.identifier,
    cloneIdentifier: c.identifier,
    activeDatabase: config.activeDatabase,
    ...(restored && { restoredIdentifier: restored.identifier }),
  });
  const stop =
    mode === 'off'
      ? undefined
      : new StopToolJet('stop-tooljet', {
          targets: config.targets,
          triggers: cutoverIdentity,
          cli,
        });

  const snapshot =
    config.snapshot.mode === 'create'
      ? new SourceSnapshot('source-snapshot', {
          mode: 'create',
          sourceIdentifier: source.identifier,
          snapshotIdentifier: config.snapshot.identifier,
          createTimeout: config.snapshot.createTimeout,
          production,
          tags: snapshotTags({
            ...common,
            snapshotIdentifier: config.snapshot.identifier,
            deleteAfter: config.cleanup.snapshotDeleteAfter,
          }),
          // In the window the snapshot is of the frozen source: taken only after ToolJet stopped everywhere. (In a
          // rollback it exists already; the dependency changes nothing there.)
          ...(stop && { dependsOn: stop.all }),
        })
      : new SourceSnapshot('source-snapshot', {
          mode: 'existing',
          existing: await lookupExistingSnapshot(config.snapshot.identifier, source.identifier),
        });

  // cleanup.enabled (staging): the clone, its log group, parameter group and commands are no longer declared, so
  // `pulumi up` deletes them; the snapshot above stays (retainOnDelete) with its delete-after tag.
  const cloneLogs = keepClone
    ? new PostgresLogGroup('clone-postgresql-log', {
        instanceIdentifier: c.identifier,
        retentionInDays: config.monitoring.logRetentionDays,
        tags: monitoringTags({ ...common, name: postgresLogGroupName(c.identifier) }),
      })
    : undefined;

  const parameterGroup = keepClone
    ? new PostgresParameterGroup('clone-parameters', {
        groupName: config.clone.parameterGroupName,
        family: 'postgres16',
        parameters: POSTGRES16_PARAMETERS,
        production,
        tags: parameterGroupTags({ ...common, parameterGroupName: config.clone.parameterGroupName }),
      })
    : undefined;

  const clone =
    parameterGroup && cloneLogs
      ? new UpgradedClone('clone', {
          identifier: c.identifier,
          snapshotIdentifier: snapshot.identifier,
          instanceClass: c.instanceClass,
          engineVersion: c.engineVersion,
          parameterGroupName: parameterGroup.name,
          caCertIdentifier: c.caCertIdentifier,
          port: config.database.port,
          ...(c.availabilityZone !== undefined && { availabilityZone: c.availabilityZone }),
          // Unset: the source's network, so the clone is as private and as reachable as the source.
          ...((c.dbSubnetGroupName ?? source.dbSubnetGroup) !== undefined && {
            dbSubnetGroupName: c.dbSubnetGroupName ?? source.dbSubnetGroup,
          }),
          vpcSecurityGroupIds: [...(c.vpcSecurityGroupIds ?? source.vpcSecurityGroups)],
          multiAz: c.multiAz ?? (production ? source.multiAz : false),
          ...(c.backupRetentionPeriod !== undefined && { backupRetentionPeriod: c.backupRetentionPeriod }),
          production,
          ...(c.finalSnapshotIdentifier !== undefined && { finalSnapshotIdentifier: c.finalSnapshotIdentifier }),
          timeouts: c.timeouts,
          tags: cloneTags({ ...common, cloneIdentifier: c.identifier, snapshotIdentifier: config.snapshot.identifier }),
          cli,
          dependsOn: [cloneLogs.logGroup],
        })
      : undefined;

  const active = selectActiveDatabase(config.activeDatabase, clone, source, restored);

  // Alarms follow the active database (the clone, or the source after a rollback); the dashboard shows both.
  const namePrefix = stackNamePart(config.project, config.stack);
  const monitoring = config.monitoring.enabled
    ? new DatabaseMonitoring('monitoring', {
        namePrefix,
        region: aws.config.region ?? '',
        instances: [
          ...(clone && cloneLogs
            ? [
                {
                  role: 'clone' as const,
                  identifier: c.identifier,
                  engine: `PostgreSQL ${c.engineVersion}`,
                  logGroupName: cloneLogs.name,
                },
              ]
            : []),
          {
            role: 'source' as const,
            identifier: source.identifier,
            engine: `PostgreSQL ${source.engineVersion}`,
            ...(source.logExports.includes('postgresql') && { logGroupName: postgresLogGroupName(source.identifier) }),
          },
          ...(restored
            ? [
                {
                  role: 'restored' as const,
                  identifier: restored.identifier,
                  engine: `PostgreSQL ${restored.engineVersion}`,
                  ...(restored.logExports.includes('postgresql') && {
                    logGroupName: postgresLogGroupName(restored.identifier),
                  }),
                },
              ]
            : []),
        ],
        active: restored ? restored.identifier : config.activeDatabase === 'clone' ? c.identifier : source.identifier,
        allocatedStorageGiB: source.allocatedStorage,
        settings: config.monitoring,
        tags: monitoringTags({ ...common, name: namePrefix }),
      })
    : undefined;

  // Rollback after a recorded cutover: count what stays on the clone. The targets re-pointed at the source wait for it,
  // so the count is taken before the source takes writes again (in the window: also after ToolJet stopped on the
  // clone, so nothing is written there while it counts).
  const caFile = caFileForCommand(__dirname, config.caBundle.path);
  const db = config.database;
  const rollbackReport =
    clone && willReport && config.cutoverAt
      ? new RollbackReport(
          'rollback-report',
          {
            sourceUrl: commandDatabaseUrl({
              host: source.address,
              port: source.port,
              user: db.username,
              database: db.name,
              caFile,
            }),
            cloneUrl: pulumi
              .all([clone.address, clone.port])
              .apply(([host, port]) =>
                commandDatabaseUrl({ host, port, user: db.username, database: db.name, caFile }),
              ),
            password: config.dbPassword,
            tooljetDb: db.tooljetDbName,
            cutoverAt: config.cutoverAt,
            cloneResourceId: clone.instance.resourceId,
            timeout: c.timeouts.update,
          },
          { ...(stop && { dependsOn: stop.all }) },
        )
      : undefined;

  // Prove nothing was lost: the source against the clone. Without a maintenance window it runs last (after the
  // targets, below); in the cutover window it runs before them and they wait for it: ToolJet moves to the clone only
  // if the clone holds exactly what the frozen source holds. A window rollback declares none (the clone has taken
  // writes and no longer equals the source; going back must never wait for that comparison).
  // activeDatabase restored declares none either: ToolJet uses neither the source nor the clone.
  const declareValidation = (
    cl: UpgradedClone,
    dependsOn: pulumi.Resource[],
    window?: { stopOutputs: pulumi.Input<string>[] },
  ) =>
    new PostDeployValidation('post-deploy', {
      settings: config.validation,
      source: { address: source.address, port: source.port },
      clone: {
        address: cl.address,
        port: cl.port,
        engineVersion: cl.engineVersion,
        resourceId: cl.instance.resourceId,
      },
      expectVersion: c.engineVersion,
      user: config.database.username,
      database: config.database.name,
      tooljetDatabase: config.database.tooljetDbName,
      password: config.dbPassword,
      caBundle: config.caBundle,
      projectDir: __dirname,
      dependsOn,
      ...(window && { window }),
    });
  const validateFirst =
    mode === 'cutover' && config.validation.enabled && clone && stop
      ? declareValidation(clone, [clone], { stopOutputs: stop.all.map((cmd) => cmd.stdout) })
      : undefined;

  // What the targets wait for before they re-point ToolJet.
  const targetsAfter: pulumi.Resource[] = [
    ...(validateFirst ? [validateFirst] : []),
    ...(mode === 'rollback' && stop ? stop.all : []),
    ...(rollbackReport ? [rollbackReport] : []),
  ];

  // ToolJet, on each configured target, pointed at the active database over verified TLS.
  const targets = deployStackTargets(config, { host: active.address, port: active.port }, cli, {
    dependsOn: targetsAfter,
  });

  // No window: validation last, once the clone and every target are in place. ToolJet was not stopped, so the source
  // has moved on since the snapshot: rows, sequences and migrations that differ are warnings (--live-source), while
  // TLS, version and schema parity still fail the `pulumi up`.
  const validateLast =
    mode === 'off' && config.validation.enabled && clone && config.activeDatabase !== 'restored'
      ? declareValidation(clone, [clone, ...targets.all])
      : undefined;

  // Start ToolJet again once every target points at the active database (and, cutting over, the clone is validated).
  if (stop) {
    new StartToolJet('start-tooljet', {
      targets: config.targets,
      triggers: cutoverIdentity,
      cli,
      stop,
      deployed: targets,
      dependsOn: [...targets.all, ...targetsAfter],
    });
  }

  return {
    environment: config.environment,
    sourceIdentifier: source.identifier,
    sourceEndpoint: source.endpoint,
    sourceEngineVersion: source.engineVersion,
    snapshotIdentifier: snapshot.identifier,
    ...(clone && {
      cloneIdentifier: clone.identifier,
      cloneEndpoint: clone.endpoint,
      cloneAddress: clone.address,
      clonePort: clone.port,
      cloneEngineVersion: clone.engineVersion,
      cloneParameterGroupName: clone.parameterGroupName,
    }),
    activeDatabase: active.kind,
    activeDatabaseIdentifier: active.identifier,
    activeDatabaseEndpoint: active.endpoint,
    activeDatabaseAddress: active.address,
    activeDatabasePort: active.port,
    ...(config.cleanup.snapshotDeleteAfter && { snapshotDeleteAfter: config.cleanup.snapshotDeleteAfter }),
    ...(monitoring && { alarmTopicArn: monitoring.topicArn, dashboardName: monitoring.dashboardName }),
    ...(rollbackReport && { rollbackReport: pulumi.secret(rollbackReport.stdout) }),
    ...targets.outputs,
    postDeployValidation: validateFirst || validateLast ? 'enabled' : 'skipped',
    maintenanceWindow: mode,
  };
}

export = main;
