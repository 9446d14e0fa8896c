// The monitoring renderers on their own: alarm specs, the CloudWatch filter syntax the matcher implements, and the
// dashboard body.
import { strict as assert } from 'assert';
import { DEFAULTS } from '../../config';
import {
  connectionFailureMetric,
  insightsRegex,
  kebab,
  matchesFilterPattern,
  parseFilterPattern,
  postgresLogGroupName,
  renderAlarms,
  renderDashboard,
  renderFilterPattern,
} from '../../monitoring';

describe('renderAlarms', () => {
  const withFailures = {
    identifier: 'db1',
    allocatedStorageGiB: 50,
    connectionFailures: connectionFailureMetric('db1'),
  };

  it('one alarm per kind, named per stack and kind (not per instance), on the instance', () => {
    const specs = renderAlarms('tooljet-pg-upgrade-prod', withFailures, DEFAULTS.alarms);
    assert.deepEqual(
      specs.map((s) => s.name),
      [
        'tooljet-pg-upgrade-prod-database-connections',
        'tooljet-pg-upgrade-prod-cpu-utilization',
        'tooljet-pg-upgrade-prod-read-iops',
        'tooljet-pg-upgrade-prod-write-iops',
        'tooljet-pg-upgrade-prod-free-storage-space',
        'tooljet-pg-upgrade-prod-connection-failures',
      ],
    );
    assert.ok(specs.slice(0, 5).every((s) => s.dimensions.DBInstanceIdentifier === 'db1' && s.namespace === 'AWS/RDS'));
    assert.deepEqual(specs[5].dimensions, {});
    assert.equal(specs[5].namespace, 'ToolJet/PostgreSQL/db1');
  });

  it('free storage: percent of allocated storage in bytes, alarming below', () => {
    const s = renderAlarms('p', withFailures, {
      ...DEFAULTS.alarms,
      freeStorageSpace: { threshold: 20, period: 60, evaluationPeriods: 2 },
    }).find((x) => x.kind === 'freeStorageSpace')!;
    assert.equal(s.threshold, 10 * 1024 ** 3);
    assert.equal(s.comparisonOperator, 'LessThanThreshold');
    assert.deepEqual([s.period, s.evaluationPeriods, s.datapointsToAlarm], [60, 2, 2]);
    assert.match(s.description, /below 20% of the 50 GiB allocated for 2 x 1 min$/);
  });

  it('no connection-failure alarm without a log to count from; unknown storage is an error', () => {
    assert.equal(renderAlarms('p', { identifier: 'db1', allocatedStorageGiB: 5 }, DEFAULTS.alarms).length, 5);
    assert.throws(
      () => renderAlarms('p', { identifier: 'db1', allocatedStorageGiB: 0 }, DEFAULTS.alarms),
      /allocated storage of db1 is unknown/,
    );
  });

  it('kebab-cases kinds', () => assert.equal(kebab('databaseConnections'), 'database-connections'));
});

describe('CloudWatch filter pattern subset', () => {
  it('parses quoted, bare, ?-OR and --NOT terms', () => {
    assert.deepEqual(parseFilterPattern('ERROR ?"a b" -"c d" ?e'), [
      { text: 'ERROR', kind: 'and' },
      { text: 'a b', kind: 'or' },
      { text: 'c d', kind: 'not' },
      { text: 'e', kind: 'or' },
    ]);
    assert.throws(() => parseFilterPattern('"unterminated'), /unsupported filter pattern/);
  });

  it('matches like CloudWatch: all AND terms, no NOT term, one of the OR terms; case-sensitive', () => {
    assert.equal(matchesFilterPattern('?"x y" ?z', 'a z b'), true);
    assert.equal(matchesFilterPattern('?"x y" ?z', 'a x  y b'), false);
    assert.equal(matchesFilterPattern('FATAL -"database"', 'FATAL: database "x" does not exist'), false);
    assert.equal(matchesFilterPattern('FATAL ?pw ?hba', 'FATAL: hba'), true);
    assert.equal(matchesFilterPattern('FATAL ?pw ?hba', 'LOG: hba'), false);
    assert.equal(matchesFilterPattern('?"SSL"', 'ssl error'), false);
  });

  it('renders terms quoted and refuses a term that cannot be quoted', () => {
    assert.equal(
      renderFilterPattern([
        { term: 'a b', meaning: '' },
        { term: 'c', meaning: '' },
      ]),
      '?"a b" ?"c"',
    );
    assert.throws(() => renderFilterPattern([{ term: 'say "hi"', meaning: '' }]), /cannot be quoted/);
    assert.throws(() => renderFilterPattern([]), /no terms/);
  });

  it('names the RDS log group and escapes the Insights regex', () => {
    assert.equal(postgresLogGroupName('db1'), '/aws/rds/instance/db1/postgresql');
    assert.match(insightsRegex(), /no pg_hba\\\.conf entry for/);
    assert.ok(new RegExp(insightsRegex()).test('FATAL:  no pg_hba.conf entry for host "10.0.0.5"'));
    assert.ok(!new RegExp(insightsRegex()).test('no pg_hbaXconf entry for'));
  });
});

