// Where the clone's snapshot comes from, and why its identifier never moves by itself (a changed
// snapshotIdentifier replaces the clone).
import { strict as assert } from 'assert';
import { fakeAws, fakeInstance, fakeSnapshot } from '../helpers/mocks';
import { programError, runProgram, stackValue } from '../helpers/program';

const INSTANCE = 'aws:rds/instance:Instance';
const ARN = 'arn:aws:rds:us-east-1:210987654321:snapshot:tooljet-prod-db-encrypted-copy';

function existing(identifier: string) {
  return { snapshot: { mode: 'existing', identifier } };
}

function worldWith(...snapshots: ReturnType<typeof fakeSnapshot>[]) {
  return fakeAws({ snapshots: Object.fromEntries(snapshots.map((s) => [s.dbSnapshotIdentifier, s])) });
}

describe('program: the snapshot the clone restores from', () => {
  it('gives the clone the same snapshotIdentifier on every run (nothing derived from the clock)', async () => {
    const a = await runProgram({ stack: 'staging' });
    await new Promise((r) => setTimeout(r, 1100));
    const b = await runProgram({ stack: 'staging' });
    assert.deepEqual(b.one(INSTANCE).inputs, a.one(INSTANCE).inputs);
    assert.deepEqual(b.one('aws:rds/snapshot:Snapshot').inputs, a.one('aws:rds/snapshot:Snapshot').inputs);
  });

  it('without snapshot.identifier derives <source>-pre-pg16-<stack>, again stable', async () => {
    const snapshot = stackValue('staging', 'snapshot');
    delete snapshot.identifier;
    const run = await runProgram({ stack: 'staging', set: { snapshot } });
    assert.equal(run.one('aws:rds/snapshot:Snapshot').inputs.dbSnapshotIdentifier, 'tooljet-prod-db-pre-pg16-staging');
    assert.equal(run.one(INSTANCE).inputs.snapshotIdentifier, 'tooljet-prod-db-pre-pg16-staging');
  });

  it('only a deliberate config change moves the clone to another snapshot (that change replaces the clone)', async () => {
    const snapshot = { ...stackValue('staging', 'snapshot'), identifier: 'tooljet-prod-db-pre-pg16-staging-2' };
    const run = await runProgram({ stack: 'staging', set: { snapshot } });
    assert.equal(run.one(INSTANCE).inputs.snapshotIdentifier, 'tooljet-prod-db-pre-pg16-staging-2');
  });

  describe('snapshot.mode "existing"', () => {
    it('creates no snapshot and restores from the looked-up one, pinned by exact identifier (never mostRecent)', async () => {
      const run = await runProgram({
        stack: 'staging',
        set: existing('tooljet-prod-db-manual-1'),
        aws: worldWith(fakeSnapshot('tooljet-prod-db-manual-1', 'tooljet-prod-db')),
      });
      assert.equal(run.ofType('aws:rds/snapshot:Snapshot').length, 0);
      const lookup = run.invokes.find((i) => i.token === 'aws:rds/getSnapshot:getSnapshot')!;
      assert.deepEqual(lookup.inputs, { dbSnapshotIdentifier: 'tooljet-prod-db-manual-1' });
      const clone = run.one(INSTANCE);
      assert.equal(clone.inputs.snapshotIdentifier, 'tooljet-prod-db-manual-1');
      assert.equal(
        (clone.inputs.tags as Record<string, string>)['tooljet:source-snapshot'],
        'tooljet-prod-db-manual-1',
      );
      assert.equal(run.outputs.snapshotIdentifier.value, 'tooljet-prod-db-manual-1');
    });

    it('accepts a snapshot shared from another account by ARN (looked up with includeShared)', async () => {
      const run = await runProgram({
        stack: 'staging',
        set: existing(ARN),
        aws: worldWith(fakeSnapshot(ARN, 'legacy-name')),
      });
      const lookup = run.invokes.find((i) => i.token === 'aws:rds/getSnapshot:getSnapshot')!;
      assert.deepEqual(lookup.inputs, { dbSnapshotIdentifier: ARN, includeShared: true });
      assert.equal(run.one(INSTANCE).inputs.snapshotIdentifier, ARN);
    });

    it('restores an encrypted copy even when the source itself is unencrypted', async () => {
      const aws = worldWith(fakeSnapshot('tooljet-prod-db-encrypted', 'tooljet-prod-db'));
      aws.instances['tooljet-prod-db'] = fakeInstance('tooljet-prod-db', { storageEncrypted: false });
      const run = await runProgram({ stack: 'staging', set: existing('tooljet-prod-db-encrypted'), aws });
      assert.equal(run.one(INSTANCE).inputs.storageEncrypted, true);
    });

    const bad: [string, Partial<ReturnType<typeof fakeSnapshot>>, RegExp][] = [
      [
        'not available yet',
        { status: 'creating' },
        /snapshot\.identifier: snapshot "snap-x" is "creating", not "available"; wait until it is available/,
      ],
      [
        'of another engine',
        { engine: 'mysql', engineVersion: '8.0.36' },
        /snapshot "snap-x" is mysql 8\.0\.36, not postgres 13\.x/,
      ],
      ['already PostgreSQL 16', { engineVersion: '16.9' }, /snapshot "snap-x" is postgres 16\.9, not postgres 13\.x/],
      [
        'unencrypted',
        { encrypted: false },
        /snapshot "snap-x" is not encrypted, so the clone would not be; copy a snapshot with a KMS key/,
      ],
      [
        'of another instance',
        { dbInstanceIdentifier: 'billing-db' },
        /snapshot "snap-x" was taken of "billing-db", not of source "tooljet-prod-db"/,
      ],
    ];
    for (const [what, overrides, message] of bad) {
      it(`refuses a snapshot that is ${what}, before creating anything`, async () => {
        const { error, mocks } = await programError({
          stack: 'staging',
          set: existing('snap-x'),
          aws: worldWith(fakeSnapshot('snap-x', 'tooljet-prod-db', overrides)),
        });
        assert.match(error.message, message);
        assert.match(error.message, /^tooljet-pg-upgrade:snapshot\.identifier: /);
        assert.equal(mocks.resources.length, 0);
      });
    }

    it('says so when the snapshot does not exist', async () => {
      const { error } = await programError({ stack: 'staging', set: existing('snap-missing') });
      assert.match(
        error.message,
        /^tooljet-pg-upgrade:snapshot\.identifier: snapshot "snap-missing" could not be read \(.*DBSnapshotNotFound: .*\); check the identifier and aws:region$/,
      );
    });
  });
});
