// parseStackConfig for the aftercare keys: strategy, blueGreen, monitoring, cleanup, cutoverAt. Defaults, and one
// clear line for each kind of bad input (unknown sub-keys included).
import { strict as assert } from 'assert';
import {
  addDays,
  calendarDate,
  ConfigError,
  DEFAULTS,
  parseStackConfig,
  StackConfig,
  utcTimestamp,
} from '../../config';
import { TEST_PASSWORD, testCaBundle } from '../helpers/program';
import { REPO_ROOT } from '../helpers/stack-file';

type Raw = Record<string, unknown>;
const obj = (o: unknown) => JSON.stringify(o);

function minimal(extra: Raw = {}): Raw {
  return {
    source: obj({ identifier: 'tooljet-db' }),
    caBundle: testCaBundle(),
    database: obj({ username: 'tooljet' }),
    dbPassword: TEST_PASSWORD,
    ...extra,
  };
}
function parse(raw: Raw, stack = 'staging'): StackConfig {
  return parseStackConfig(raw, {
    stack,
    project: 'tooljet-pg-upgrade',
    baseDir: REPO_ROOT,
    isSecret: (k) => k === 'dbPassword',
  });
}
function failsWith(raw: Raw, pattern: RegExp, stack = 'staging'): void {
  let caught: unknown;
  try {
    parse(raw, stack);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof ConfigError, `expected a ConfigError, got ${String(caught)}`);
  assert.equal(caught.problems.length, 1, caught.message);
  assert.match(caught.message, pattern);
}

describe('config/aftercare: defaults', () => {
  it('strategy clone, monitoring on with the documented thresholds, no cleanup, no cutover', () => {
    const c = parse(minimal());
    assert.equal(c.strategy, 'clone');
    assert.equal(c.blueGreen, undefined);
    assert.deepEqual(c.monitoring, { enabled: true, alarmEmails: [], logRetentionDays: 30, alarms: DEFAULTS.alarms });
    assert.deepEqual(c.cleanup, { enabled: false });
    assert.equal(c.cutoverAt, undefined);
  });

  it('blue-green: phase import, group <source>-postgres16, 8h update timeout', () => {
    const c = parse(minimal({ strategy: 'blue-green' }), 'prod');
    assert.deepEqual(c.blueGreen, {
      phase: 'import',
      parameterGroupName: 'tooljet-db-postgres16',
      updateTimeoutSeconds: 8 * 3600,
    });
  });
});

