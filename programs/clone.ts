// The resource graph of strategy clone, built from the plan (plan/): read-only lookups -> [stop ToolJet] -> snapshot ->
// clone + 16.9 -> parameter group -> [validation] -> re-point the targets -> [validation] -> [start ToolJet]. The plan
// says which of the bracketed steps exist and what waits for what; this file only declares them:
//   cutover:  stop -> snapshot -> clone + 16.9 -> parameter group -> validation -> re-point -> start
//   rollback: stop -> rollback report -> re-point -> start (to a restored instance: stop -> re-point -> start)
//   off:      snapshot -> clone -> re-point (rolling) -> validation against the live source
// docs/cutover-and-rollback.md describes each; docs/design.md why the parameter group needs a finishing command.
import * as pulumi from '@pulumi/pulumi';
import type { LoadedStackConfig } from '../config/load';
import { StartToolJet, StopToolJet } from '../cutover/window';
import {
  cloneSourceSettings,
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
} from '../database';
import { caFileForCommand, commandDatabaseUrl } from '../lib/commands';
import { PostgresLogGroup } from '../monitoring/log-group';
import { postgresLogGroupName } from '../monitoring/log-filter';
import type { ClonePlan, TargetPrerequisite } from '../plan';
import { planLog } from '../plan';
import { deployStackTargets } from '../targets/deploy';
import { PostDeployValidation } from '../validation/post-deploy';
import { RollbackReport } from '../validation/rollback-report';
import {
  commonOutputs,
  CommonOutputs,
  declareMonitoring,
  exportedLogGroup,
  logPlan,
  ProgramContext,
  tagBase,
} from './shared';

export interface CloneOutputs extends CommonOutputs {
  snapshotIdentifier: pulumi.Output<string>;
  // Absent once cleanup has removed the clone.
  cloneIdentifier?: pulumi.Output<string>;
  cloneEndpoint?: pulumi.Output<string>;
  cloneAddress?: pulumi.Output<string>;
  clonePort?: pulumi.Output<number>;
  cloneEngineVersion?: pulumi.Output<string>;
  cloneParameterGroupName?: pulumi.Output<string>;
  /** `tooljet:delete-after` of the kept snapshot (cleanup). */
  snapshotDeleteAfter?: string;
  /** What `tj-pg-upgrade rollback-report` printed during the rollback (secret: it ran with the password). */
  rollbackReport?: pulumi.Output<string>;
  /**
   * `enabled` (declared inside pulumi up) or `skipped` (validation.enabled: false, a maintenance-window rollback, or
   * activeDatabase restored).
   */
  postDeployValidation: 'enabled' | 'skipped';
  /** `cutover`, `rollback` (maintenanceWindow: true) or `off`. */
  maintenanceWindow: ClonePlan['window']['mode'];
}

