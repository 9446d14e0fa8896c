// The rollback report's command script, run for real through /bin/sh -c with its environment against a stand-in
// CLI: it passes the cutover and the ToolJet Database, prints the CLI's output, and never fails the rollback.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { rollbackReportEnvironment, rollbackReportScript } from '../../validation/rollback-report';

describe('validation/rollback-report: the rollback-report command', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tj-rollback-'));
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.writeFileSync(path.join(dir, 'Pulumi.yaml'), 'name: tooljet-pg-upgrade\n'); // a stand-in project directory
    // Stand-in for bin/tj-pg-upgrade.js: echoes its arguments and environment, exits with FAKE_EXIT.
    fs.writeFileSync(
      path.join(dir, 'bin', 'tj-pg-upgrade.js'),
      `console.log(JSON.stringify({ args: process.argv.slice(2), source: process.env.TJ_PG_SOURCE_URL, clone: process.env.TJ_PG_TARGET_URL, hasPassword: !!process.env.PGPASSWORD }));
if (process.env.FAKE_EXIT === '2') console.error('tj-pg-upgrade rollback-report: cannot connect to clone:5432: connection refused');
process.exit(Number(process.env.FAKE_EXIT));`,
    );
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const env = rollbackReportEnvironment({
    sourceUrl: 'postgresql://tooljet@src:5432/tooljet?sslmode=verify-full&sslrootcert=certs%2Fglobal-bundle.pem',
    cloneUrl: 'postgresql://tooljet@clone:5432/tooljet?sslmode=verify-full&sslrootcert=certs%2Fglobal-bundle.pem',
    password: 'pw-not-printed',
    tooljetDb: 'tooljet_db',
    cutoverAt: '2026-07-01T22:00:00Z',
  });
  const run = (exit: number) =>
    spawnSync('/bin/sh', ['-c', rollbackReportScript()], {
      cwd: dir,
      env: { PATH: process.env.PATH, ...env, FAKE_EXIT: String(exit) },
      encoding: 'utf8',
    });

  it('runs rollback-report with the cutover and the ToolJet Database from its environment', () => {
    const r = run(1);
    const seen = JSON.parse(r.stdout.trim().split('\n')[0]);
    assert.deepEqual(seen.args, [
      'rollback-report',
      '--quiet',
      '--since',
      '2026-07-01T22:00:00Z',
      '--tooljet-db',
      'tooljet_db',
    ]);
    assert.equal(seen.source, env.TJ_PG_SOURCE_URL);
    assert.equal(seen.clone, env.TJ_PG_TARGET_URL);
    assert.equal(seen.hasPassword, true);
    assert.ok(!rollbackReportScript().includes('pw-not-printed'));
  });

  it('never fails the rollback: rows left behind (1) and a failed report (2) both exit 0, the latter says so', () => {
    for (const code of [0, 1]) {
      const r = run(code);
      assert.equal(r.status, 0);
      assert.equal(r.stderr, '');
    }
    const r = run(2);
    assert.equal(r.status, 0);
    assert.match(
      r.stderr,
      /connection refused\ntj-pg-upgrade rollback-report could not compare the clone with the source \(exit 2, see above\); the rollback goes on\. Run it by hand before ToolJet writes to the source again \(docs\/cutover-and-rollback\.md, "Rollback: back to the PostgreSQL 13 source"\)\.\n$/,
    );
  });

  it('outside the project directory says so and still exits 0 (the rollback goes on)', () => {
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'tj-rollback-cwd-'));
    try {
      const r = spawnSync('/bin/sh', ['-c', rollbackReportScript()], {
        cwd: elsewhere,
        env: { PATH: process.env.PATH, ...env, FAKE_EXIT: '0' },
        encoding: 'utf8',
      });
      assert.equal(r.status, 0);
      assert.equal(r.stdout, '', 'the CLI did not run');
      assert.match(
        r.stderr,
        /^tj-pg-upgrade: this command runs in the project directory \(Pulumi\.yaml, bin\/tj-pg-upgrade\.js\), but its working directory is .*tj-rollback-cwd-.*: run pulumi from the project directory\n$/,
      );
    } finally {
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('is clean POSIX sh under shellcheck', () => {
    const r = spawnSync('shellcheck', ['-s', 'sh', '-'], { input: rollbackReportScript(), encoding: 'utf8' });
    assert.equal(r.error, undefined, 'shellcheck must be installed');
    assert.equal(r.status, 0, r.stdout);
  });
});
