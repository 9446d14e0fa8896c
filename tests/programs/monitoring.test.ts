// Post-upgrade monitoring in the real program: alarms on the ACTIVE database with the configured thresholds, all
// notifying one SNS topic; the clone's PostgreSQL log exported to a log group the stack owns, with the
// connection-failure metric filter; and the dashboard.
import { strict as assert } from 'assert';
import { renderFilterPattern } from '../../monitoring';
import { fakeAws, fakeInstance, RecordedResource } from '../helpers/mocks';
import { ProgramRun, runProgram } from '../helpers/program';

const ALARM = 'aws:cloudwatch/metricAlarm:MetricAlarm';
const FILTER = 'aws:cloudwatch/logMetricFilter:LogMetricFilter';
const TOPIC = 'aws:sns/topic:Topic';
const SUBSCRIPTION = 'aws:sns/topicSubscription:TopicSubscription';
const DASHBOARD = 'aws:cloudwatch/dashboard:Dashboard';
const LOG_GROUP = 'aws:cloudwatch/logGroup:LogGroup';
const INSTANCE = 'aws:rds/instance:Instance';

const alarm = (run: ProgramRun, metric: string): RecordedResource => {
  const found = run.ofType(ALARM).filter((a) => a.inputs.metricName === metric);
  assert.equal(found.length, 1, `one alarm on ${metric}`);
  return found[0];
};

describe('monitoring (Pulumi.staging.yaml: ToolJet on the clone)', () => {
  let run: ProgramRun;
  before(async () => {
    run = await runProgram({
      stack: 'staging',
      set: { monitoring: { alarmEmails: ['dba@example.com', 'oncall@example.com'] } },
    });
  });

  it("exports the clone's PostgreSQL log to a log group the stack creates first, with retention", () => {
    const clone = run.one(INSTANCE);
    const group = run.one(LOG_GROUP);
    assert.deepEqual(clone.inputs.enabledCloudwatchLogsExports, ['postgresql']);
    assert.equal(group.inputs.name, '/aws/rds/instance/test-db-pg13-clone/postgresql');
    assert.equal(group.inputs.retentionInDays, 30);
    assert.ok(
      clone.options.dependencies.includes(group.urn),
      'the clone waits for its log group (RDS would create one without retention)',
    );
  });

  it('alarms on the five RDS metrics of the clone with the documented defaults', () => {
    const expected: [string, string, string, number, number, number][] = [
      ['DatabaseConnections', 'Maximum', 'GreaterThanThreshold', 100, 300, 3],
      ['CPUUtilization', 'Average', 'GreaterThanThreshold', 80, 300, 3],
      ['ReadIOPS', 'Average', 'GreaterThanThreshold', 3000, 300, 3],
      ['WriteIOPS', 'Average', 'GreaterThanThreshold', 3000, 300, 3],
      // 10 % of the 100 GiB the source (and so the clone) has allocated
      ['FreeStorageSpace', 'Minimum', 'LessThanThreshold', 10 * 1024 ** 3, 300, 1],
    ];
    for (const [metric, statistic, op, threshold, period, evaluations] of expected) {
      const a = alarm(run, metric).inputs;
      assert.equal(a.namespace, 'AWS/RDS', metric);
      assert.deepEqual(a.dimensions, { DBInstanceIdentifier: 'test-db-pg13-clone' }, metric);
      assert.deepEqual(
        [a.statistic, a.comparisonOperator, a.threshold, a.period, a.evaluationPeriods, a.datapointsToAlarm],
        [statistic, op, threshold, period, evaluations, evaluations],
        metric,
      );
      assert.match(String(a.alarmDescription), /^test-db-pg13-clone: /);
    }
  });

  it("counts failed logins and TLS handshakes from the clone's log and alarms on them", () => {
    const filter = run.one(FILTER);
    assert.equal(filter.inputs.logGroupName, '/aws/rds/instance/test-db-pg13-clone/postgresql');
    assert.equal(filter.inputs.pattern, renderFilterPattern());
    assert.deepEqual(filter.inputs.metricTransformation, {
      name: 'ConnectionFailures',
      namespace: 'ToolJet/PostgreSQL/test-db-pg13-clone',
      value: '1',
      defaultValue: '0',
      unit: 'Count',
    });
    const a = alarm(run, 'ConnectionFailures');
    assert.equal(a.inputs.namespace, 'ToolJet/PostgreSQL/test-db-pg13-clone');
    assert.deepEqual(
      [a.inputs.statistic, a.inputs.comparisonOperator, a.inputs.threshold, a.inputs.treatMissingData],
      ['Sum', 'GreaterThanOrEqualToThreshold', 5, 'notBreaching'],
    );
    assert.ok(a.options.dependencies.includes(filter.urn));
  });

  it('sends every alarm (and its recovery) to one SNS topic with the configured e-mail subscriptions', () => {
    const topic = run.one(TOPIC);
    assert.equal(topic.inputs.name, 'tooljet-pg-upgrade-staging-db-alarms');
    const arn = String(topic.state.arn);
    const alarms = run.ofType(ALARM);
    assert.equal(alarms.length, 6);
    for (const a of alarms) {
      assert.deepEqual(a.inputs.alarmActions, [arn], a.name);
      assert.deepEqual(a.inputs.okActions, [arn], a.name);
      assert.match(String(a.inputs.name), /^tooljet-pg-upgrade-staging-[a-z-]+$/);
    }
    const subs = run.ofType(SUBSCRIPTION).map((s) => [s.inputs.topic, s.inputs.protocol, s.inputs.endpoint]);
    assert.deepEqual(subs, [
      [arn, 'email', 'dba@example.com'],
      [arn, 'email', 'oncall@example.com'],
    ]);
    assert.equal(run.outputs.alarmTopicArn.value, arn);
  });

  it('builds a dashboard with the clone next to the source and the alarm thresholds', () => {
    const d = run.one(DASHBOARD);
    assert.equal(d.inputs.dashboardName, 'tooljet-pg-upgrade-staging');
    const body = JSON.parse(String(d.inputs.dashboardBody)) as {
      widgets: { type: string; properties: Record<string, unknown> }[];
    };
    const cpu = body.widgets.find((w) => w.properties.title === 'CPU utilization (%)')!;
    assert.deepEqual(
      (cpu.properties.metrics as unknown[][]).map((m) => m[3]),
      ['test-db-pg13-clone', 'tooljet-prod-db'],
    );
    assert.deepEqual(cpu.properties.annotations, {
      horizontal: [{ label: 'alarm: tooljet-pg-upgrade-staging-cpu-utilization', value: 80 }],
    });
    const logs = body.widgets.find((w) => w.type === 'log')!;
    assert.match(String(logs.properties.query), /^SOURCE '\/aws\/rds\/instance\/test-db-pg13-clone\/postgresql' \| /);
    assert.equal(run.outputs.dashboardName.value, 'tooljet-pg-upgrade-staging');
  });
});

