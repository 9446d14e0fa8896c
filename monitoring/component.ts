// Post-upgrade monitoring of the ACTIVE database: CloudWatch alarms (connections, CPU, read/write IOPS, free storage,
// connection failures from the PostgreSQL log) that notify one SNS topic, and a dashboard of the clone next to the
// source. What each piece contains is rendered by the pure files next to it (alarms.ts, dashboard.ts, log-filter.ts);
// this component only creates the resources.
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { AlarmKind, AlarmSettings } from './alarms';
import { renderAlarms, renderReplicationAlarms, ReplicationAlarmInstance } from './alarms';
import { DashboardInstance, renderDashboard } from './dashboard';
import { connectionFailureMetric, renderFilterPattern } from './log-filter';

export interface MonitoredInstance {
  role: 'clone' | 'source' | 'restored';
  identifier: string;
  engine: string;
  /** Its PostgreSQL log group, when the log is exported (the clone's is created by the stack). */
  logGroupName?: pulumi.Input<string>;
}

export interface DatabaseMonitoringArgs {
  /** Per stack, e.g. `tooljet-pg-upgrade-prod`: names of the topic, alarms and dashboard. */
  namePrefix: string;
  region: string;
  /** The instances to chart: the clone (if any) and the source. */
  instances: MonitoredInstance[];
  /** Identifier of the instance ToolJet is pointed at: the alarms watch it. */
  active: string;
  /** Allocated storage of the active instance, GiB. */
  allocatedStorageGiB: number;
  /** E-mail subscriptions of the alarm topic (each must be confirmed from the mail AWS sends). */
  alarmEmails: readonly string[];
  /** Threshold, period and evaluation periods of each alarm. */
  alarms: Readonly<Record<AlarmKind, AlarmSettings>>;
  /** Strategy replication: both ends of the replication (slot lag, slot disk, free storage: alarms.ts). */
  replication?: readonly ReplicationAlarmInstance[];
  tags: Record<string, string>;
}

export class DatabaseMonitoring extends pulumi.ComponentResource {
  readonly topic: aws.sns.Topic;
  readonly subscriptions: aws.sns.TopicSubscription[] = [];
  readonly metricFilters: aws.cloudwatch.LogMetricFilter[] = [];
  readonly alarms: aws.cloudwatch.MetricAlarm[] = [];
  readonly dashboard: aws.cloudwatch.Dashboard;
  readonly topicArn: pulumi.Output<string>;
  readonly dashboardName: pulumi.Output<string>;
  /** Alarm names watching the active instance. */
  readonly alarmNames: string[];

  constructor(name: string, args: DatabaseMonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super('tooljet-pg-upgrade:monitoring:DatabaseMonitoring', name, {}, opts);
    const active = args.instances.find((i) => i.identifier === args.active);
    if (!active)
      throw new Error(`DatabaseMonitoring: active instance ${args.active} is not among the monitored instances`);

    this.topic = new aws.sns.Topic(
      `${name}-alarms`,
      { name: `${args.namePrefix}-db-alarms`, tags: args.tags },
      { parent: this },
    );
    args.alarmEmails.forEach((email, i) => {
      this.subscriptions.push(
        new aws.sns.TopicSubscription(
          `${name}-email-${i}`,
          { topic: this.topic.arn, protocol: 'email', endpoint: email },
          { parent: this },
        ),
      );
    });

    // One metric filter per exported log; each instance publishes into its own namespace.
    const pattern = renderFilterPattern();
    const withLogs = args.instances.filter((i) => i.logGroupName !== undefined);
    for (const i of withLogs) {
      const metric = connectionFailureMetric(i.identifier);
      this.metricFilters.push(
        new aws.cloudwatch.LogMetricFilter(
          `${name}-${i.role}-connection-failures`,
          {
            name: `${args.namePrefix}-${i.identifier}-connection-failures`,
            logGroupName: i.logGroupName!,
            pattern,
            metricTransformation: {
              name: metric.metricName,
              namespace: metric.namespace,
              value: '1',
              defaultValue: '0',
              unit: 'Count',
            },
          },
          { parent: this },
        ),
      );
    }
    if (active.logGroupName === undefined) {
      pulumi.log.warn(
        `no connection-failure alarm for ${active.identifier}: its PostgreSQL log is not exported to CloudWatch Logs (this program never modifies the source; enable the "postgresql" log export on it to get one)`,
        this,
      );
    }

    const specs = renderAlarms(
      args.namePrefix,
      {
        identifier: active.identifier,
        allocatedStorageGiB: args.allocatedStorageGiB,
        ...(active.logGroupName !== undefined && { connectionFailures: connectionFailureMetric(active.identifier) }),
      },
      args.alarms,
    );
    const replicationSpecs = (args.replication ?? []).flatMap((i) =>
      renderReplicationAlarms(args.namePrefix, i, args.alarms).map((spec) => ({ spec, role: i.role })),
    );
    this.alarmNames = [...specs, ...replicationSpecs.map((r) => r.spec)].map((s) => s.name);
    const named = [
      ...specs.map((spec) => ({ spec, resourceName: `${name}-${spec.kind}` })),
      ...replicationSpecs.map(({ spec, role }) => ({ spec, resourceName: `${name}-${role}-${spec.kind}` })),
    ];
    for (const { spec: s, resourceName } of named) {
      this.alarms.push(
        new aws.cloudwatch.MetricAlarm(
          resourceName,
          {
            name: s.name,
            alarmDescription: s.description,
            namespace: s.namespace,
            metricName: s.metricName,
            statistic: s.statistic,
            comparisonOperator: s.comparisonOperator,
            threshold: s.threshold,
            period: s.period,
            evaluationPeriods: s.evaluationPeriods,
            datapointsToAlarm: s.datapointsToAlarm,
            dimensions: s.dimensions,
            treatMissingData: s.treatMissingData,
            alarmActions: [this.topic.arn],
            okActions: [this.topic.arn],
            tags: args.tags,
          },
          // The filter must exist before an alarm on its metric means anything.
          { parent: this, dependsOn: this.metricFilters },
        ),
      );
    }

    const instances: DashboardInstance[] = args.instances.map((i) => ({
      role: i.role,
      identifier: i.identifier,
      engine: i.engine,
      ...(i.logGroupName !== undefined && { connectionFailures: connectionFailureMetric(i.identifier) }),
    }));
    this.dashboard = new aws.cloudwatch.Dashboard(
      `${name}-dashboard`,
      {
        dashboardName: args.namePrefix,
        dashboardBody: pulumi.all(withLogs.map((i) => pulumi.output(i.logGroupName!))).apply((names) =>
          renderDashboard({
            region: args.region,
            title: `ToolJet PostgreSQL 16 upgrade (${args.namePrefix})`,
            active: args.active,
            instances: instances.map((i) => {
              const at = withLogs.findIndex((w) => w.identifier === i.identifier);
              return at >= 0 ? { ...i, logGroupName: names[at] } : i;
            }),
            alarms: specs,
          }),
        ),
      },
      { parent: this },
    );
    this.topicArn = this.topic.arn;
    this.dashboardName = this.dashboard.dashboardName;
    this.registerOutputs({ topicArn: this.topicArn, dashboardName: this.dashboardName, alarmNames: this.alarmNames });
  }
}
