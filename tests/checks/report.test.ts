import { strict as assert } from 'assert';
import { check, exitCodeFor, renderJson, renderTable, summarize } from '../../checks/report';

describe('check results: model, exit codes and rendering', () => {
  const checks = [
    check(
      'reg* data types',
      'fail',
      'Columns use regproc. Change them to text.',
      Array.from({ length: 25 }, (_, i) => `db: public.t${i}.c (regproc)`),
    ),
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
