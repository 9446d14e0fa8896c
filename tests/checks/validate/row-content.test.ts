// checks/validate/row-content.ts on real 13.21 and 16.9 databases: row counts and content checksums per table, on
// the snapshot sessions of both sides; a changed row, a deleted row and a table that cannot be compared are named;
// with --live-source data differences are warnings.
import { strict as assert } from 'assert';
import { rowContent } from '../../../checks/validate/row-content';
import { pair, result, runChecks } from '../pair';

const SCHEMA = [
  'CREATE TABLE apps (id int PRIMARY KEY, name text, doc jsonb)',
  `INSERT INTO apps SELECT i, 'app ' || i, jsonb_build_object('n', i) FROM generate_series(1, 200) i`,
  'CREATE TABLE tags (app_id int, tag text)',
  `INSERT INTO tags SELECT i % 20, 't' || i FROM generate_series(1, 100) i`,
];

describe('checks/validate/row-content', () => {
  it('identical rows pass both results and fill the per-table comparison', async () => {
    const p = await pair();
    const r = await runChecks([rowContent], await p.databases('chk_rows', SCHEMA, SCHEMA));
    assert.deepEqual(
      r.results.map((x) => `${x.name} ${x.status}`),
      ['row counts pass', 'content checksums pass'],
    );
    assert.equal(result(r.results, 'row counts').detail, '2 tables, 300 rows, equal on both sides');
    assert.deepEqual(
      r.tables.map((t) => [t.table, t.source?.rows, t.target?.rows, t.source?.sum === t.target?.sum]),
      [
        ['public.apps', 200, 200, true],
        ['public.tags', 100, 100, true],
      ],
    );
    assert.ok(r.progress.includes('chk_rows: counting and hashing rows'));
  });

  it('names a changed row (same count) and a deleted row; a table missing on the target is not compared and fails', async () => {
    const p = await pair();
    const r = await runChecks(
      [rowContent],
      await p.databases(
        'chk_rows',
        [...SCHEMA, 'CREATE TABLE audit (x int)'],
        [...SCHEMA, `UPDATE apps SET doc = '{"n": 7.0}' WHERE id = 7`, `DELETE FROM tags WHERE tag = 't5'`],
      ),
    );
    const counts = result(r.results, 'row counts');
    assert.equal(counts.status, 'fail');
    assert.deepEqual(counts.objects, [
      'public.tags: source 100 rows, target 99 (-1)',
      'not compared: public.audit (missing on target)',
    ]);
    const sums = result(r.results, 'content checksums');
    assert.equal(sums.status, 'fail');
    assert.deepEqual(sums.objects, [
      'public.apps: content differs (same row count 200: a row was changed)',
      'public.tags: content differs (rows 100 vs 99)',
    ]);
  });

  it('--live-source: the same differences are warnings that say why', async () => {
    const p = await pair();
    const r = await runChecks(
      [rowContent],
      await p.databases('chk_rows', SCHEMA, [...SCHEMA, `DELETE FROM tags WHERE tag = 't5'`]),
      { liveSource: true },
    );
    for (const name of ['row counts', 'content checksums']) {
      const c = result(r.results, name);
      assert.equal(c.status, 'warn', name);
      assert.match(
        c.detail,
        /\(the source is live: writes since the snapshot; exact equality needs ToolJet stopped\)$/,
      );
    }
  });
});