describe('renderDashboard', () => {
  const alarms = renderAlarms(
    'p',
    { identifier: 'clone1', allocatedStorageGiB: 10, connectionFailures: connectionFailureMetric('clone1') },
    DEFAULTS.alarms,
  );
  const body = JSON.parse(
    renderDashboard({
      region: 'eu-west-1',
      title: 'T',
      active: 'clone1',
      instances: [
        {
          role: 'clone',
          identifier: 'clone1',
          engine: 'PostgreSQL 16.9',
          connectionFailures: connectionFailureMetric('clone1'),
          logGroupName: '/aws/rds/instance/clone1/postgresql',
        },
        { role: 'source', identifier: 'src1', engine: 'PostgreSQL 13.20' },
      ],
      alarms,
    }),
  ) as {
    widgets: {
      type: string;
      x: number;
      y: number;
      width: number;
      height: number;
      properties: Record<string, unknown>;
    }[];
  };

  it('lays the widgets out on the 24-column grid without overlap', () => {
    const cells = new Set<string>();
    for (const w of body.widgets) {
      assert.ok(w.x + w.width <= 24, JSON.stringify(w));
      for (let x = w.x; x < w.x + w.width; x++)
        for (let y = w.y; y < w.y + w.height; y++) {
          const k = `${x},${y}`;
          assert.ok(!cells.has(k), `overlap at ${k}`);
          cells.add(k);
        }
    }
  });

  it('plots clone and source per metric, marks the active one, draws its alarm threshold', () => {
    const conn = body.widgets.find((w) => w.properties.title === 'Database connections')!;
    const metrics = conn.properties.metrics as [string, string, string, string, { label: string }][];
    assert.deepEqual(
      metrics.map((m) => [m[0], m[1], m[3], m[4].label]),
      [
        ['AWS/RDS', 'DatabaseConnections', 'clone1', 'clone clone1 (PostgreSQL 16.9) [active]'],
        ['AWS/RDS', 'DatabaseConnections', 'src1', 'source src1 (PostgreSQL 13.20)'],
      ],
    );
    assert.equal(conn.properties.region, 'eu-west-1');
    assert.deepEqual(conn.properties.annotations, {
      horizontal: [{ label: 'alarm: p-database-connections', value: 100 }],
    });
  });

  it("charts connection failures and lists the latest from the clone's log", () => {
    const f = body.widgets.find((w) => w.properties.title === 'Failed logins and TLS handshakes (PostgreSQL log)')!;
    assert.deepEqual(f.properties.metrics, [
      ['ToolJet/PostgreSQL/clone1', 'ConnectionFailures', { label: 'clone clone1 (PostgreSQL 16.9) [active]' }],
    ]);
    const log = body.widgets.find((w) => w.type === 'log')!;
    assert.match(
      String(log.properties.query),
      /^SOURCE '\/aws\/rds\/instance\/clone1\/postgresql' \| fields @timestamp, @log, @message \| filter @message like \/.*could not accept SSL connection.*\/ \| sort @timestamp desc \| limit 50$/,
    );
  });
});
