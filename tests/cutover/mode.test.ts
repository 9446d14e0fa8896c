// cutover/mode and the no-op update of cutover/scripts: which window graph a run builds, what makes the stop/start
// commands run again, and their update run for real.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { noopUpdate, parseStoppedEpoch } from '../../cutover/scripts';
import { cutoverMode, windowTriggers } from '../../cutover/mode';

describe('cutover/mode and scripts: when the stop/start commands run', () => {
  it('cutover with the window and activeDatabase clone, rollback with source, off without the window', () => {
    assert.equal(cutoverMode({ maintenanceWindow: true, activeDatabase: 'clone' }), 'cutover');
    assert.equal(cutoverMode({ maintenanceWindow: true, activeDatabase: 'source' }), 'rollback');
    assert.equal(cutoverMode({ maintenanceWindow: false, activeDatabase: 'clone' }), 'off');
  });

  it('triggers: the same cutover gives the same triggers (nothing stops ToolJet again); another snapshot, clone or direction changes them', () => {
    const t = { snapshotIdentifier: 'db-pre-pg16-prod', cloneIdentifier: 'db-pg16', activeDatabase: 'clone' as const };
    assert.deepEqual(windowTriggers(t), windowTriggers({ ...t }));
    for (const other of [
      { snapshotIdentifier: 'db-pre-pg16-prod-2' },
      { cloneIdentifier: 'db-pg16-b' },
      { activeDatabase: 'source' as const },
    ]) {
      assert.notDeepEqual(windowTriggers({ ...t, ...other }), windowTriggers(t));
    }
  });

  it("the commands' update (any other change) calls nothing and keeps the previous output, run for real", () => {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'tj-noop-'));
    try {
      for (const cli of ['aws', 'kubectl', 'docker'])
        fs.writeFileSync(path.join(bin, cli), `#!/bin/sh\necho ${cli} >>"${bin}/called"\n`, { mode: 0o755 });
      const previous =
        'tooljet=stopped kind=ecs cluster=tooljet service=tooljet recordedDesiredCount=2 stoppedAt=2026-07-01T22:00:05Z stoppedEpoch=1782943205';
      const r = spawnSync('/bin/sh', ['-c', noopUpdate('stop')], {
        env: { PATH: `${bin}:/usr/bin:/bin`, PULUMI_COMMAND_STDOUT: previous },
        encoding: 'utf8',
      });
      assert.equal(r.status, 0);
      assert.equal(
        r.stdout.replace(/\n$/, ''),
        previous,
        'the provider trims the trailing newline: the output is unchanged',
      );
      assert.equal(parseStoppedEpoch(r.stdout), '1782943205');
      assert.match(r.stderr, /^tooljet-stop: nothing to do; ToolJet is stopped only when the cutover changes/);
      assert.ok(!fs.existsSync(path.join(bin, 'called')), 'no CLI was called');
    } finally {
      fs.rmSync(bin, { recursive: true, force: true });
    }
  });
});
