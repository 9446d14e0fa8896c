// The resource graph of strategy replication, built from the plan (plan/): look the source up and refuse what cannot
// replicate (AWS facts, at preview too), then the plan's steps in order, each waiting for the one before it:
//   replicate: precheck -> new 16.9 instance -> replicate setup -> replicate status      (ToolJet stays on the source)
//   cutover:   ... -> stop -> catch-up -> finish (sequences, matviews) -> validate (exact) -> reverse -> re-point -> start
//   rollback:  ... -> stop -> catch-up reverse -> finish reverse -> rollback report -> re-point -> start
//   teardown:  new instance (kept) -> replicate teardown --direction all
// The database prerequisites (replica identity, large objects, unlogged tables, the replication role, wal_level) are
// `tj-pg-upgrade precheck --strategy replication`, the first command: nothing is created before it passes (commands
// never run during preview). docs/strategies.md describes each phase.
import * as pulumi from '@pulumi/pulumi';
import { lookupBlueGreenSource } from '../bluegreen/facts';
import type { LoadedStackConfig } from '../config/load';
import { StartToolJet, StopToolJet } from '../cutover/window';
import { PHASES } from '../cutover/timing';
import { monitoringTags, parameterGroupTags, replicaTags } from '../database/tags';
import { caFileForCommand, commandDatabaseUrl } from '../lib/commands';
import type { ReplicationPlan } from '../plan';
import {
  checkReplicationPrerequisites,
  publisherOf,
  ReplicationCommandStep,
  replicationEnvironment,
  ReplicationInstance,
  replicationScript,
  ReplicationStep,
} from '../replication';
import { postgresLogGroupName } from '../monitoring/log-filter';
import { DeployedTargets, deployStackTargets } from '../targets/deploy';
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

export interface ReplicationOutputs extends CommonOutputs {
  strategy: 'replication';
  replicationPhase: ReplicationPlan['phase'];
  /** What this run does, in order (plan.steps). */
  replicationSteps: string;
  newInstanceIdentifier: pulumi.Output<string>;
  newInstanceEndpoint: pulumi.Output<string>;
  newInstanceEngineVersion: pulumi.Output<string>;
  newInstanceParameterGroupName: pulumi.Output<string>;
  /** What `replicate status` printed after the setup (secret: it ran with the passwords). */
  replicationStatus?: pulumi.Output<string>;
  /** How to watch the lag at any time. */
  replicationStatusCommand: string;
  /** What `tj-pg-upgrade rollback-report` printed during the rollback (secret). */
  rollbackReport?: pulumi.Output<string>;
  maintenanceWindow: ReplicationPlan['window']['mode'];
  postDeployValidation: 'enabled' | 'skipped';
}

/** The phase label of each command step (what the timing wrapper prints). */
const LABELS: Record<ReplicationCommandStep, string> = {
  precheck: PHASES.precheck,
  setup: PHASES.replicationSetup,
  status: PHASES.replicationStatus,
  'catch-up': PHASES.catchUp,
  finish: PHASES.finish,
  reverse: PHASES.reverse,
  'catch-up-reverse': `${PHASES.catchUp} (reverse)`,
  'finish-reverse': `${PHASES.finish} (reverse)`,
  teardown: PHASES.teardown,
};

