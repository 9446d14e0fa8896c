// cutover/timing: the timing wrapper (timed.sh) run for real around commands that pass and fail.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import { parseMeasuredPhases, TIMED_WRAPPER_FILE, timedInterpreter } from '../../cutover/timing';

describe('cutover/timing: the timing wrapper, run for real', () => {
  const run = (label: string, command: string, stdin?: string) => {
    const [sh, ...args] = timedInterpreter(label);
    return spawnSync(sh, [...args, command], { encoding: 'utf8', input: stdin ?? '' });
  };

  it('runs the command unchanged (stdout, stdin, exit status) and prints started/ended/seconds on stderr', () => {
    const r = run('validation', 'read x; echo "got $x"; sleep 1', 'hello\n');
    assert.equal(r.status, 0);
    assert.equal(r.stdout, 'got hello\n');
    assert.match(r.stderr, /^tj-pg-upgrade phase "validation": started \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n/);
    const [m] = parseMeasuredPhases(r.stderr);
    assert.equal(m.outcome, 'finished');
    assert.ok(m.seconds >= 1 && m.seconds <= 5, String(m.seconds));
    assert.ok(Date.parse(m.ended) - Date.parse(m.started) >= 1000);
  }).timeout(10_000);

  it('passes a failure through: same exit status, reported as FAILED', () => {
    const r = spawnSync(
      '/bin/sh',
      [...timedInterpreter('stop ToolJet (ecs)').slice(1), 'echo "tooljet-ecs: cannot" >&2; exit 3'],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 3);
    assert.equal(parseMeasuredPhases(r.stderr)[0].outcome, 'FAILED');
    assert.match(r.stderr, /phase "stop ToolJet \(ecs\)": FAILED \(exit 3\), started /);
  });

  it('refuses labels that do not belong in a log line; passes shellcheck', () => {
    assert.throws(() => timedInterpreter('x"; rm -rf /'), /label/);
    const r = spawnSync('shellcheck', ['-s', 'sh', TIMED_WRAPPER_FILE], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout);
  });
});
