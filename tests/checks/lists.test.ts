// The check lists and the "Add a check" recipe of docs/layout.md, kept true: every check file under checks/common,
// checks/validate and checks/postcheck exports a check that is on a list and has its own test file mirrored under
// tests/checks/; names are unique per list; every precheck entry has its case in the precheck tests.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Check } from '../../checks/check';
import { POSTCHECK_CHECKS, POSTCHECK_SERVER_CHECKS } from '../../checks/postcheck/list';
import { PRECHECK_CHECKS } from '../../checks/precheck/list';
import { REPLICATION_PRECHECKS } from '../../checks/precheck/replication';
import { VALIDATE_CHECKS, VALIDATE_SERVER_CHECKS } from '../../checks/validate/list';

const ROOT = path.join(__dirname, '..', '..');
/** Files of a check folder that are not checks: the command's runner and its list. */
const NOT_CHECKS = new Set(['index.ts', 'list.ts']);

function isCheck(x: unknown): x is Check<unknown> {
  return (
    !!x &&
    typeof x === 'object' &&
    typeof (x as Check<unknown>).name === 'string' &&
    typeof (x as Check<unknown>).run === 'function'
  );
}

describe('checks: the lists and the add-a-check recipe', () => {
  const listed = new Set<unknown>([
    ...VALIDATE_SERVER_CHECKS,
    ...VALIDATE_CHECKS,
    ...POSTCHECK_SERVER_CHECKS,
    ...POSTCHECK_CHECKS,
  ]);

  for (const dir of ['common', 'validate', 'postcheck']) {
    it(`every file of checks/${dir}/ is one listed check with its test`, async () => {
      const files = fs
        .readdirSync(path.join(ROOT, 'checks', dir))
        .filter((f) => f.endsWith('.ts') && !NOT_CHECKS.has(f));
      assert.ok(files.length > 0);
      for (const f of files) {
        const exported = Object.values(
          (await import(path.join(ROOT, 'checks', dir, f))) as Record<string, unknown>,
        ).filter(isCheck);
        assert.equal(exported.length, 1, `checks/${dir}/${f} must export exactly one check (name + run)`);
        assert.ok(
          listed.has(exported[0]),
          `checks/${dir}/${f}: "${exported[0].name}" is on no list (validate/list.ts, postcheck/list.ts)`,
        );
        const test = path.join('tests', 'checks', dir, f.replace(/\.ts$/, '.test.ts'));
        assert.ok(fs.existsSync(path.join(ROOT, test)), `checks/${dir}/${f} has no test: ${test}`);
      }
    });
  }

  it('names are unique per list; validate and postcheck share the common checks', () => {
    for (const list of [
      VALIDATE_SERVER_CHECKS,
      VALIDATE_CHECKS,
      POSTCHECK_SERVER_CHECKS,
      POSTCHECK_CHECKS,
      PRECHECK_CHECKS,
      [...PRECHECK_CHECKS, ...REPLICATION_PRECHECKS],
    ]) {
      const names = list.map((c) => c.name);
      assert.deepEqual(names, [...new Set(names)]);
    }
    // postcheck has no source: it runs validate's server checks that read the target alone (roles compare both).
    assert.deepEqual(
      VALIDATE_SERVER_CHECKS.filter((c) => c.name !== 'roles'),
      POSTCHECK_SERVER_CHECKS,
    );
    const shared = VALIDATE_CHECKS.filter((c) => (POSTCHECK_CHECKS as readonly unknown[]).includes(c)).map(
      (c) => c.name,
    );
    assert.deepEqual(shared, ['extension updates', 'statistics']);
    assert.deepEqual(
      VALIDATE_CHECKS.map((c) => c.reads),
      [...Array(10).fill('both'), 'target', 'target'],
      'target-only follow-ups come after the comparison, so the source snapshot is released before them',
    );
  });

  it('every precheck entry has its case in tests/checks/precheck/', () => {
    const dir = path.join(ROOT, 'tests', 'checks', 'precheck');
    const text = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.test.ts'))
      .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
      .join('\n');
    const missing = [...PRECHECK_CHECKS, ...REPLICATION_PRECHECKS]
      .map((c) => c.name)
      .filter((n) => !text.includes(`'${n}'`));
    assert.deepEqual(missing, []);
  });
});