describe('config/aftercare: bad input, one line each', () => {
  it('strategy', () =>
    failsWith(
      minimal({ strategy: 'in-place' }),
      /^tooljet-pg-upgrade:strategy: "in-place" is not allowed; use one of: clone, blue-green, replication$/,
    ));
  it('blueGreen with strategy clone', () =>
    failsWith(
      minimal({ blueGreen: obj({ phase: 'upgrade' }) }),
      /^tooljet-pg-upgrade:blueGreen: is only used with strategy "blue-green"/,
    ));
  it('blueGreen.phase', () =>
    failsWith(
      minimal({ strategy: 'blue-green', blueGreen: obj({ phase: 'switch' }) }),
      /blueGreen\.phase: "switch" is not allowed; use one of: import, upgrade$/,
    ));
  it('blueGreen unknown sub-key', () =>
    failsWith(
      minimal({ strategy: 'blue-green', blueGreen: obj({ phaze: 'upgrade' }) }),
      /blueGreen\.phaze: unknown key; did you mean "phase"\?/,
    ));
  it('cutoverAt with blue-green', () =>
    failsWith(
      minimal({ strategy: 'blue-green', cutoverAt: '2026-07-01T22:00:00Z' }),
      /^tooljet-pg-upgrade:cutoverAt: is only used with strategy "clone"/,
    ));

  it('monitoring unknown keys, at both levels', () => {
    failsWith(
      minimal({ monitoring: obj({ alarmEmail: ['a@b.co'] }) }),
      /monitoring\.alarmEmail: unknown key; did you mean "alarmEmails"\?/,
    );
    failsWith(
      minimal({ monitoring: obj({ cpuUtilization: { treshold: 70 } }) }),
      /monitoring\.cpuUtilization\.treshold: unknown key; did you mean "threshold"\?/,
    );
  });
  it('monitoring.enabled not a boolean', () =>
    failsWith(minimal({ monitoring: obj({ enabled: 'yes' }) }), /monitoring\.enabled: must be true or false/));
  it('alarm period not a multiple of 60', () =>
    failsWith(
      minimal({ monitoring: obj({ readIops: { period: 90 } }) }),
      /monitoring\.readIops\.period: 90 is not a multiple of 60; /,
    ));
  it('alarm window over one day', () =>
    failsWith(
      minimal({ monitoring: obj({ writeIops: { period: 3600, evaluationPeriods: 25 } }) }),
      /monitoring\.writeIops\.evaluationPeriods: 25 x 3600 s is more than one day/,
    ));
  it('CPU threshold over 100 %', () =>
    failsWith(
      minimal({ monitoring: obj({ cpuUtilization: { threshold: 150 } }) }),
      /monitoring\.cpuUtilization\.threshold: must be a whole number from 1 to 100, got 150/,
    ));
  it('free storage percent of 100', () =>
    failsWith(
      minimal({ monitoring: obj({ freeStorageSpace: { threshold: 100 } }) }),
      /monitoring\.freeStorageSpace\.threshold: must be a whole number from 1 to 99/,
    ));
  it('alarm e-mails', () => {
    failsWith(
      minimal({ monitoring: obj({ alarmEmails: 'dba@example.com' }) }),
      /monitoring\.alarmEmails: must be a list of e-mail addresses/,
    );
    failsWith(
      minimal({ monitoring: obj({ alarmEmails: ['dba at example.com'] }) }),
      /monitoring\.alarmEmails\[0\]: "dba at example\.com" is not valid; use an e-mail address/,
    );
    failsWith(
      minimal({ monitoring: obj({ alarmEmails: ['a@b.co', 'a@b.co'] }) }),
      /monitoring\.alarmEmails\[1\]: "a@b\.co" is listed twice/,
    );
  });
  it('log retention CloudWatch does not offer', () =>
    failsWith(
      minimal({ monitoring: obj({ logRetentionDays: 45 }) }),
      /monitoring\.logRetentionDays: 45 is not a retention CloudWatch Logs accepts; use one of 1, 3, 5, 7, 14, 30, 60/,
    ));

  it('cleanup as a bare boolean (the delete-after date must be given)', () =>
    failsWith(
      minimal({ cleanup: 'true' }),
      /^tooljet-pg-upgrade:cleanup: must be a mapping: cleanup: \{ enabled: true, deleteSnapshotAfter: "YYYY-MM-DD" \}/,
    ));
  it('cleanup.deleteSnapshotAfter not a calendar date', () =>
    failsWith(
      minimal({ cleanup: obj({ deleteSnapshotAfter: '2026-02-30' }) }),
      /cleanup\.deleteSnapshotAfter: "2026-02-30" is not a calendar date/,
    ));
  it('cleanup: both a date and a retention', () =>
    failsWith(
      minimal({ cleanup: obj({ deleteSnapshotAfter: '2026-12-31', retainSnapshotDays: 30 }) }),
      /cleanup\.retainSnapshotDays: is computed into a date only when cleanup\.deleteSnapshotAfter is not set/,
    ));
  it('cleanup.retainSnapshotDays without cutoverAt', () =>
    failsWith(
      minimal({ cleanup: obj({ retainSnapshotDays: 30 }) }),
      /cleanup\.retainSnapshotDays: counts from cutoverAt, which is not set/,
    ));
  it('cleanup unknown sub-key', () =>
    failsWith(minimal({ cleanup: obj({ enable: true }) }), /cleanup\.enable: unknown key; did you mean "enabled"\?/));
  it('a delete-after date for a snapshot the stack does not manage (snapshot.mode existing)', () =>
    failsWith(
      minimal({
        snapshot: obj({ mode: 'existing', identifier: 'snap-1' }),
        cleanup: obj({ deleteSnapshotAfter: '2026-12-31' }),
      }),
      /^tooljet-pg-upgrade:cleanup\.deleteSnapshotAfter: cannot tag a snapshot this stack does not manage/,
    ));
  it('cleanup of a clone restored from an existing snapshot needs no date', () => {
    assert.deepEqual(
      parse(
        minimal({
          snapshot: obj({ mode: 'existing', identifier: 'snap-1' }),
          activeDatabase: 'source',
          cleanup: obj({ enabled: true }),
        }),
      ).cleanup,
      { enabled: true },
    );
  });
  it('cleanup.enabled refused (production, a clone ToolJet uses, blue-green): only that problem, not also a missing delete-after date', () => {
    failsWith(
      minimal({ cleanup: obj({ enabled: true }) }),
      /^tooljet-pg-upgrade:cleanup\.enabled: is refused in production/,
      'prod',
    );
    failsWith(
      minimal({ activeDatabase: 'clone', cleanup: obj({ enabled: true }) }),
      /^tooljet-pg-upgrade:cleanup\.enabled: would delete the clone ToolJet is pointed at/,
    );
    failsWith(
      minimal({ strategy: 'blue-green', cleanup: obj({ enabled: true }) }),
      /^tooljet-pg-upgrade:cleanup\.enabled: only applies to strategy "clone"/,
    );
    // Accepted cleanup still needs its date.
    failsWith(
      minimal({ cleanup: obj({ enabled: true }) }),
      /^tooljet-pg-upgrade:cleanup\.deleteSnapshotAfter: not set; cleanup keeps the pre-upgrade snapshot/,
    );
  });
  it('cutoverAt not a UTC timestamp', () =>
    failsWith(
      minimal({ cutoverAt: '2026-07-01 22:00' }),
      /^tooljet-pg-upgrade:cutoverAt: "2026-07-01 22:00" is not a UTC timestamp like 2026-07-01T22:00:00Z; record it once: pulumi config set cutoverAt "\$\(date -u \+%Y-%m-%dT%H:%M:%SZ\)"$/,
    ));
});

