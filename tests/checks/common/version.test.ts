// checks/common/version.ts: the source's version is reported, the target's must be the expected one (exact "16.9"
// or major "16"), read from the real 13.21 and 16.9 servers.
import { strict as assert } from 'assert';
import { version, versionCheck } from '../../../checks/common/version';
import { pair, result, runServer } from '../pair';

describe('checks/common/version', () => {
  it('reports the source version and passes a 16.9 target for --expect-version 16.9 and 16', async () => {
    const p = await pair();
    const dbs = await p.databases('chk_version', [], []);
    for (const expectVersion of ['16.9', '16']) {
      const r = await runServer([version], dbs, { expectVersion });
      assert.deepEqual(
        r.map((x) => x.name),
        ['source version', 'target version'],
      );
      assert.equal(result(r, 'source version').detail, 'source runs PostgreSQL 13.21');
      assert.equal(result(r, 'target version').status, 'pass');
      assert.equal(result(r, 'target version').detail, `target runs PostgreSQL 16.9 (expected ${expectVersion})`);
    }
  });

  it('fails a target that is not the expected version, saying what to check; without a source only the target is reported', async () => {
    const p = await pair();
    const dbs = await p.databases('chk_version', [], []);
    const r = await runServer([version], { target: dbs.target }, { expectVersion: '16.8' });
    assert.equal(r.length, 1);
    assert.equal(r[0].status, 'fail');
    assert.match(
      r[0].detail,
      /^target runs PostgreSQL 16\.9, expected 16\.8: the upgrade has not reached the expected version/,
    );
    assert.equal(versionCheck('16.10 (Debian)', '16').status, 'pass');
    assert.equal(versionCheck('13.21', '16').status, 'fail');
    assert.equal(versionCheck('16.10', '16.1').status, 'fail', 'an exact version is compared whole, not as a prefix');
  });
});
