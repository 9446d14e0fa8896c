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

  it('row-level security: a role that cannot see every row fails the table closed with the fix; never compares filtered rows', async () => {
    const p = await pair();
    const setup = [
      'CREATE TABLE secrets (id int, visible boolean, v text)',
      `INSERT INTO secrets SELECT i, i % 2 = 0, 'v' || i FROM generate_series(1, 10) i`,
      'ALTER TABLE secrets ENABLE ROW LEVEL SECURITY',
      'CREATE POLICY only_visible ON secrets USING (visible)',
      'GRANT SELECT ON secrets TO PUBLIC',
      'CREATE TABLE forced (id int)',
      'INSERT INTO forced VALUES (1), (2)',
      'ALTER TABLE forced ENABLE ROW LEVEL SECURITY',
      'ALTER TABLE forced FORCE ROW LEVEL SECURITY',
      'CREATE POLICY none_visible ON forced USING (false)',
      'CREATE TABLE plain (id int)',
      'INSERT INTO plain VALUES (1)',
      'GRANT SELECT ON plain TO PUBLIC',
    ];
    // Rows the policy hides are changed and deleted on the target only.
    const dbs = await p.databases('chk_rows_rls', setup, [
      ...setup,
      `UPDATE secrets SET v = 'changed' WHERE id = 1`,
      'DELETE FROM secrets WHERE id = 3',
    ]);
    const [vs, vt] = [await p.asValidator(dbs.source), await p.asValidator(dbs.target)];
    // The forced table belongs to the validating role itself: FORCE applies to its owner too.
    for (const t of [dbs.source, dbs.target]) await p.exec(t, 'ALTER TABLE forced OWNER TO tj_validator');
    const r = await runChecks([rowContent], { source: vs, target: vt });
    const counts = result(r.results, 'row counts');
    assert.equal(counts.status, 'fail');
    assert.deepEqual(counts.objects, [
      'not compared: public.forced (on the source: row-level security is forced on this table (FORCE ROW LEVEL SECURITY), so tj_validator sees only the rows its policies allow: validate as a role with BYPASSRLS (or a superuser))',
      'not compared: public.secrets (on the source: row-level security hides rows from tj_validator, which neither owns the table nor has BYPASSRLS: validate as the owner (postgres) or a role with BYPASSRLS)',
    ]);
    assert.equal(result(r.results, 'content checksums').status, 'fail');
    assert.deepEqual(
      r.tables.filter((t) => t.source).map((t) => t.table),
      ['public.plain'],
    );
    // As a superuser (RLS does not apply) the hidden changes are found.
    const su = result((await runChecks([rowContent], dbs)).results, 'content checksums');
    assert.deepEqual(su.objects, ['public.secrets: content differs (rows 10 vs 9)']);
  });

  it('a materialized view populated on neither side passes; populated on one side only fails', async () => {
    const p = await pair();
    const setup = [
      'CREATE TABLE base (id int)',
      'INSERT INTO base VALUES (1), (2)',
      'CREATE MATERIALIZED VIEW never AS SELECT id FROM base WITH NO DATA',
    ];
    const dbs = await p.databases('chk_rows_matview', setup, setup);
    const r = await runChecks([rowContent], dbs);
    assert.deepEqual(
      r.results.map((x) => `${x.name} ${x.status}`),
      ['row counts pass', 'content checksums pass'],
    );
    assert.equal(
      result(r.results, 'row counts').detail,
      '1 tables, 2 rows, equal on both sides; 1 materialized view(s) populated on neither side (nothing to compare)',
    );
    await p.exec(dbs.target, 'REFRESH MATERIALIZED VIEW never');
    const one = result((await runChecks([rowContent], dbs)).results, 'row counts');
    assert.equal(one.status, 'fail');
    assert.deepEqual(one.objects, ['not compared: public.never (materialized view not populated on source)']);
  });

  it('tables whose schema and table names joined with a dot are the same text are compared separately', async () => {
    const p = await pair();
    const setup = [
      'CREATE SCHEMA "a.b"',
      'CREATE SCHEMA a',
      'CREATE TABLE "a.b".c (v text)',
      'CREATE TABLE a."b.c" (v text)',
      `INSERT INTO "a.b".c VALUES ('one')`,
      `INSERT INTO a."b.c" VALUES ('two')`,
    ];
    const r = await runChecks(
      [rowContent],
      await p.databases('chk_rows_dots', setup, [...setup, `UPDATE "a.b".c SET v = 'changed'`]),
    );
    assert.deepEqual(
      r.tables.map((t) => t.table),
      ['"a.b".c', 'a."b.c"'],
    );
    assert.deepEqual(result(r.results, 'content checksums').objects, [
      '"a.b".c: content differs (same row count 1: a row was changed)',
    ]);
  });
});
