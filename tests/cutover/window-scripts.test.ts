// What every stop/start command of the maintenance window runs: cutover/tooljet-common.sh followed by the kind's
// targets/<kind>/window.sh, for every kind of the registry. Each passes shellcheck as POSIX sh; each kind's behaviour
// against its stand-in CLIs is in tests/targets/<kind>/window.test.ts.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import { toolJetScript } from '../../cutover';
import { TARGET_KINDS } from '../../targets';

describe('the stop/start scripts pass shellcheck as POSIX sh', () => {
  // What the command runs: tooljet-common.sh followed by the kind's script.
  for (const kind of TARGET_KINDS) {
    it(`targets/${kind}/window.sh`, () => {
      const r = spawnSync('shellcheck', ['-s', 'sh', '-'], { input: toolJetScript(kind), encoding: 'utf8' });
      assert.equal(r.error, undefined, 'shellcheck must be installed');
      assert.equal(r.status, 0, r.stdout);
    });
  }
});
