// bench/startup.ts: the start-up figures of `npm run bench`. The measurements run the real compiled CLI; the figures,
// verdicts and the printed table are pure.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildResults, formatResults, sizeFigures, SizeSamples } from '../../bench/report';
import {
  measureHelp,
  measureStartup,
  measureValidateStartup,
  startupFigures,
  STARTUP_TARGETS,
} from '../../bench/startup';

describe('bench: CLI start-up', () => {
  it('measures --help end to end and validate until the listener accepts its connection (then validate exits 2)', async () => {
    const s = await measureStartup(2);
    assert.equal(s.runs, 2);
    assert.equal(s.helpS.length, 2);
    assert.equal(s.validateS.length, 2);
    for (const x of [...s.helpS, ...s.validateS]) assert.ok(x > 0.01 && x < 60, `${x} s`);
  });

  it('refuses a measurement that did not happen: a CLI that fails --help, or exits before connecting', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tj-bench-bin-'));
    try {
      const bin = path.join(dir, 'fake.js');
      fs.writeFileSync(bin, `process.stderr.write('broken\\n'); process.exit(3);`);
      await assert.rejects(measureHelp(bin), /--help exited 3: broken/);
      await assert.rejects(measureValidateStartup(bin), /validate exited 3 before connecting: broken/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('figures are medians with verdicts against the targets (--help <= 0.3 s, validate <= 0.5 s)', () => {
    const f = startupFigures({ runs: 3, helpS: [0.12, 0.9, 0.11], validateS: [0.6, 0.55, 0.7] });
    assert.equal(f.helpS, 0.12);
    assert.equal(f.validateS, 0.6);
    assert.deepEqual(f.targets, STARTUP_TARGETS);
    assert.deepEqual(STARTUP_TARGETS, { helpMaxS: 0.3, validateMaxS: 0.5 });
    assert.deepEqual(f.met, { help: true, validate: false });
    assert.deepEqual(f.samples.helpS, [0.12, 0.9, 0.11]);
  });

  it('the results JSON carries them and the printed report shows them as a table', () => {
    const samples: SizeSamples = {
      sizeMb: 128,
      dataMb: 100,
      databaseMb: { source: 120, target: 118 },
      tables: 15,
      rows: 1000,
      textMb: 90,
      seedS: 3,
      copyS: 4,
      copyMb: 100,
      countS: [0.1],
      rawScanS: [2],
      renderScanS: [1.5],
      validateS: [2],
      validateDbS: [1.7],
      validatePeakRssMb: [150],
      naiveS: [10],
      naivePairs: 2000,
      profile: [],
    };
    const startup = startupFigures({ runs: 10, helpS: Array(10).fill(0.105), validateS: Array(10).fill(0.241) });
    const r = buildResults({
      date: '2026-01-01T00:00:00.000Z',
      command: 'npm run bench',
      machine: {},
      repeat: 1,
      jobs: 4,
      sizes: [sizeFigures(samples)],
      rehearsal: [],
      startup,
    });
    assert.deepEqual(JSON.parse(JSON.stringify(r)).startup, JSON.parse(JSON.stringify(startup)));
    const text = formatResults(r);
    assert.match(text, /^Start-up of the compiled CLI \(median of 10 runs each; min-max in brackets\)/);
    assert.match(text, /tj-pg-upgrade --help \(spawn to exit\)\s+0\.105\s+0\.105-0\.105\s+<= 0\.3\s+met/);
    assert.match(text, /tj-pg-upgrade validate \(spawn to first connection\)\s+0\.241\s+0\.241-0\.241\s+<= 0\.5\s+met/);
    assert.equal(formatResults({ ...r, startup: undefined }).includes('Start-up'), false);
  });
});
