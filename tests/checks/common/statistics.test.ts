// checks/common/statistics.ts on a real 16.9 (autovacuum off): tables with rows and no statistics are a warning
// (partitioned parents marked, empty tables left out); --analyze runs ANALYZE on them, records each write, reads
// again and passes.
import { strict as assert } from 'assert';
import { statistics } from '../../../checks/common/statistics';
import { pair, result, runChecks } from '../pair';

const SCHEMA = [
  'CREATE TABLE apps (id int, name text)',
  'INSERT INTO apps SELECT i, md5(i::text) FROM generate_series(1, 50) i',
  'CREATE TABLE empty_one (id int)',
  'CREATE TABLE events (id int, at date) PARTITION BY RANGE (at)',
  `CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')`,
  `INSERT INTO events SELECT i, date '2024-01-01' + i FROM generate_series(1, 20) i`,
];

describe('checks/common/statistics', () => {
  it('warns about every table with rows and no statistics, and says how to fix it', async () => {
    const p = await pair();
    const dbs = await p.databases('chk_stats', [], SCHEMA);
    const r = await runChecks([statistics], { target: dbs.target });
    const s = result(r.results, 'statistics');
    assert.equal(s.status, 'warn');
    assert.match(
      s.detail,
      /^3 target table\(s\) with rows have no optimizer statistics \(a major upgrade does not carry them\): rerun with --analyze, or run ANALYZE in this database$/,
    );
    assert.deepEqual(s.objects, ['public.apps', 'public.events (partitioned parent)', 'public.events_2024']);
    assert.deepEqual(r.writes, []);
  });

  it('--analyze: ANALYZE on exactly those tables, each write recorded, then passes on a second run', async () => {
    const p = await pair();
    const dbs = await p.databases('chk_stats', [], SCHEMA);
    const r = await runChecks([statistics], { target: dbs.target }, { analyze: true });
    const s = result(r.results, 'statistics');
    assert.equal(s.status, 'pass');
    assert.equal(s.detail, '--analyze ran ANALYZE on 3 target table(s) that had no statistics');
    assert.deepEqual(r.writes, [
      'chk_stats: ANALYZE public.apps on target',
      'chk_stats: ANALYZE public.events on target',
      'chk_stats: ANALYZE public.events_2024 on target',
    ]);
    assert.ok(r.progress.includes('chk_stats: ANALYZE on target (3 tables)'));
    const again = await runChecks([statistics], { target: dbs.target });
    assert.equal(result(again.results, 'statistics').detail, 'every target table with rows has statistics');
  });
});
