// checks/common/extension-updates.ts on a real 16.9: an extension installed at an older version than the one 16.9
// ships is a warning with the statement that updates it; once updated, the check passes.
import { strict as assert } from 'assert';
import { extensionUpdates } from '../../../checks/common/extension-updates';
import { pair, result, runChecks } from '../pair';

describe('checks/common/extension-updates', () => {
  it('warns about an extension older than 16.9 ships, with its ALTER EXTENSION; passes once updated; writes nothing', async () => {
    const p = await pair();
    const dbs = await p.databases('chk_ext', [], [`CREATE EXTENSION citext VERSION '1.4'`]);
    const before = await runChecks([extensionUpdates], { target: dbs.target });
    const w = result(before.results, 'extension updates');
    assert.equal(w.status, 'warn');
    assert.equal(w.database, 'chk_ext');
    assert.match(w.detail, /^1 extension\(s\) on the target are older than the version 16 ships/);
    assert.deepEqual(w.objects, ['citext 1.4 -> 1.6: ALTER EXTENSION "citext" UPDATE;']);
    assert.deepEqual(before.writes, []);
    assert.equal(
      await p.value(dbs.target, `SELECT extversion FROM pg_extension WHERE extname = 'citext'`),
      '1.4',
      'the check only reads',
    );

    await p.exec(dbs.target, 'ALTER EXTENSION citext UPDATE');
    const after = await runChecks([extensionUpdates], { target: dbs.target });
    assert.equal(result(after.results, 'extension updates').status, 'pass');
    assert.equal(
      result(after.results, 'extension updates').detail,
      'every extension on the target is at its default version',
    );
  });
});
