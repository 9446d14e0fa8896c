// lib/cutover on its own: the phase estimate (pure), the timing wrapper run for real around commands that pass and
// fail, the no-op update of the stop/start commands run for real, and the mode/triggers.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { noopUpdate, parseStoppedEpoch } from '../../components/cutover';
import { cutoverMode, estimatePhases, formatEstimate, parseMeasuredPhases, TIMED_WRAPPER_FILE, timedInterpreter, totalMinutes, windowTriggers } from '../../lib/cutover';

const base = { allocatedStorageGiB: 100, snapshotMode: 'create' as const, clone: true, validation: true, rollbackReport: false, targets: ['ecs' as const] };

describe('lib/cutover: estimated phase durations', () => {
  it('cutover: stop -> snapshot -> restore -> upgrade -> parameter group -> validation -> re-point -> start, sized by the allocated storage', () => {
    const p = estimatePhases({ ...base, mode: 'cutover' });
    assert.deepEqual(p.map((x) => x.phase), ['stop ToolJet (ecs)', 'snapshot', 'restore', 'upgrade to 16', 'parameter group', 'validation', 're-point (ecs)', 'start ToolJet (ecs)']);
    const by = Object.fromEntries(p.map((x) => [x.phase, [x.min, x.max]]));
    assert.deepEqual(by.snapshot, [5, 35], '5 + 0.3 min per GiB');
    assert.deepEqual(by['upgrade to 16'], [15, 30]);
    assert.deepEqual(by.validation, [1, 51], '1 + 0.5 min per GiB');
    assert.deepEqual(by['stop ToolJet (ecs)'], [1, 6]);
    assert.deepEqual(totalMinutes(p), { min: 43, max: 187 });
    // Bigger storage, longer snapshot and validation; the fixed phases stay.
    const big = Object.fromEntries(estimatePhases({ ...base, mode: 'cutover', allocatedStorageGiB: 1000 }).map((x) => [x.phase, [x.min, x.max]]));
    assert.deepEqual([big.snapshot, big.validation, big.restore], [[5, 305], [1, 501], [10, 30]]);
  });

  it('several targets: a per-target phase takes the longest kind; the rollback and the run without a window have their own phases', () => {
    const all = estimatePhases({ ...base, mode: 'cutover', targets: ['docker', 'eks', 'ami'] });
    assert.deepEqual(all[0], { phase: 'stop ToolJet (docker, eks, ami)', min: 1, max: 3, basis: 'stop and wait until nothing runs' });
    assert.deepEqual(estimatePhases({ ...base, mode: 'rollback', rollbackReport: true }).map((x) => x.phase), ['stop ToolJet (ecs)', 'rollback report', 're-point (ecs)', 'start ToolJet (ecs)']);
    assert.deepEqual(estimatePhases({ ...base, mode: 'off', snapshotMode: 'existing' }).map((x) => x.phase), ['restore', 'upgrade to 16', 'parameter group', 're-point (ecs)', 'validation']);
  });

  it('formats one log message: the mode, one line per phase with its basis, the total downtime, how to read the measured ones', () => {
    const text = formatEstimate({ ...base, mode: 'cutover' });
    const lines = text.split('\n');
    assert.match(lines[0], /^estimated phase durations, cutover in a maintenance window: ToolJet is stopped from the first phase to the last/);
    assert.equal(lines[2], '  2. snapshot: 5-35 min (100 GiB allocated; a first snapshot copies it all)');
    assert.ok(lines.includes('  total, ToolJet stopped: 43-187 min'));
    assert.match(text, /tj-pg-upgrade phase "<phase>": finished, started \.\.\., ended \.\.\., N s/);
    assert.match(formatEstimate({ ...base, mode: 'off' }), /no maintenance window \(maintenanceWindow: false\): ToolJet keeps running[\s\S]*  total: /);
  });
});

describe('lib/cutover: the timing wrapper, run for real', () => {
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
    const r = spawnSync('/bin/sh', [...timedInterpreter('stop ToolJet (ecs)').slice(1), 'echo "tooljet-ecs: cannot" >&2; exit 3'], { encoding: 'utf8' });
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

describe('lib/cutover: when the stop/start commands run', () => {
  it('cutover with the window and activeDatabase clone, rollback with source, off without the window', () => {
    assert.equal(cutoverMode({ maintenanceWindow: true, activeDatabase: 'clone' }), 'cutover');
    assert.equal(cutoverMode({ maintenanceWindow: true, activeDatabase: 'source' }), 'rollback');
    assert.equal(cutoverMode({ maintenanceWindow: false, activeDatabase: 'clone' }), 'off');
  });

  it('triggers: the same cutover gives the same triggers (nothing stops ToolJet again); another snapshot, clone or direction changes them', () => {
    const t = { snapshotIdentifier: 'db-pre-pg16-prod', cloneIdentifier: 'db-pg16', activeDatabase: 'clone' as const };
    assert.deepEqual(windowTriggers(t), windowTriggers({ ...t }));
    for (const other of [{ snapshotIdentifier: 'db-pre-pg16-prod-2' }, { cloneIdentifier: 'db-pg16-b' }, { activeDatabase: 'source' as const }]) {
      assert.notDeepEqual(windowTriggers({ ...t, ...other }), windowTriggers(t));
    }
  });

  it('the commands\' update (any other change) calls nothing and keeps the previous output, run for real', () => {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'tj-noop-'));
    try {
      for (const cli of ['aws', 'kubectl', 'docker']) fs.writeFileSync(path.join(bin, cli), `#!/bin/sh\necho ${cli} >>"${bin}/called"\n`, { mode: 0o755 });
      const previous = 'tooljet=stopped kind=ecs cluster=tooljet service=tooljet recordedDesiredCount=2 stoppedAt=2026-07-01T22:00:05Z stoppedEpoch=1782943205';
      const r = spawnSync('/bin/sh', ['-c', noopUpdate('stop')], { env: { PATH: `${bin}:/usr/bin:/bin`, PULUMI_COMMAND_STDOUT: previous }, encoding: 'utf8' });
      assert.equal(r.status, 0);
      assert.equal(r.stdout.replace(/\n$/, ''), previous, 'the provider trims the trailing newline: the output is unchanged');
      assert.equal(parseStoppedEpoch(r.stdout), '1782943205');
      assert.match(r.stderr, /^tooljet-stop: nothing to do; ToolJet is stopped only when the cutover changes/);
      assert.ok(!fs.existsSync(path.join(bin, 'called')), 'no CLI was called');
    } finally {
      fs.rmSync(bin, { recursive: true, force: true });
    }
  });
});
