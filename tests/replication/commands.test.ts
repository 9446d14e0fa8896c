// The replicate commands' text and environment (replication/commands.ts), and the replication alarms
// (monitoring/alarms.ts renderReplicationAlarms): pure, no Pulumi.
import { strict as assert } from 'assert';
import { DEFAULTS } from '../../config/types';
import { renderReplicationAlarms } from '../../monitoring/alarms';
import { REPLICATION_COMMAND_STEPS, replicationEnvironment, replicationScript } from '../../replication/commands';

const OPTS = { databases: ['tooljet_production', 'tooljet_db'], catchUpDeadlineSeconds: 600 };

describe('replication/commands: the tj-pg-upgrade replicate scripts', () => {
  it('runs every step in the project directory through the compiled CLI, with flags only', () => {
    for (const step of REPLICATION_COMMAND_STEPS) {
      const script = replicationScript(step, OPTS);
      assert.match(script, /^if \[ ! -f Pulumi\.yaml \]/, `${step}: the project-directory guard first`);
      assert.match(script, /node bin\/tj-pg-upgrade\.js (replicate|precheck) /, step);
      assert.ok(!/PGPASSWORD|postgresql:\/\//.test(script), `${step}: no secret, no URL`);
    }
  });

  it('passes --replication-user only when configured, and refuses a value that does not belong on a command line', () => {
    assert.ok(!replicationScript('setup', OPTS).includes('--replication-user'));
    assert.match(
      replicationScript('setup', { ...OPTS, replicationUser: 'tj_replicator' }),
      /--subscriber-sslrootcert "\$TJ_SUBSCRIBER_SSLROOTCERT" --replication-user tj_replicator\n$/,
    );
    assert.throws(() => replicationScript('setup', { ...OPTS, databases: ['tooljet; rm -rf /'] }), /characters/);
  });

  it('formats the deadline as the CLI takes it (1h30m)', () => {
    assert.match(replicationScript('catch-up', { ...OPTS, catchUpDeadlineSeconds: 5400 }), /--deadline 1h30m\n$/);
  });

  it('the environment: password-free verify-full URLs, the passwords apart, the publisher when the step has one', () => {
    const e = replicationEnvironment({
      source: { host: 'src.example.rds.amazonaws.com', port: 5432 },
      target: { host: 'new.example.rds.amazonaws.com', port: 5433 },
      user: 'tooljet',
      database: 'tooljet_production',
      caFile: 'certs/global-bundle.pem',
      password: 'pw',
      replicationPassword: 'rpw',
      publisher: { host: 'new.example.rds.amazonaws.com', port: 5433 },
    });
    assert.equal(
      e.TJ_PG_TARGET_URL,
      'postgresql://tooljet@new.example.rds.amazonaws.com:5433/tooljet_production?sslmode=verify-full&sslrootcert=certs/global-bundle.pem',
    );
    assert.ok(!e.TJ_PG_SOURCE_URL.includes('pw'));
    assert.deepEqual(
      [e.PGPASSWORD, e.TJ_PG_REPLICATION_PASSWORD, e.TJ_PUBLISHER_HOST, e.TJ_PUBLISHER_PORT],
      ['pw', 'rpw', 'new.example.rds.amazonaws.com', '5433'],
    );
    assert.throws(
      () =>
        replicationEnvironment({
          source: { host: 'a', port: 1 },
          target: { host: 'b', port: 1 },
          user: 'u',
          database: 'd',
          caFile: 'c',
          password: '',
        }),
      /password is empty/,
    );
  });
});

describe('monitoring/alarms: renderReplicationAlarms', () => {
  it('slot lag (MiB -> bytes) and slot disk (percent -> bytes) on an instance; free storage only when not active', () => {
    const inactive = renderReplicationAlarms(
      'tj-prod',
      { role: 'clone', identifier: 'new-db', allocatedStorageGiB: 100, active: false },
      DEFAULTS.alarms,
    );
    assert.deepEqual(
      inactive.map((s) => [s.name, s.metricName, s.threshold]),
      [
        ['tj-prod-clone-replication-slot-lag', 'OldestReplicationSlotLag', 1024 * 1024 ** 2],
        ['tj-prod-clone-replication-slot-disk-usage', 'ReplicationSlotDiskUsage', 10 * 1024 ** 3],
        ['tj-prod-clone-free-storage-space', 'FreeStorageSpace', 10 * 1024 ** 3],
      ],
    );
    for (const s of inactive) assert.deepEqual(s.dimensions, { DBInstanceIdentifier: 'new-db' });
    const active = renderReplicationAlarms(
      'tj-prod',
      { role: 'source', identifier: 'src', allocatedStorageGiB: 100, active: true },
      DEFAULTS.alarms,
    );
    assert.deepEqual(
      active.map((s) => s.metricName),
      ['OldestReplicationSlotLag', 'ReplicationSlotDiskUsage'],
    );
    assert.ok(
      active.every((s) => s.treatMissingData === 'notBreaching'),
      'no slot, no datapoint: not a breach',
    );
  });
});
