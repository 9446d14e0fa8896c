// cutover/fresh-snapshot staleSnapshotWarning: a cutover window against a snapshot taken before it cannot pass the exact
// validation; the rule (at or after cutoverAt = this window's) and the one-line advice, pure.
import { strict as assert } from 'assert';
import { nextIdentifier, staleSnapshotWarning } from '../../cutover/fresh-snapshot';

const base = { snapshotIdentifier: 'tooljet-prod-db-pre-pg16-prod', cloneIdentifier: 'tooljet-prod-db-pg16' };
const CUTOVER_AT = '2026-07-01T22:00:00Z';

describe('cutover/fresh-snapshot: a window needs a fresh snapshot', () => {
  it('no snapshot yet (the normal window), or one taken at/after cutoverAt (a resumed window, every later run): nothing to say', () => {
    assert.equal(staleSnapshotWarning({ ...base, presence: { exists: false }, cutoverAt: CUTOVER_AT }), undefined);
    assert.equal(staleSnapshotWarning({ ...base, presence: { exists: false } }), undefined);
    assert.equal(
      staleSnapshotWarning({
        ...base,
        presence: { exists: true, createTime: '2026-07-01T22:04:10Z', instance: 'tooljet-prod-db' },
        cutoverAt: CUTOVER_AT,
      }),
      undefined,
    );
    assert.equal(
      staleSnapshotWarning({
        ...base,
        presence: { exists: true, createTime: CUTOVER_AT, instance: 'tooljet-prod-db' },
        cutoverAt: CUTOVER_AT,
      }),
      undefined,
    );
    // Still being created (no time yet): the interrupted run of this window.
    assert.equal(
      staleSnapshotWarning({
        ...base,
        presence: { exists: true, createTime: '', instance: 'tooljet-prod-db' },
        cutoverAt: CUTOVER_AT,
      }),
      undefined,
    );
  });

  it('taken before cutoverAt: one line with when, why the validation will fail, and the commands for a fresh snapshot and clone', () => {
    const w = staleSnapshotWarning({
      ...base,
      presence: { exists: true, createTime: '2026-06-01T10:00:00Z', instance: 'tooljet-prod-db' },
      cutoverAt: CUTOVER_AT,
    })!;
    assert.equal(
      w,
      'snapshot "tooljet-prod-db-pre-pg16-prod" exists already (taken 2026-06-01T10:00:00Z, before this window\'s cutoverAt 2026-07-01T22:00:00Z): the clone comes from it and the exact validation compares it with the source, so anything ToolJet wrote to the source after it fails the validation while ToolJet is stopped. A window needs a fresh snapshot and clone: pulumi config set --path snapshot.identifier tooljet-prod-db-pre-pg16-prod-2 && pulumi config set --path clone.identifier tooljet-prod-db-pg16-2 (docs/cutover-and-rollback.md "A window needs a fresh snapshot")',
    );
    assert.ok(!w.includes('\n'));
  });

  it('no cutoverAt recorded: any existing snapshot gets the warning (it cannot be told apart)', () => {
    const w = staleSnapshotWarning({
      ...base,
      presence: { exists: true, createTime: '2026-07-01T22:04:10Z', instance: 'tooljet-prod-db' },
    })!;
    assert.match(
      w,
      /taken 2026-07-01T22:04:10Z; no cutoverAt is recorded, so whether it belongs to this window cannot be told/,
    );
  });

  it('a lookup that failed is said, not hidden', () => {
    assert.match(
      staleSnapshotWarning({
        ...base,
        presence: { exists: 'unknown', error: 'AccessDenied: rds:DescribeDBSnapshots' },
        cutoverAt: CUTOVER_AT,
      })!,
      /^could not check whether snapshot "tooljet-prod-db-pre-pg16-prod" exists already \(AccessDenied: rds:DescribeDBSnapshots\)/,
    );
  });

  it('suggests the next free-looking name: -2, then -3', () => {
    assert.deepEqual(
      [nextIdentifier('db-pre-pg16-prod'), nextIdentifier('db-pre-pg16-prod-2'), nextIdentifier('db-pg16')],
      ['db-pre-pg16-prod-2', 'db-pre-pg16-prod-3', 'db-pg16-2'],
    );
  });
});
