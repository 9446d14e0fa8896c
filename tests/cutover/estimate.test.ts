// cutover/estimate on its own: the phase estimate (pure), from the configured kinds' own figures (the registry).
import { strict as assert } from 'assert';
import { estimatePhases, formatEstimate, totalMinutes } from '../../cutover/estimate';

const base = {
  allocatedStorageGiB: 100,
  snapshotMode: 'create' as const,
  clone: true,
  validation: true,
  rollbackReport: false,
  targets: ['ecs' as const],
};

describe('cutover/estimate: estimated phase durations', () => {
  it('cutover: stop -> snapshot -> restore -> upgrade -> parameter group -> validation -> re-point -> start, sized by the allocated storage', () => {
    const p = estimatePhases({ ...base, mode: 'cutover' });
    assert.deepEqual(
      p.map((x) => x.phase),
      [
        'stop ToolJet (ecs)',
        'snapshot',
        'restore',
        'upgrade to 16',
        'parameter group',
        'validation',
        're-point (ecs)',
        'start ToolJet (ecs)',
      ],
    );
    const by = Object.fromEntries(p.map((x) => [x.phase, [x.min, x.max]]));
    assert.deepEqual(by.snapshot, [5, 35], '5 + 0.3 min per GiB');
    assert.deepEqual(by['upgrade to 16'], [15, 30]);
    assert.deepEqual(by.validation, [1, 51], '1 + 0.5 min per GiB');
    assert.deepEqual(by['stop ToolJet (ecs)'], [1, 6]);
    assert.deepEqual(totalMinutes(p), { min: 43, max: 187 });
    // Bigger storage, longer snapshot and validation; the fixed phases stay.
    const big = Object.fromEntries(
      estimatePhases({ ...base, mode: 'cutover', allocatedStorageGiB: 1000 }).map((x) => [x.phase, [x.min, x.max]]),
    );
    assert.deepEqual(
      [big.snapshot, big.validation, big.restore],
      [
        [5, 305],
        [1, 501],
        [10, 30],
      ],
    );
  });

  it('several targets: a per-target phase takes the longest kind; the rollback and the run without a window have their own phases', () => {
    const all = estimatePhases({ ...base, mode: 'cutover', targets: ['docker', 'eks', 'ami'] });
    assert.deepEqual(all[0], {
      phase: 'stop ToolJet (docker, eks, ami)',
      min: 1,
      max: 3,
      basis: 'stop and wait until nothing runs',
    });
    assert.deepEqual(
      estimatePhases({ ...base, mode: 'rollback', rollbackReport: true }).map((x) => x.phase),
      ['stop ToolJet (ecs)', 'rollback report', 're-point (ecs)', 'start ToolJet (ecs)'],
    );
    assert.deepEqual(
      estimatePhases({ ...base, mode: 'off', snapshotMode: 'existing' }).map((x) => x.phase),
      ['restore', 'upgrade to 16', 'parameter group', 're-point (ecs)', 'validation'],
    );
  });

  it('formats one log message: the mode, one line per phase with its basis, the total downtime, how to read the measured ones', () => {
    const text = formatEstimate({ ...base, mode: 'cutover' });
    const lines = text.split('\n');
    assert.match(
      lines[0],
      /^estimated phase durations, cutover in a maintenance window: ToolJet is stopped from the first phase to the last/,
    );
    assert.equal(lines[2], '  2. snapshot: 5-35 min (100 GiB allocated; a first snapshot copies it all)');
    assert.ok(lines.includes('  total, ToolJet stopped: 43-187 min'));
    assert.match(text, /tj-pg-upgrade phase "<phase>": finished, started \.\.\., ended \.\.\., N s/);
    assert.match(
      formatEstimate({ ...base, mode: 'off' }),
      /no maintenance window \(maintenanceWindow: false\): ToolJet keeps running[\s\S]* {2}total: /,
    );
  });
});
