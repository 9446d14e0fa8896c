// The CLI as the program's local.Commands run it inside `pulumi up`: each command script (blue/green precheck and
// postcheck, the rollback report) through /bin/sh -c in the project directory with its environment, running the
// compiled bin/tj-pg-upgrade.js for real against PostgreSQL 13.21 and 16.9 over verify-full. (The post-deploy
// validation is run the same way in tests/validation/validate-command.test.ts.)
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import { postcheckScript, precheckScript } from '../../bluegreen/upgrade';
import { rollbackReportEnvironment, rollbackReportScript } from '../../validation/rollback-report';
import { caFileForCommand, commandDatabaseUrl, PROJECT_DIR } from '../../lib/commands';
import { pair } from '../checks/pair';

describe('tj-pg-upgrade run by the program commands (compiled CLI, real servers)', () => {
  function run(script: string, env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
    const r = spawnSync('/bin/sh', ['-c', script], {
      cwd: PROJECT_DIR,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      encoding: 'utf8',
      timeout: 120_000,
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  async function urls(db: string) {
    const p = await pair();
    await p.databases(
      db,
      ['CREATE TABLE t (id serial PRIMARY KEY, v text)', `INSERT INTO t (v) VALUES ('a'), ('b')`],
      [
        'CREATE TABLE t (id serial PRIMARY KEY, v text)',
        `INSERT INTO t (id, v) VALUES (1, 'a'), (2, 'b'), (3, 'written on the clone')`,
      ],
    );
    const url = (s: typeof p.s13) =>
      commandDatabaseUrl({
        host: 'localhost',
        port: s.port,
        user: 'postgres',
        database: db,
        caFile: caFileForCommand(PROJECT_DIR, p.tls.ca.certFile),
      });
    return { p, source: url(p.s13), target: url(p.s16) };
  }

  it('blue/green precheck on the 13.21 source and postcheck on the 16.9 instance: exit 0, the report printed, the password nowhere', async () => {
    const { p, source, target } = await urls('cmd_bluegreen');
    assert.equal(p.s13.password, p.s16.password, 'one password for both servers of the pair');
    const pre = run(precheckScript(), { TJ_PG_SOURCE_URL: source, PGPASSWORD: p.s13.password });
    assert.equal(pre.status, 0, pre.stderr);
    assert.match(pre.stdout, /^tj-pg-upgrade precheck: .* \(PostgreSQL 13\.21\)/);
    const post = run(postcheckScript(), {
      TJ_PG_TARGET_URL: target,
      PGPASSWORD: p.s16.password,
      TJ_ENGINE_VERSION: '16.9',
      TJ_TOOLJET_DB: 'cmd_bluegreen',
    });
    assert.equal(post.status, 0, post.stderr);
    assert.match(post.stdout, /PASS\s+TLS \(target\)/);
    assert.match(post.stdout, /sequences vs columns/);
    for (const out of [pre, post]) assert.ok(!(out.stdout + out.stderr).includes(p.s13.password));
  });

  it('the rollback report names the row left behind on the clone and never fails the rollback (exit 0)', async () => {
    const { p, source, target } = await urls('cmd_rollback');
    const env = rollbackReportEnvironment({
      sourceUrl: source,
      cloneUrl: target,
      password: p.s13.password,
      tooljetDb: 'cmd_rollback',
      cutoverAt: '2026-07-01T22:00:00Z',
    });
    const r = run(rollbackReportScript(), env);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /FAIL\s+rows only on the clone/);
    assert.match(r.stdout, /public\.t: 1 row\(s\) only on the clone/);
    assert.ok(!(r.stdout + r.stderr).includes(p.s13.password));
  });
});
