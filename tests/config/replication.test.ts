// strategy replication's keys (config/replication.ts) through parseStackConfig: the defaults, and each combination
// that cannot work refused in one line that says what to change.
import { strict as assert } from 'assert';
import { oneProblem, parse, problems, ECS_MIN, LOCKBOX, SKB, JWT } from '../helpers/settings';

const CUTOVER_AT = '2026-07-01T22:00:00Z';
const REPL = { strategy: 'replication' };
const APP = { lockboxMasterKey: LOCKBOX, secretKeyBase: SKB, pgrstJwtSecret: JWT };
const SECRETS = ['dbPassword', 'lockboxMasterKey', 'secretKeyBase', 'pgrstJwtSecret'];
const withTargets = { targets: { ecs: ECS_MIN }, ...APP };

describe('config: strategy replication', () => {
  it('defaults: <source>-pg16 on <id>-postgres16, 7 days of backups, 10 min catch-up deadline, durations in seconds', () => {
    const c = parse({ ...REPL });
    assert.deepEqual(c.replication, {
      identifier: 'tooljet-db-pg16',
      parameterGroupName: 'tooljet-db-pg16-postgres16',
      backupRetentionPeriod: 7,
      catchUpDeadlineSeconds: 600,
      createTimeoutSeconds: 7200,
      setupTimeoutSeconds: 7200,
      teardown: false,
    });
  });

  it('reads every key; production gets a final snapshot by default', () => {
    const c = parse(
      {
        ...REPL,
        environment: 'production',
        replication: {
          identifier: 'tj-new',
          instanceClass: 'db.r6g.large',
          allocatedStorage: 200,
          multiAz: true,
          user: 'tj_replicator',
          catchUpDeadline: '5m',
          createTimeout: '3h',
          setupTimeout: '90m',
        },
        replicationPassword: 'r-secret',
      },
      ['dbPassword', 'replicationPassword'],
    );
    assert.equal(c.replication?.finalSnapshotIdentifier, 'tj-new-final');
    assert.deepEqual(
      [c.replication?.allocatedStorageGiB, c.replication?.user, c.replication?.catchUpDeadlineSeconds],
      [200, 'tj_replicator', 300],
    );
    assert.equal(c.replication?.setupTimeoutSeconds, 5400);
  });

  it('cutover (activeDatabase clone) with a target and validation passes; cutoverAt is accepted', () => {
    const c = parse({ ...REPL, activeDatabase: 'clone', cutoverAt: CUTOVER_AT, ...withTargets }, SECRETS);
    assert.equal(c.cutoverAt, CUTOVER_AT);
  });

  const refused: Array<[string, Record<string, unknown>, RegExp, string[]?]> = [
    [
      'activeDatabase restored',
      { activeDatabase: 'restored', restoredInstance: { identifier: 'x-restored' } },
      /^tooljet-pg-upgrade:activeDatabase: "restored" has no meaning with strategy "replication"/,
    ],
    [
      'a clone section',
      { clone: { identifier: 'x' } },
      /^tooljet-pg-upgrade:clone: is not used with strategy "replication"/,
    ],
    [
      'a snapshot section',
      { snapshot: { mode: 'create' } },
      /^tooljet-pg-upgrade:snapshot: is not used with strategy "replication"/,
    ],
    [
      'the source as the new instance',
      { replication: { identifier: 'tooljet-db' } },
      /replication\.identifier: "tooljet-db" is the source instance/,
    ],
    [
      'a user without its password',
      { replication: { user: 'tj_replicator' } },
      /replicationPassword: not set; replication\.user "tj_replicator" needs its password as a secret/,
    ],
    [
      'a plain-text replication password',
      { replication: { user: 'tj_replicator' }, replicationPassword: 'p' },
      /replicationPassword: is stored in plain text/,
    ],
    [
      'a replication password without a user',
      { replicationPassword: 'p' },
      /replicationPassword: is only used with replication\.user/,
      ['dbPassword', 'replicationPassword'],
    ],
    [
      'a role name that does not belong on a command line',
      { replication: { user: 'tj;drop' } },
      /replication\.user: "tj;drop" is not valid/,
    ],
    [
      'maintenanceWindow: true',
      { maintenanceWindow: true },
      /maintenanceWindow: is only used with strategy "clone" \(replication always stops ToolJet/,
    ],
    [
      'the cutover without any target',
      { activeDatabase: 'clone' },
      /targets: none is configured, but strategy "replication" stops ToolJet for the cutover/,
    ],
    [
      'the rollback without any target',
      { cutoverAt: CUTOVER_AT },
      /targets: none is configured, but strategy "replication" stops ToolJet for the rollback/,
    ],
    [
      'cleanup',
      { cleanup: { enabled: true } },
      /cleanup\.enabled: only applies to strategy "clone" \(replication keeps its new instance/,
    ],
    [
      'a final snapshot in staging',
      { replication: { finalSnapshotIdentifier: 'x-final' } },
      /replication\.finalSnapshotIdentifier: is only used in production/,
    ],
    [
      'a bad catch-up deadline',
      { replication: { catchUpDeadline: 'soon' } },
      /replication\.catchUpDeadline: "soon" is not a duration/,
    ],
  ];
  for (const [name, extra, pattern, secrets] of refused) {
    it(`refuses ${name} in one line`, () => {
      oneProblem({ ...REPL, ...extra }, pattern, secrets);
    });
  }

  it('refuses the cutover without the exact validation', () => {
    const p = problems({ ...REPL, activeDatabase: 'clone', validation: { enabled: false }, ...withTargets }, SECRETS);
    assert.deepEqual(p.length, 1, p.join('\n'));
    assert.match(p[0], /validation\.enabled: false is refused with strategy "replication" and activeDatabase clone/);
  });

  it('refuses replication keys with another strategy', () => {
    oneProblem(
      { replication: { identifier: 'x' } },
      /^tooljet-pg-upgrade:replication: is only used with strategy "replication"/,
    );
    oneProblem(
      { replicationPassword: 'p' },
      /^tooljet-pg-upgrade:replicationPassword: is only used with strategy "replication"/,
    );
  });

  it('a teardown needs no target (no window)', () => {
    assert.equal(
      parse({ ...REPL, activeDatabase: 'clone', replication: { teardown: true } }).replication?.teardown,
      true,
    );
  });
});