describe('monitoring: configuration', () => {
  it('takes thresholds, periods and evaluation periods from monitoring.<alarm>', async () => {
    const run = await runProgram({
      stack: 'staging',
      set: {
        monitoring: {
          cpuUtilization: { threshold: 65, period: 60, evaluationPeriods: 10 },
          freeStorageSpace: { threshold: 25 },
          logRetentionDays: 90,
        },
      },
    });
    const cpu = alarm(run, 'CPUUtilization').inputs;
    assert.deepEqual([cpu.threshold, cpu.period, cpu.evaluationPeriods], [65, 60, 10]);
    assert.equal(alarm(run, 'FreeStorageSpace').inputs.threshold, 25 * 1024 ** 3);
    assert.equal(alarm(run, 'DatabaseConnections').inputs.threshold, 100, 'others keep their defaults');
    assert.equal(run.one(LOG_GROUP).inputs.retentionInDays, 90);
  });

  it('monitoring.enabled: false creates no alarm, topic or dashboard (the clone still exports its log)', async () => {
    const run = await runProgram({ stack: 'staging', set: { monitoring: { enabled: false } } });
    for (const type of [ALARM, FILTER, TOPIC, SUBSCRIPTION, DASHBOARD]) assert.equal(run.ofType(type).length, 0, type);
    assert.deepEqual(run.one(INSTANCE).inputs.enabledCloudwatchLogsExports, ['postgresql']);
    assert.equal(run.one(LOG_GROUP).inputs.name, '/aws/rds/instance/test-db-pg13-clone/postgresql');
    assert.equal(run.outputs.alarmTopicArn, undefined);
  });
});

// Pulumi.prod.yaml is the cutover; ToolJet on the source in production is the rollback of a recorded cutover.
const ON_SOURCE = { activeDatabase: 'source', cutoverAt: '2026-07-01T22:00:00Z' };

describe('monitoring (Pulumi.prod.yaml: ToolJet on the source)', () => {
  it('alarms on the source; no connection-failure alarm when the source does not export its log', async () => {
    const run = await runProgram({ stack: 'prod', set: ON_SOURCE });
    const alarms = run.ofType(ALARM);
    assert.deepEqual(alarms.map((a) => a.inputs.metricName).sort(), [
      'CPUUtilization',
      'DatabaseConnections',
      'FreeStorageSpace',
      'ReadIOPS',
      'WriteIOPS',
    ]);
    for (const a of alarms) assert.deepEqual(a.inputs.dimensions, { DBInstanceIdentifier: 'tooljet-prod-db' });
    assert.equal(alarms[0].inputs.name, 'tooljet-pg-upgrade-prod-database-connections');
    // the clone's log is still filtered (and charted), ready for the cutover
    assert.deepEqual(
      run.ofType(FILTER).map((f) => f.inputs.logGroupName),
      ['/aws/rds/instance/tooljet-prod-db-pg16/postgresql'],
    );
  });

  it("uses the source's own log when it exports one (read, never changed)", async () => {
    const aws = fakeAws({
      instances: {
        'tooljet-prod-db': fakeInstance('tooljet-prod-db', { enabledCloudwatchLogsExports: ['postgresql', 'upgrade'] }),
      },
    });
    const run = await runProgram({ stack: 'prod', set: ON_SOURCE, aws });
    assert.deepEqual(
      run
        .ofType(FILTER)
        .map((f) => f.inputs.logGroupName)
        .sort(),
      ['/aws/rds/instance/tooljet-prod-db-pg16/postgresql', '/aws/rds/instance/tooljet-prod-db/postgresql'],
    );
    assert.equal(alarm(run, 'ConnectionFailures').inputs.namespace, 'ToolJet/PostgreSQL/tooljet-prod-db');
    assert.equal(run.ofType(LOG_GROUP).length, 1, "the source's log group belongs to RDS, not to the stack");
  });
});
