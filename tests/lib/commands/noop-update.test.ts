// lib/commands noopUpdateScript: the `update` of the commands that must run only when their triggers change, run
// for real with /bin/sh: it calls nothing (no node, no psql, no aws), exits 0, says why on stderr, and keeps or empties
// stdout as asked.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { noopUpdateScript } from '../../../lib/commands';

function runScript(
  script: string,
  env: Record<string, string>,
): { status: number | null; stdout: string; stderr: string; called: string[] } {
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'tj-noop-update-'));
  try {
    // Stand-ins for every tool a create runs: an update that calls one of them is a failure.
    for (const cli of ['node', 'psql', 'aws', 'kubectl', 'docker'])
      fs.writeFileSync(path.join(bin, cli), `#!/bin/sh\necho ${cli} >>"${bin}/called"\n`, { mode: 0o755 });
    const r = spawnSync('/bin/sh', ['-c', script], { env: { PATH: `${bin}:/usr/bin:/bin`, ...env }, encoding: 'utf8' });
    const calledFile = path.join(bin, 'called');
    return {
      status: r.status,
      stdout: r.stdout,
      stderr: r.stderr,
      called: fs.existsSync(calledFile) ? fs.readFileSync(calledFile, 'utf8').trim().split('\n') : [],
    };
  } finally {
    fs.rmSync(bin, { recursive: true, force: true });
  }
}

describe('lib/commands: the no-op update', () => {
  it('without reprint: empty stdout, one line on stderr naming the command and when it runs, exit 0, nothing called', () => {
    const r = runScript(
      noopUpdateScript({
        name: 'post-deploy-validate',
        runsWhen: 'ToolJet is stopped for a new maintenance window',
        reprint: false,
      }),
      {
        PULUMI_COMMAND_STDOUT: 'validation table',
        PGPASSWORD: 'not printed',
      },
    );
    assert.equal(r.status, 0);
    assert.equal(r.stdout, '');
    assert.equal(
      r.stderr,
      'post-deploy-validate: nothing to do on this update; it runs only when ToolJet is stopped for a new maintenance window (docs/design.md, "When each command runs")\n',
    );
    assert.deepEqual(r.called, []);
  });

  it('with reprint: stdout is the previous output exactly (the provider trims the final newline), so outputs that read it stay', () => {
    const previous =
      'table   only on clone\npublic.users   3\nrollback: 3 row(s) written on the clone stay on the clone';
    const r = runScript(
      noopUpdateScript({ name: 'rollback-report', runsWhen: 'a new cutoverAt is recorded', reprint: true }),
      { PULUMI_COMMAND_STDOUT: previous },
    );
    assert.equal(r.status, 0);
    assert.equal(r.stdout.replace(/\n$/, ''), previous);
    assert.match(r.stderr, /^rollback-report: nothing to do on this update/);
    assert.deepEqual(r.called, []);
    // No previous output (a first update after an upgrade of the program): empty, still exit 0.
    assert.equal(runScript(noopUpdateScript({ name: 'x', runsWhen: 'y', reprint: true }), {}).status, 0);
  });

  it('refuses text that would not stay one quoted log line', () => {
    assert.throws(() => noopUpdateScript({ name: 'a"; rm -rf /', runsWhen: 'x', reprint: false }), /name/);
    assert.throws(() => noopUpdateScript({ name: 'a', runsWhen: 'the $HOME changes', reprint: false }), /runsWhen/);
    assert.throws(() => noopUpdateScript({ name: 'a', runsWhen: 'back`tick`', reprint: false }), /runsWhen/);
  });

  it('passes shellcheck', () => {
    for (const reprint of [true, false]) {
      const r = spawnSync('shellcheck', ['-s', 'sh', '-'], {
        input: noopUpdateScript({ name: 'rollback-report', runsWhen: 'a new cutoverAt is recorded', reprint }),
        encoding: 'utf8',
      });
      assert.equal(r.status, 0, r.stdout);
    }
  });
});
