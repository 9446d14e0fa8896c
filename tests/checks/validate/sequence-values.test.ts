// checks/validate/sequence-values.ts on real 13.21 and 16.9 databases: a target sequence behind the source fails;
// --fix-sequences sets it to the source value (a recorded write on the target only); one ahead of the source is left
// alone and fails; --live-source makes the difference a warning.
import { strict as assert } from 'assert';
import { sequenceValues } from '../../../checks/validate/sequence-values';
import { pair, result, runChecks } from '../pair';

const SCHEMA = ['CREATE SEQUENCE ids', 'CREATE SEQUENCE other'];

describe('checks/validate/sequence-values', () => {
  it('passes at the same values; fails a lagging target sequence and names it', async () => {
    const p = await pair();
    const same = await runChecks(
      [sequenceValues],
      await p.databases('chk_seq', [...SCHEMA, `SELECT setval('ids', 42)`], [...SCHEMA, `SELECT setval('ids', 42)`]),
    );
    assert.equal(result(same.results, 'sequence values').detail, '2 sequences at the same value');
    const r = await runChecks(
      [sequenceValues],
      await p.databases('chk_seq', [...SCHEMA, `SELECT setval('ids', 42)`], SCHEMA),
    );
    const s = result(r.results, 'sequence values');
    assert.equal(s.status, 'fail');
    assert.match(
      s.detail,
      /^1 of 2 sequences differ \(logical replication does not copy sequences\): rerun with --fix-sequences/,
    );
    assert.deepEqual(s.objects, [
      'public.ids: target behind (would reuse ids): source last_value 42, target last_value 1 (not yet called)',
    ]);
  });

  it('--fix-sequences: sets the lagging one on the target (recorded), leaves the one ahead alone and fails on it', async () => {
    const p = await pair();
    const dbs = await p.databases(
      'chk_seq',
      [...SCHEMA, `SELECT setval('ids', 42)`, `SELECT setval('other', 5)`],
      [...SCHEMA, `SELECT setval('other', 900)`],
    );
    const r = await runChecks([sequenceValues], dbs, { fixSequences: true });
    const s = result(r.results, 'sequence values');
    assert.equal(s.status, 'fail');
    assert.match(
      s.detail,
      /^--fix-sequences set 1 target sequence\(s\) to the source values; 1 target sequence\(s\) are AHEAD of the source and were left alone$/,
    );
    assert.deepEqual(r.writes, [`chk_seq: setval('public.ids', 42, true) on target (was last_value 1)`]);
    assert.equal(await p.value(dbs.target, 'SELECT last_value FROM ids'), '42');
    assert.equal(await p.value(dbs.target, 'SELECT last_value FROM other'), '900');
    assert.equal(await p.value(dbs.source, 'SELECT last_value FROM other'), '5', 'the source is never written');
  });

  it('--live-source: a difference is a warning', async () => {
    const p = await pair();
    const r = await runChecks(
      [sequenceValues],
      await p.databases('chk_seq', [...SCHEMA, `SELECT setval('ids', 42)`], SCHEMA),
      { liveSource: true },
    );
    const s = result(r.results, 'sequence values');
    assert.equal(s.status, 'warn');
    assert.match(s.detail, /^1 of 2 sequences differ \(the source is live/);
  });
});