export async function replicationProgram(
  config: LoadedStackConfig,
  plan: ReplicationPlan,
  ctx: ProgramContext,
): Promise<ReplicationOutputs> {
  const r = config.replication!;
  const { cli } = ctx;
  const { production } = plan;
  const common = tagBase(config);
  const db = config.database;
  const caFile = caFileForCommand(ctx.projectDir, config.caBundle.path);

  // Read-only lookups (also during preview), then every AWS-side prerequisite refused in one line each before anything
  // is declared.
  const source = await lookupBlueGreenSource(config.source.identifier, cli, 'replication');
  const problems = checkReplicationPrerequisites(source, { caBundle: config.caBundle, caBundlePath: caFile });
  if (problems.length > 0) throw new pulumi.RunError(problems.join('\n'));
  logPlan(plan.log);

  const storageGiB = r.allocatedStorageGiB ?? source.allocatedStorage;
  const sourceEndpoint = { host: source.address, port: source.port };
  let instance: ReplicationInstance | undefined;
  const newInstance = (): ReplicationInstance => {
    if (!instance)
      throw new Error(`replication: the plan runs a step before the new instance (${plan.steps.join(', ')})`);
    return instance;
  };

  // The environment of a command step: the source, the new instance (unless it is the precheck, which reads the
  // source only), the passwords; a secret (ReplicationStep).
  const environment = (step: ReplicationCommandStep): pulumi.Input<Record<string, string>> => {
    const sourceUrl = commandDatabaseUrl({ ...sourceEndpoint, user: db.username, database: db.name, caFile });
    if (step === 'precheck')
      return config.dbPassword.apply((password) => ({
        TJ_PG_SOURCE_URL: sourceUrl,
        PGPASSWORD: password,
        PGCONNECT_TIMEOUT: '15',
      }));
    const i = newInstance();
    return pulumi
      .all([i.address, i.port, config.dbPassword, pulumi.output(config.replicationPassword)])
      .apply(([host, port, password, replicationPassword]) => {
        const target = { host, port };
        const publisher = publisherOf(step);
        return replicationEnvironment({
          source: sourceEndpoint,
          target,
          user: db.username,
          database: db.name,
          caFile,
          password,
          ...(replicationPassword !== undefined && { replicationPassword }),
          ...(publisher && { publisher: publisher === 'source' ? sourceEndpoint : target }),
        });
      });
  };

  // When each command step runs (its triggers) and how long it may take.
  const schedule = (
    step: ReplicationCommandStep,
  ): { triggers: pulumi.Input<string>[]; runsWhen: string; seconds: number } => {
    // In a window: once per window (the source, the new instance and the direction; cutover/mode.ts windowTriggers).
    const windowed = (seconds: number) => ({
      triggers: [...plan.window.triggers, newInstance().resourceId],
      runsWhen: 'ToolJet is stopped for a new cutover or rollback',
      seconds,
    });
    switch (step) {
      case 'precheck':
        return {
          triggers: [source.identifier, r.identifier],
          runsWhen: 'the source or the new instance identifier changes',
          seconds: config.validation.timeoutSeconds,
        };
      case 'setup':
        return {
          triggers: [source.identifier, newInstance().resourceId],
          runsWhen: 'the new instance is replaced',
          seconds: r.setupTimeoutSeconds,
        };
      case 'status':
        return {
          triggers: [newInstance().resourceId],
          runsWhen: 'the new instance is replaced (run tj-pg-upgrade replicate status at any time)',
          seconds: 900,
        };
      case 'catch-up':
      case 'catch-up-reverse':
        return windowed(r.catchUpDeadlineSeconds + 300);
      case 'reverse':
        return windowed(r.setupTimeoutSeconds);
      case 'finish':
      case 'finish-reverse':
        return windowed(config.validation.timeoutSeconds);
      case 'teardown':
        return {
          triggers: [r.identifier, 'teardown'],
          runsWhen: 'replication.teardown is set again for another new instance',
          seconds: 1800,
        };
    }
  };
  const command = (step: ReplicationCommandStep, after: pulumi.Resource[]): ReplicationStep => {
    const s = schedule(step);
    return new ReplicationStep(
      `replicate-${step}`,
      {
        script: replicationScript(step, {
          databases: [db.name, db.tooljetDbName],
          ...(r.user !== undefined && { replicationUser: r.user }),
          catchUpDeadlineSeconds: r.catchUpDeadlineSeconds,
        }),
        label: LABELS[step],
        environment: environment(step),
        triggers: s.triggers,
        runsWhen: s.runsWhen,
        timeoutSeconds: s.seconds,
        reprint: step === 'status',
      },
      after.length > 0 ? { dependsOn: after } : {},
    );
  };

  // The chain: each step waits for everything the step before it declared.
  let previous: pulumi.Resource[] = [];
  let stop: StopToolJet | undefined;
  let targets: DeployedTargets | undefined;
  let status: ReplicationStep | undefined;
  let validation: PostDeployValidation | undefined;
  let report: RollbackReport | undefined;
  const activeEndpoint = () =>
    plan.activeDatabase === 'clone'
      ? { host: newInstance().address, port: newInstance().port }
      : { host: source.address, port: source.port };

  for (const step of plan.steps) {
    const after = previous;
    switch (step) {
      case 'instance':
        instance = new ReplicationInstance(
          'replication-instance',
          {
            identifier: r.identifier,
            engineVersion: plan.targetVersion,
            instanceClass: r.instanceClass ?? source.instanceClass,
            allocatedStorageGiB: storageGiB,
            parameterGroupName: r.parameterGroupName,
            caCertIdentifier: source.caCertIdentifier,
            port: source.port,
            ...(source.dbSubnetGroup !== undefined && { dbSubnetGroupName: source.dbSubnetGroup }),
            vpcSecurityGroupIds: source.vpcSecurityGroups,
            multiAz: r.multiAz ?? (production ? source.multiAz : false),
            backupRetentionPeriod: r.backupRetentionPeriod,
            username: db.username,
            password: config.dbPassword,
            production,
            ...(r.finalSnapshotIdentifier !== undefined && { finalSnapshotIdentifier: r.finalSnapshotIdentifier }),
            createTimeoutSeconds: r.createTimeoutSeconds,
            logRetentionDays: config.monitoring.logRetentionDays,
            tags: replicaTags({ ...common, identifier: r.identifier }),
            parameterGroupTags: parameterGroupTags({ ...common, parameterGroupName: r.parameterGroupName }),
            logGroupTags: monitoringTags({ ...common, name: postgresLogGroupName(r.identifier) }),
          },
          after.length > 0 ? { dependsOn: after } : {},
        );
        previous = [instance.instance];
        break;
      case 'stop':
        stop = new StopToolJet(
          'stop-tooljet',
          { targets: config.targets, triggers: plan.window.triggers, cli },
          { dependsOn: after },
        );
        previous = stop.all;
        break;
      case 'validate': {
        const i = newInstance();
        validation = new PostDeployValidation(
          'post-deploy',
          {
            source: { address: source.address, port: source.port },
            clone: { address: i.address, port: i.port, engineVersion: i.engineVersion, resourceId: i.resourceId },
            expectVersion: plan.targetVersion,
            user: db.username,
            database: db.name,
            ...(config.validation.tooljetDb && { tooljetDatabase: db.tooljetDbName }),
            jobs: config.validation.jobs,
            analyze: config.validation.analyze,
            // `replicate finish` set the sequences; a lagging one is a failure here, not something to fix silently.
            fixSequences: false,
            timeoutSeconds: config.validation.timeoutSeconds,
            password: config.dbPassword,
            caBundle: config.caBundle,
            projectDir: ctx.projectDir,
            window: { stopOutputs: (stop?.all ?? []).map((c) => c.stdout) },
          },
          { dependsOn: after },
        );
        previous = [validation.command];
        break;
      }
      case 'rollback-report': {
        const i = newInstance();
        report = new RollbackReport(
          'rollback-report',
          {
            sourceUrl: commandDatabaseUrl({ ...sourceEndpoint, user: db.username, database: db.name, caFile }),
            cloneUrl: pulumi
              .all([i.address, i.port])
              .apply(([host, port]) =>
                commandDatabaseUrl({ host, port, user: db.username, database: db.name, caFile }),
              ),
            password: config.dbPassword,
            tooljetDb: db.tooljetDbName,
            cutoverAt: config.cutoverAt!,
            cloneResourceId: i.resourceId,
            timeoutSeconds: config.validation.timeoutSeconds,
          },
          { dependsOn: after },
        );
        previous = [report.command];
        break;
      }
      case 're-point':
        targets = deployStackTargets(config, activeEndpoint(), cli, { dependsOn: after });
        previous = [...targets.all, ...after];
        break;
      case 'start':
        new StartToolJet(
          'start-tooljet',
          { targets: config.targets, triggers: plan.window.triggers, cli, ...(stop && { stop }), deployed: targets },
          { dependsOn: after },
        );
        break;
      default: {
        const c = command(step, after);
        if (step === 'status') status = c;
        previous = [c.command];
      }
    }
  }
  // Without a window (replicate, teardown) ToolJet is deployed pointing at the active database, waiting for nothing.
  targets ??= deployStackTargets(config, activeEndpoint(), cli);
  const i = newInstance();

  const monitoring = declareMonitoring(
    config,
    plan.monitoring,
    {
      clone: { identifier: r.identifier, engine: `PostgreSQL ${plan.targetVersion}`, logGroupName: i.logGroup.name },
      source: {
        identifier: source.identifier,
        engine: `PostgreSQL ${source.engineVersion}`,
        ...exportedLogGroup(source.identifier, source.enabledCloudwatchLogsExports),
      },
    },
    plan.activeDatabase === 'clone' ? storageGiB : source.allocatedStorage,
    [
      {
        role: 'source',
        identifier: source.identifier,
        allocatedStorageGiB: source.allocatedStorage,
        active: plan.activeDatabase === 'source',
      },
      {
        role: 'clone',
        identifier: r.identifier,
        allocatedStorageGiB: storageGiB,
        active: plan.activeDatabase === 'clone',
      },
    ],
  );

  const active =
    plan.activeDatabase === 'clone'
      ? { kind: 'clone' as const, identifier: i.identifier, endpoint: i.endpoint, address: i.address, port: i.port }
      : {
          kind: 'source' as const,
          identifier: source.identifier,
          endpoint: source.endpoint,
          address: source.address,
          port: source.port,
        };
  return {
    ...commonOutputs({ config, source, active, monitoring, targets }),
    strategy: 'replication',
    replicationPhase: plan.phase,
    replicationSteps: plan.steps.join(' -> '),
    newInstanceIdentifier: i.identifier,
    newInstanceEndpoint: i.endpoint,
    newInstanceEngineVersion: i.engineVersion,
    newInstanceParameterGroupName: i.parameterGroup.name,
    ...(status && { replicationStatus: pulumi.secret(status.stdout) }),
    replicationStatusCommand:
      'TJ_PG_SOURCE_URL=... TJ_PG_TARGET_URL=... PGPASSWORD=... npx tj-pg-upgrade replicate status (docs/strategies.md)',
    ...(report && { rollbackReport: pulumi.secret(report.stdout) }),
    maintenanceWindow: plan.window.mode,
    postDeployValidation: validation ? 'enabled' : 'skipped',
  };
}
