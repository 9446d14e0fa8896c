import { strict as assert } from 'assert';
import { check, exitCodeFor, renderJson, renderTable, summarize } from '../../checks/report';
import { checksumSql, planComparison, TableRef } from '../../checks/read/content';
import { diffMaps, diffObjects, normalizeWhitespace } from '../../checks/read/schema';
import { compareSequences, describeSequence, SequenceValue } from '../../checks/read/sequences';

describe('check results: model, exit codes and rendering', () => {
  const checks = [
    check('reg* data types', 'fail', 'Columns use regproc. Change them to text.', Array.from({ length: 25 }, (_, i) => `db: public.t${i}.c (regproc)`)),
    check('public schema privileges', 'warn', 'PUBLIC may create in schema public.', ['db: schema public']),
    check('prepared transactions', 'pass', 'none', [], 'tooljet'),
  ];

  it('exit code is 1 only when a check failed; warnings pass', () => {
    assert.equal(exitCodeFor(checks), 1);
    assert.equal(exitCodeFor(checks.slice(1)), 0);
    assert.deepEqual(summarize(checks), { pass: 1, warn: 1, fail: 1 });
  });

  it('renders a table with status, check, detail and objects, truncating long object lists', () => {
    const text = renderTable('title', checks, { width: 100, maxObjects: 20, color: false });
    assert.match(text, /^title\n\nSTATUS\s+CHECK\s+DETAIL/);
    assert.match(text, /FAIL\s+reg\* data types\s+Columns use regproc\. Change them to text\./);
    assert.match(text, /- db: public\.t19\.c \(regproc\)\n\s+\.\.\. and 5 more \(--json lists all\)/);
    assert.ok(!text.includes('public.t20.c'));
    assert.match(text, /PASS\s+prepared transactions \[tooljet\]\s+none/);
    assert.match(text, /1 passed, 1 warning, 1 failed$/);
    for (const line of text.split('\n')) assert.ok(line.length <= 100, line);
  });

  it('renders JSON with every object, and the database only where set', () => {
    const doc = JSON.parse(renderJson('precheck', checks, { source: 'x' }));
    assert.equal(doc.ok, false);
    assert.equal(doc.checks[0].objects.length, 25);
    assert.deepEqual(Object.keys(doc.checks[0]).sort(), ['detail', 'name', 'objects', 'status']);
    assert.equal(doc.checks[2].database, 'tooljet');
    assert.equal(doc.source, 'x');
  });
});

describe('validate building blocks (pure)', () => {
  it('schema diff names missing, extra and changed objects', () => {
    const d = diffMaps(new Map([['a', '1'], ['b', '2'], ['c', 'x  y']]), new Map([['b', '3'], ['c', 'x y'], ['d', '4']]), normalizeWhitespace);
    assert.deepEqual(d.missing, ['a']);
    assert.deepEqual(d.extra, ['d']);
    assert.deepEqual(d.changed, [{ key: 'b', source: '2', target: '3' }]);
    assert.equal(d.same, 1);
    assert.deepEqual(diffObjects(d), ['missing on target: a', 'extra on target: d', 'differs: b: source "2" | target "3"']);
  });

  it('checksum SQL hashes the named columns in a fixed order and quotes identifiers', () => {
    assert.equal(checksumSql({ schema: 'we"ird', name: 'T', columns: ['a', 'B c'] }),
      'SELECT count(*)::int8 AS n, coalesce(sum(pg_catalog.hashtextextended(ROW(t."a", t."B c")::text, 0)), 0)::text AS s FROM ONLY "we""ird"."T" AS t');
  });

  it('plans the comparison: skips tables missing on a side or with other columns, biggest first', () => {
    const t = (name: string, columns: string[], pages = 1): TableRef => ({ schema: 's', name, kind: 'table', columns, pages, populated: true });
    const plan = planComparison(
      new Map([['s.a', t('a', ['x'], 1)], ['s.b', t('b', ['x'], 9)], ['s.c', t('c', ['x'])], ['s.gone', t('gone', ['x'])]]),
      new Map([['s.a', t('a', ['x'])], ['s.b', t('b', ['x'])], ['s.c', t('c', ['y'])], ['s.new', t('new', ['x'])]]),
    );
    assert.deepEqual(plan.work.map((w) => w.name), ['b', 'a']);
    assert.deepEqual(plan.skipped.map((s) => `${s.table}: ${s.skipped}`).sort(), ['s.c: columns differ (see schema columns)', 's.gone: missing on target', 's.new: extra on target']);
  });

  it('sequence comparison tells behind from ahead, by next value, for descending sequences too', () => {
    const v = (lastValue: number, isCalled: boolean, increment = 1): SequenceValue => ({ schema: 'public', name: 's', lastValue: BigInt(lastValue), isCalled, increment: BigInt(increment) });
    const cmp = (s: SequenceValue, t: SequenceValue): string[] => compareSequences(new Map([['public.s', s]]), new Map([['public.s', t]])).map((d) => d.direction);
    assert.deepEqual(cmp(v(10, true), v(10, true)), []);
    assert.deepEqual(cmp(v(10, true), v(5, true)), ['behind']);
    assert.deepEqual(cmp(v(10, true), v(50, true)), ['ahead']);
    assert.deepEqual(cmp(v(1, true), v(1, false)), ['behind']);
    assert.deepEqual(cmp(v(1, false), v(1, true)), ['ahead']);
    assert.deepEqual(cmp(v(-10, true, -1), v(-5, true, -1)), ['behind']);
    const d = compareSequences(new Map([['public.s', v(10, true)]]), new Map([['public.s', v(1, false)]]))[0];
    assert.equal(describeSequence(d), 'public.s: target behind (would reuse ids): source last_value 10, target last_value 1 (not yet called)');
  });
});