export async function cloneProgram(
  config: LoadedStackConfig,
  plan: ClonePlan,
  ctx: ProgramContext,
): Promise<CloneOutputs> {
  const { production } = plan;
  const { cli } = ctx;
  const c = config.clone;
  const common = tagBase(config);

  // Read-only lookups (they also run during preview): the source must be an encrypted PostgreSQL 13 instance; a
  // restored instance is read, never modified.
  const source = await lookupSourceInstance(config.source.identifier, plan.lookups.source);
  // Port and CA the source's unless configured; a zone with a Multi-AZ clone refused. Before anything is declared
  // (and during preview: the lookup is an invoke).
  const fromSource = cloneSourceSettings(
    {
      ...(config.database.port !== undefined && { port: config.database.port }),
      ...(c.caCertIdentifier !== undefined && { caCertIdentifier: c.caCertIdentifier }),
      ...(c.multiAz !== undefined && { multiAz: c.multiAz }),
      ...(c.availabilityZone !== undefined && { availabilityZone: c.availabilityZone }),
      production,
    },
    source,
    config.caBundle,
    config.caBundle.path,
  );
  if (plan.clone && fromSource.problems.length > 0) throw new pulumi.RunError(fromSource.problems.join('\n'));

  const restored = plan.lookups.restoredInstance
    ? await lookupRestoredInstance(plan.lookups.restoredInstance, config.caBundle)
    : undefined;
  const fresh = plan.lookups.freshSnapshot;
  logPlan(
    planLog(plan, {
      allocatedStorageGiB: source.allocatedStorage,
      ...(fresh && { snapshot: await findSnapshot(fresh.snapshotIdentifier) }),
    }),
  );

  // Stop ToolJet everywhere first: nothing below that depends on `stop` starts before every target reports stopped.
  const stop =
    plan.window.mode === 'off'
      ? undefined
      : new StopToolJet('stop-tooljet', { targets: config.targets, triggers: plan.window.triggers, cli });

  const snapshot =
    plan.snapshot.mode === 'create' && config.snapshot.mode === 'create'
      ? new SourceSnapshot(
          'source-snapshot',
          {
            mode: 'create',
            sourceIdentifier: source.identifier,
            snapshotIdentifier: plan.snapshot.identifier,
            createTimeoutSeconds: config.snapshot.createTimeoutSeconds,
            production,
            tags: snapshotTags({
              ...common,
              snapshotIdentifier: plan.snapshot.identifier,
              deleteAfter: config.cleanup.snapshotDeleteAfter,
            }),
          },
          // In the window the snapshot is of the frozen source: taken only after ToolJet stopped everywhere. (In a
          // rollback it exists already; the dependency changes nothing there.)
          plan.snapshot.afterStop && stop ? { dependsOn: stop.all } : {},
        )
      : new SourceSnapshot('source-snapshot', {
          mode: 'existing',
          existing: await lookupExistingSnapshot(plan.snapshot.identifier, source.identifier),
        });

  // Without the clone (cleanup): its log group, parameter group and commands are no longer declared, so `pulumi up`
  // deletes them; the snapshot above stays (retainOnDelete) with its delete-after tag.
  const cloneLogs = plan.clone
    ? new PostgresLogGroup('clone-postgresql-log', {
        instanceIdentifier: c.identifier,
        retentionInDays: config.monitoring.logRetentionDays,
        tags: monitoringTags({ ...common, name: postgresLogGroupName(c.identifier) }),
      })
    : undefined;

  const parameterGroup = plan.clone
    ? new PostgresParameterGroup('clone-parameters', {
        groupName: c.parameterGroupName,
        family: 'postgres16',
        parameters: POSTGRES16_PARAMETERS,
        production,
        tags: parameterGroupTags({ ...common, parameterGroupName: c.parameterGroupName }),
      })
    : undefined;

  const clone =
    parameterGroup && cloneLogs
      ? new UpgradedClone(
          'clone',
          {
            identifier: c.identifier,
            snapshotIdentifier: snapshot.identifier,
            instanceClass: c.instanceClass,
            engineVersion: c.engineVersion,
            parameterGroupName: parameterGroup.name,
            caCertIdentifier: fromSource.settings.caCertIdentifier,
            port: fromSource.settings.port,
            ...(c.availabilityZone !== undefined && { availabilityZone: c.availabilityZone }),
            // Unset: the source's network, so the clone is as private and as reachable as the source.
            ...((c.dbSubnetGroupName ?? source.dbSubnetGroup) !== undefined && {
              dbSubnetGroupName: c.dbSubnetGroupName ?? source.dbSubnetGroup,
            }),
            vpcSecurityGroupIds: [...(c.vpcSecurityGroupIds ?? source.vpcSecurityGroups)],
            multiAz: fromSource.settings.multiAz,
            ...(c.backupRetentionPeriod !== undefined && { backupRetentionPeriod: c.backupRetentionPeriod }),
            production,
            ...(c.finalSnapshotIdentifier !== undefined && { finalSnapshotIdentifier: c.finalSnapshotIdentifier }),
            timeoutSeconds: c.timeoutSeconds,
            tags: cloneTags({ ...common, cloneIdentifier: c.identifier, snapshotIdentifier: plan.snapshot.identifier }),
            cli,
          },
          // Created before the instance: its PostgreSQL log group (RDS would otherwise create it with no retention).
          { dependsOn: [cloneLogs.logGroup] },
        )
      : undefined;

  const active = selectActiveDatabase(plan.activeDatabase, clone, source, restored);

  // Alarms follow the active database (the clone, the source after a rollback, or a restored instance); the dashboard
  // shows each instance of the plan.
  const monitoring = declareMonitoring(
    config,
    plan.monitoring,
    {
      ...(clone &&
        cloneLogs && {
          clone: { identifier: c.identifier, engine: `PostgreSQL ${c.engineVersion}`, logGroupName: cloneLogs.name },
        }),
      source: {
        identifier: source.identifier,
        engine: `PostgreSQL ${source.engineVersion}`,
        ...exportedLogGroup(source.identifier, source.logExports),
      },
      ...(restored && {
        restored: {
          identifier: restored.identifier,
          engine: `PostgreSQL ${restored.engineVersion}`,
          ...exportedLogGroup(restored.identifier, restored.logExports),
        },
      }),
    },
    source.allocatedStorage,
  );

  // Rollback after a recorded cutover: count what stays on the clone. The targets re-pointed at the source wait for it,
  // so the count is taken before the source takes writes again (in the window: also after ToolJet stopped on the
  // clone, so nothing is written there while it counts).
  const caFile = caFileForCommand(ctx.projectDir, config.caBundle.path);
  const db = config.database;
  const rollbackReport =
    clone && plan.rollbackReport && config.cutoverAt
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
            timeoutSeconds: c.timeoutSeconds.update,
          },
          { ...(stop && { dependsOn: stop.all }) },
        )
      : undefined;

  // Prove nothing was lost: the source against the clone, where the plan says. In the cutover window before the
  // targets, which wait for it (ToolJet moves to the clone only if it holds exactly what the frozen source holds);
  // without the window after them, against a source ToolJet still writes to.
  const v = config.validation;
  const declareValidation = (
    cl: UpgradedClone,
    dependsOn: pulumi.Resource[],
    window?: { stopOutputs: pulumi.Input<string>[] },
  ) =>
    new PostDeployValidation(
      'post-deploy',
      {
        source: { address: source.address, port: source.port },
        clone: {
          address: cl.address,
          port: cl.port,
          engineVersion: cl.engineVersion,
          resourceId: cl.instance.resourceId,
        },
        expectVersion: c.engineVersion,
        user: db.username,
        database: db.name,
        ...(v.tooljetDb && { tooljetDatabase: db.tooljetDbName }),
        jobs: v.jobs,
        analyze: v.analyze,
        fixSequences: v.fixSequences,
        timeoutSeconds: v.timeoutSeconds,
        password: config.dbPassword,
        caBundle: config.caBundle,
        projectDir: ctx.projectDir,
        ...(window && { window }),
      },
      { dependsOn },
    );
  const validateFirst =
    plan.validation.runs === 'before-targets' && clone && stop
      ? declareValidation(clone, [clone], { stopOutputs: stop.all.map((cmd) => cmd.stdout) })
      : undefined;

  // What the targets wait for before they re-point ToolJet.
  const prerequisites: Record<TargetPrerequisite, pulumi.Resource[]> = {
    validation: validateFirst ? [validateFirst] : [],
    stop: stop ? stop.all : [],
    'rollback-report': rollbackReport ? [rollbackReport] : [],
  };
  const targetsAfter = plan.targetsWaitFor.flatMap((p) => prerequisites[p]);

  // ToolJet, on each configured target, pointed at the active database over verified TLS.
  const targets = deployStackTargets(config, { host: active.address, port: active.port }, cli, {
    dependsOn: targetsAfter,
  });

  const validateLast =
    plan.validation.runs === 'after-targets' && clone ? declareValidation(clone, [clone, ...targets.all]) : undefined;

  // Start ToolJet again once every target points at the active database (and, cutting over, the clone is validated).
  if (stop) {
    new StartToolJet(
      'start-tooljet',
      { targets: config.targets, triggers: plan.window.triggers, cli, stop, deployed: targets },
      { dependsOn: [...targets.all, ...targetsAfter] },
    );
  }

  return {
    ...commonOutputs({ config, source, active, monitoring, targets }),
    snapshotIdentifier: snapshot.identifier,
    ...(clone && {
      cloneIdentifier: clone.identifier,
      cloneEndpoint: clone.endpoint,
      cloneAddress: clone.address,
      clonePort: clone.port,
      cloneEngineVersion: clone.engineVersion,
      cloneParameterGroupName: clone.parameterGroupName,
    }),
    ...(config.cleanup.snapshotDeleteAfter && { snapshotDeleteAfter: config.cleanup.snapshotDeleteAfter }),
    ...(rollbackReport && { rollbackReport: pulumi.secret(rollbackReport.stdout) }),
    postDeployValidation: validateFirst || validateLast ? 'enabled' : 'skipped',
    maintenanceWindow: plan.window.mode,
  };
}
