// precheck never hangs, on the real 13.21 of the shared pair: a source that stops answering mid-run (its postgres
// processes stopped with SIGSTOP while precheck moves to the next database) ends at --deadline with exit 2, the
// source and its host named, and once the server runs again no precheck session is left on it. A --deadline that
// is not a duration is a usage error. Before issue 11 precheck had no deadline and waited forever.
import { strict as assert } from 'assert';
import { runPrecheck } from '../../../checks/precheck';
import { resolveTarget } from '../../../lib/pg/connection';
import { DeadlineError } from '../../../lib/pg/deadline';
import { runCli } from '../../cli/run-cli';
import { serverPids } from '../frozen';
import { pair } from '../pair';

describe('precheck: every wait is bounded (--deadline)', () => {
  it('a source frozen mid-run ends at the deadline, naming the source and host; no session stays behind', async () => {
    const p = await pair();
    const app = 'tj-test-precheck-frozen';
    const params = { sslmode: 'verify-full', sslrootcert: p.tls.ca.certFile };
    const source = resolveTarget(p.s13.url('postgres', { ...params, application_name: app }), { env: {} });
    let pids: number[] = [];
    const started = Date.now();
    let err: unknown;
    try {
      await runPrecheck({
        source,
        env: {},
        deadlineSeconds: 3,
        onProgress: (m) => {
          if (pids.length === 0 && m.startsWith('checking database')) {
            pids = serverPids(p.s13.pid);
            for (const pid of pids) process.kill(pid, 'SIGSTOP');
          }
        },
      });
      assert.fail('precheck returned over a frozen source');
    } catch (e) {
      err = e;
    } finally {
      for (const pid of pids) process.kill(pid, 'SIGCONT');
    }
    const seconds = (Date.now() - started) / 1000;
    assert.ok(pids.length > 0, 'precheck never reached a database');
    assert.ok(err instanceof DeadlineError, String(err));
    assert.match(
      err.message,
      new RegExp(
        `^deadline of 3 s reached \\(--deadline\\): the source localhost:${p.s13.port} has not answered for \\d+ s \\(.+\\); every session was closed$`,
      ),
    );
    assert.ok(seconds >= 2.9 && seconds < 6, `ended after ${seconds} s`);
    // The server, running again, sees the closed sockets and ends the sessions.
    const admin = resolveTarget(p.s13.url('postgres', params), { env: {} });
    let left = -1;
    for (let i = 0; i < 30 && left !== 0; i++) {
      if (i) await new Promise((r) => setTimeout(r, 200));
      left = Number(await p.value(admin, `SELECT count(*) FROM pg_stat_activity WHERE application_name = '${app}'`));
    }
    assert.equal(left, 0, 'a precheck session stayed on the source');
  });

  it('CLI: a --deadline that is not a duration: exit 2, one line saying what is expected', async () => {
    const p = await pair();
    const r = await runCli(['precheck', '--deadline', 'soon'], {
      TJ_PG_SOURCE_URL: p.s13.url('postgres', { sslmode: 'verify-full', sslrootcert: p.tls.ca.certFile }),
    });
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr.trim(),
      'tj-pg-upgrade precheck: --deadline must be a duration such as 15m, 1h or 300s, got "soon"',
    );
  });
});
