// checks/postcheck/sequences-vs-columns.ts on a real 16.9 alone: a sequence whose next value its column already
// holds fails, named with what the column holds; --fix-sequences moves it past the column (a recorded write).
import { strict as assert } from 'assert';
import { sequencesVsColumns } from '../../../checks/postcheck/sequences-vs-columns';
import { pair, result, runChecks } from '../pair';

const SCHEMA = [
  'CREATE TABLE apps (id serial PRIMARY KEY, name text)',
  // rows copied with their ids, as logical replication does: the sequence never advanced
  `INSERT INTO apps (id, name) SELECT i, 'a' || i FROM generate_series(1, 30) i`,
  'CREATE TABLE ok (id bigserial PRIMARY KEY)',
  'INSERT INTO ok DEFAULT VALUES',
];

describe('checks/postcheck/sequences-vs-columns', () => {
  it('fails a sequence behind its column, names it; the sequence that is ahead passes', async () => {
    const p = await pair();
    const dbs = await p.databases('chk_seqcol', [], SCHEMA);
    const r = await runChecks([sequencesVsColumns], { target: dbs.target });
    const s = result(r.results, 'sequences vs columns');
    assert.equal(s.status, 'fail');
    assert.match(
      s.detail,
      /^1 sequence\(s\) would hand out values their columns already hold \(the next INSERT fails with a duplicate key\): rerun with --fix-sequences$/,
    );
    assert.deepEqual(s.objects, ['public.apps_id_seq: next value 1 but public.apps.id already reaches 30']);
  });

  it('--fix-sequences: setval past the column, recorded; then the check passes and an INSERT works', async () => {
    const p = await pair();
    const dbs = await p.databases('chk_seqcol', [], SCHEMA);
    const r = await runChecks([sequencesVsColumns], { target: dbs.target }, { fixSequences: true });
    assert.equal(result(r.results, 'sequences vs columns').status, 'warn');
    assert.deepEqual(r.writes, [`chk_seqcol: setval('public.apps_id_seq', 30, true) (was next value 1)`]);
    await p.exec(dbs.target, `INSERT INTO apps (name) VALUES ('new')`);
    const again = await runChecks([sequencesVsColumns], { target: dbs.target });
    assert.equal(
      result(again.results, 'sequences vs columns').detail,
      '2 sequence(s) feeding columns all hand out values beyond what their columns hold',
    );
  });
});