describe('config/aftercare: dates are fixed values, never the clock', () => {
  it('accepts a date as YAML hands an unquoted one over, and normalises timestamps', () => {
    assert.equal(
      parse(minimal({ cleanup: obj({ deleteSnapshotAfter: '2026-12-31T00:00:00Z' }) })).cleanup.snapshotDeleteAfter,
      '2026-12-31',
    );
    assert.equal(parse(minimal({ cutoverAt: '2026-07-01T22:00Z' })).cutoverAt, '2026-07-01T22:00:00Z');
  });

  it('calendarDate / utcTimestamp / addDays', () => {
    assert.equal(calendarDate('2028-02-29'), '2028-02-29');
    assert.equal(calendarDate('2027-02-29'), undefined);
    assert.equal(calendarDate('2026-12-31T05:00:00Z'), undefined, 'only midnight: anything else is not a plain date');
    assert.equal(utcTimestamp('2026-07-01T24:00:00Z'), undefined);
    assert.equal(utcTimestamp('2026-07-01T22:00:00+02:00'), undefined, 'UTC only');
    assert.equal(utcTimestamp('2026-07-01T22:00:05.123Z'), '2026-07-01T22:00:05Z');
    assert.equal(addDays('2026-12-15T23:59:59Z', 30), '2027-01-14');
    assert.equal(addDays('2028-02-28', 1), '2028-02-29');
  });
});
