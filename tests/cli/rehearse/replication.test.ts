// `tj-pg-upgrade rehearse --strategy replication` end to end on the default fixture, real PostgreSQL 13.21 and 16.9:
// replicate setup (initial copy while the source takes writes) -> writes stopped -> catch-up -> finish -> validate
// (exact) -> reverse -> writes on 16.9 -> catch-up and finish reverse -> rollback-report (0 rows missing, the new rows
// on 13.21) -> teardown; the downtime per phase in results.json and results.md; nothing left behind.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { RehearsalReport } from '../../../cli/rehearse';
import { leftovers, processesMentioning, RehearseRun, runRehearse, scratch } from './helpers';

describe('rehearse --strategy replication: the whole path, reverse replication and a lossless rollback', () => {
  const box = scratch();
  const out = path.join(box.dir, 'out');
  let run: RehearseRun;
  let report: RehearsalReport;
  const phase = (name: string) => report.phases.find((p) => p.name === name)!;
  const checkOf = (phaseName: string, name: string) => {
    const c = phase(phaseName).checks.find((x) => x.name === name);
    assert.ok(
      c,
      `${phaseName}: no check ${name}: ${phase(phaseName)
        .checks.map((x) => x.name)
        .join(', ')}`,
    );
    return c;
  };

  before(async function () {
    this.timeout(180_000);
    run = await runRehearse(['--strategy', 'replication', '--out', out], { tmpdir: box.tmp });
    assert.ok(fs.existsSync(path.join(out, 'results.json')), `exit ${run.code}\n${run.stderr}\n${run.stdout}`);
    report = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8'));
  });
  after(() => box.cleanup());

  it('passes every phase with the replicate steps, and measures the database downtime per phase', () => {
    assert.equal(run.code, 0, `${run.stdout}\n${report.failures.join('\n')}`);
    assert.equal(report.strategy, 'replication');
    assert.match(checkOf('clone', 'replicate setup').detail, /publication tj_upgrade FOR TABLE/);
    assert.equal(checkOf('cutover', 'replicate catch-up').status, 'pass');
    assert.match(checkOf('cutover', 'replicate finish').detail, /tooljet_production: \d+ sequence\(s\) set/);
    const c = report.cutover;
    for (const k of ['caughtUpSeconds', 'finishSeconds', 'validateSeconds', 'downtimeSeconds'] as const)
      assert.ok(typeof c[k] === 'number' && c[k]! >= 0, `${k}: ${c[k]}`);
    assert.ok(
      Math.abs(c.downtimeSeconds! - (c.caughtUpSeconds! + c.finishSeconds! + c.validateSeconds!)) < 0.05,
      'downtime = catch-up + finish + validate',
    );
    assert.ok((c.writes?.statements.inserts ?? 0) > 0, 'writes ran during replication');
    assert.equal(phase('validate').status, 'pass');
    const md = fs.readFileSync(path.join(out, 'results.md'), 'utf8');
    assert.match(md, /`replicate catch-up` \(every committed change applied, every table ready\): \d/);
    assert.match(md, /RDS projection/);
  });

  it('reverse replication carries the writes made on 16.9 back: 0 rows missing, then everything torn down', () => {
    const rv = report.reverse!;
    assert.ok(rv, 'no reverse section');
    assert.equal(rv.rowsOnlyOnClone, 0);
    assert.ok(Object.values(rv.writes.transactions).reduce((a, b) => a + b, 0) > 0, 'writes on 16.9');
    assert.match(checkOf('rollback', 'writes on 16.9 flow back').detail, /the last row written on 16\.9 is on 13\.21/);
    assert.equal(checkOf('rollback', 'rollback-report: rows only on the clone').status, 'pass');
    assert.equal(checkOf('rollback', 'rollback-report: sequences on the source').status, 'pass');
    assert.equal(checkOf('rollback', 'rollback-report: not replicated back').status, 'pass');
    assert.ok(
      rv.teardown.some((l) => /removed: subscription tj_upgrade_reverse on the source database tooljet_db/.test(l)),
    );
    assert.deepEqual(leftovers(box.tmp), []);
    assert.deepEqual(processesMentioning(box.tmp), []);
  });

  it('refuses --strategy replication with --source (the rehearsal never changes your server)', async () => {
    const r = await runRehearse(
      ['--strategy', 'replication', '--source', 'postgresql://u@h/db', '--out', path.join(box.dir, 'x')],
      {
        tmpdir: box.tmp,
      },
    );
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--strategy replication rehearses on the local fixture only/);
  });
});
