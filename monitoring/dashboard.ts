// The CloudWatch dashboard body (JSON) for the upgraded database: one graph per metric, the clone and the source
// side by side (so a cutover or a rollback shows as load moving from one line to the other), the alarm thresholds
// as annotations, and the latest connection failures from the clone's PostgreSQL log. Pure.
import { AlarmSpec } from './alarms';
import { CONNECTION_FAILURE_PATTERNS, FailurePattern, insightsRegex } from './log-filter';

export interface DashboardInstance {
  role: 'clone' | 'source' | 'restored';
  identifier: string;
  /** e.g. "PostgreSQL 16.9" */
  engine: string;
  connectionFailures?: { namespace: string; metricName: string };
  /** PostgreSQL log group, when the instance exports its log. */
  logGroupName?: string;
}

export interface DashboardInput {
  region: string;
  title: string;
  /** Identifier ToolJet is pointed at. */
  active: string;
  instances: DashboardInstance[];
  /** The alarms (their thresholds are drawn on the graphs of the active instance). */
  alarms: AlarmSpec[];
  period?: number;
  patterns?: readonly FailurePattern[];
}

interface Widget {
  type: 'metric' | 'text' | 'log';
  x: number;
  y: number;
  width: number;
  height: number;
  properties: Record<string, unknown>;
}

const GRAPHS: { title: string; metrics: string[]; stat: string; alarm?: string; unit?: string }[] = [
  { title: 'CPU utilization (%)', metrics: ['CPUUtilization'], stat: 'Average', alarm: 'CPUUtilization' },
  { title: 'Database connections', metrics: ['DatabaseConnections'], stat: 'Maximum', alarm: 'DatabaseConnections' },
  { title: 'Read IOPS', metrics: ['ReadIOPS'], stat: 'Average', alarm: 'ReadIOPS' },
  { title: 'Write IOPS', metrics: ['WriteIOPS'], stat: 'Average', alarm: 'WriteIOPS' },
  { title: 'Free storage space (bytes)', metrics: ['FreeStorageSpace'], stat: 'Minimum', alarm: 'FreeStorageSpace' },
  { title: 'Read / write latency (s)', metrics: ['ReadLatency', 'WriteLatency'], stat: 'Average' },
];

function label(i: DashboardInstance, active: string): string {
  return `${i.role} ${i.identifier} (${i.engine})${i.identifier === active ? ' [active]' : ''}`;
}

/** The dashboard body, as the JSON text aws.cloudwatch.Dashboard takes. */
export function renderDashboard(input: DashboardInput): string {
  if (input.instances.length === 0) throw new Error('renderDashboard: no instance');
  const period = input.period ?? 300;
  const widgets: Widget[] = [];
  const lines = input.instances.map(
    (i) =>
      `- **${i.role}**: \`${i.identifier}\`, ${i.engine}${i.identifier === input.active ? ' — **ToolJet points here** (alarms follow it)' : ''}`,
  );
  widgets.push({
    type: 'text',
    x: 0,
    y: 0,
    width: 24,
    height: 3,
    properties: { markdown: `# ${input.title}\n${lines.join('\n')}` },
  });

  let slot = 0;
  const place = (): { x: number; y: number } => {
    const p = { x: (slot % 2) * 12, y: 3 + Math.floor(slot / 2) * 6 };
    slot++;
    return p;
  };
  for (const g of GRAPHS) {
    const metrics: unknown[] = [];
    for (const i of input.instances) {
      for (const m of g.metrics) {
        metrics.push([
          'AWS/RDS',
          m,
          'DBInstanceIdentifier',
          i.identifier,
          { label: `${g.metrics.length > 1 ? `${m} ` : ''}${label(i, input.active)}` },
        ]);
      }
    }
    const alarm = g.alarm
      ? input.alarms.find((a) => a.metricName === g.alarm && a.dimensions.DBInstanceIdentifier === input.active)
      : undefined;
    widgets.push({
      type: 'metric',
      ...place(),
      width: 12,
      height: 6,
      properties: {
        title: g.title,
        region: input.region,
        view: 'timeSeries',
        stacked: false,
        stat: g.stat,
        period,
        metrics,
        ...(alarm && { annotations: { horizontal: [{ label: `alarm: ${alarm.name}`, value: alarm.threshold }] } }),
      },
    });
  }

  const failing = input.instances.filter((i) => i.connectionFailures);
  if (failing.length) {
    const alarm = input.alarms.find((a) => a.kind === 'connectionFailures');
    widgets.push({
      type: 'metric',
      ...place(),
      width: 12,
      height: 6,
      properties: {
        title: 'Failed logins and TLS handshakes (PostgreSQL log)',
        region: input.region,
        view: 'timeSeries',
        stacked: false,
        stat: 'Sum',
        period,
        metrics: failing.map((i) => [
          i.connectionFailures!.namespace,
          i.connectionFailures!.metricName,
          { label: label(i, input.active) },
        ]),
        ...(alarm && { annotations: { horizontal: [{ label: `alarm: ${alarm.name}`, value: alarm.threshold }] } }),
      },
    });
  }

  const logs = input.instances.filter((i) => i.logGroupName);
  if (logs.length) {
    const y = 3 + Math.ceil(slot / 2) * 6;
    widgets.push({
      type: 'log',
      x: 0,
      y,
      width: 24,
      height: 6,
      properties: {
        title: 'Latest connection failures (PostgreSQL log)',
        region: input.region,
        view: 'table',
        query: `${logs.map((i) => `SOURCE '${i.logGroupName}'`).join(' | ')} | fields @timestamp, @log, @message | filter @message like /${insightsRegex(input.patterns ?? CONNECTION_FAILURE_PATTERNS)}/ | sort @timestamp desc | limit 50`,
      },
    });
  }
  return JSON.stringify({ widgets });
}
