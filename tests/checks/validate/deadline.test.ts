// validate never hangs and never leaves a session behind, on the real 13.21/16.9 pair:
// - a connection cut mid-run fails with the side and host named (exit 2), not node-postgres' bare message;
// - a side that goes silent mid-query (a network black hole: a proxy that stops forwarding) ends at the deadline with
//   that side and host named; the other side's sessions are gone, and the silent side's snapshot sessions end by
//   themselves (idle_in_transaction_session_timeout) because the validator vanished;
// - a frozen server (its postgres processes stopped with SIGSTOP) gives exit 2 from the CLI within the deadline,
//   naming the target and its host; no session of ours is left on the source.
// Before issue 11 the last two waited forever and left the source idle in transaction.
import { strict as assert } from 'assert';
import { runValidate } from '../../../checks/validate';
import { ConnectionError, ConnectionTarget, resolveTarget } from '../../../lib/pg/connection';
import { DeadlineError } from '../../../lib/pg/deadline';
import { runCli } from '../../cli/run-cli';
import { edgeDatabases } from '../edge';
import { pair } from '../pair';
import { whileFrozen } from '../frozen';
import { startTcpProxy } from '../tcp-proxy';

/** `t` reached through a local proxy port (host stays localhost, the certificate's name; hostaddr the proxy). */
function through(t: ConnectionTarget, port: number, app: string): ConnectionTarget {
  return resolveTarget(
    `host=localhost hostaddr=127.0.0.1 port=${port} dbname=${t.database} user=${t.user} password=${t.password} sslmode=verify-full sslrootcert=${(t.trust as { path: string }).path} application_name=${app}`,
    { env: {} },
  );
}
const named = (t: ConnectionTarget, app: string): ConnectionTarget =>
  resolveTarget(
    `host=localhost port=${t.port} dbname=${t.database} user=${t.user} password=${t.password} sslmode=verify-full sslrootcert=${(t.trust as { path: string }).path} application_name=${app}`,
    { env: {} },
  );

/** Sessions of application `app` on the server of `t` (other than the asking one), after waiting up to `ms` for them to go. */
async function sessions(t: ConnectionTarget, app: string, ms = 3000, state = '%'): Promise<number> {
  const p = await pair();
  const deadline = Date.now() + ms;
  for (;;) {
    const n = Number(
      await p.value(
        t,
        `SELECT count(*) FROM pg_stat_activity WHERE application_name = '${app}' AND coalesce(state, '') LIKE '${state}' AND pid <> pg_backend_pid()`,
      ),
    );
    if (n === 0 || Date.now() > deadline) return n;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('validate: every wait is bounded, every session closed', () => {
  it('a connection cut mid-run names the side and host (exit 2), and no session stays on the other side', async () => {
    const dbs = await edgeDatabases();
    const proxy = await startTcpProxy(dbs.target.port);
    const app = 'tj-test-cut';
    try {
      const err = await runValidate({
        source: named(dbs.source, app),
        target: through(dbs.target, proxy.port, app),
        jobs: 2,
        onProgress: (m) => {
          if (m.endsWith('comparing schema')) proxy.cut();
        },
      }).then(
        () => assert.fail('validate passed over a cut connection'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof ConnectionError, String(err));
      assert.match(
        err.message,
        new RegExp(`^target localhost:${proxy.port} \\(hostaddr 127\\.0\\.0\\.1\\): connection lost mid-run \\(`),
      );
      assert.equal(await sessions(dbs.source, app), 0);
    } finally {
      await proxy.close();
    }
  });

  it('a side that goes silent mid-query ends at the deadline, named; the other side is closed, the silent one ends its own snapshot sessions', async () => {
    const dbs = await edgeDatabases();
    const proxy = await startTcpProxy(dbs.source.port);
    const app = 'tj-test-silent';
    try {
      const started = Date.now();
      const err = await runValidate({
        source: through(dbs.source, proxy.port, app),
        target: named(dbs.target, app),
        jobs: 2,
        deadlineSeconds: 4,
        onProgress: (m) => {
          if (m.endsWith('comparing schema')) proxy.freeze();
        },
      }).then(
        () => assert.fail('validate passed over a silent source'),
        (e: unknown) => e,
      );
      const seconds = (Date.now() - started) / 1000;
      assert.ok(err instanceof DeadlineError, String(err));
      assert.match(
        err.message,
        new RegExp(
          `^deadline of 4 s reached \\(--deadline\\): the source localhost:${proxy.port} \\(hostaddr 127\\.0\\.0\\.1\\) has not answered for \\d+ s \\(query: SELECT .*\\); every session was closed$`,
        ),
      );
      assert.ok(seconds >= 3.9 && seconds < 6, `ended after ${seconds} s`);
      assert.equal(await sessions(dbs.target, app), 0, 'no session left on the target');
      // The source never saw the client go (the proxy holds its sockets open): its snapshot sessions end by
      // idle_in_transaction_session_timeout, set from the deadline.
      assert.equal(await sessions(dbs.source, app, 6000, 'idle in transaction%'), 0, 'no snapshot left on the source');
    } finally {
      await proxy.close();
    }
  });

  it('CLI: a frozen target (SIGSTOP) gives exit 2 within --deadline naming the target and host; nothing stays on the source', async () => {
    const p = await pair();
    const dbs = await edgeDatabases();
    const started = Date.now();
    const r = await whileFrozen(p.s16.pid, () =>
      runCli(['validate', '--deadline', '4s', '--jobs', '1'], {
        TJ_PG_SOURCE_URL: p.s13.url(dbs.source.database, { sslmode: 'verify-full', sslrootcert: p.tls.ca.certFile }),
        TJ_PG_TARGET_URL: p.s16.url(dbs.target.database, { sslmode: 'verify-full', sslrootcert: p.tls.ca.certFile }),
      }),
    );
    const seconds = (Date.now() - started) / 1000;
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(
        `tj-pg-upgrade validate: deadline of 4 s reached \\(--deadline\\): the target localhost:${p.s16.port} has not answered for \\d+ s \\(connecting\\); every session was closed`,
      ),
    );
    assert.ok(seconds < 9, `exited after ${seconds} s`);
    assert.equal(await sessions(dbs.source, 'tj-pg-upgrade validate'), 0);
  });

  it('CLI: a --deadline that is not a duration: exit 2, one line saying what is expected', async () => {
    const r = await runCli(['validate', '--deadline', '0s'], {
      TJ_PG_SOURCE_URL: 'postgresql://u@localhost:1/a?sslmode=verify-full',
      TJ_PG_TARGET_URL: 'postgresql://u@localhost:1/b?sslmode=verify-full',
    });
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr.trim(),
      'tj-pg-upgrade validate: --deadline must be a duration such as 90m, 2h, 1h30m or 300s, got "0s"',
    );
  });
});
