// checks/common/tls.ts on real sessions: verified TLS on both sides passes with what pg_stat_ssl reports; a
// plain-text session (--insecure, sslmode=disable against a server without TLS) fails on that side.
import { strict as assert } from 'assert';
import { tls } from '../../../checks/common/tls';
import { resolveTarget } from '../../../lib/pg/connection';
import { LocalServer, startServer } from '../../helpers/servers';
import { pair, runServer } from '../pair';

describe('checks/common/tls', () => {
  let plain: LocalServer | undefined;
  after(async () => {
    await plain?.stop();
  });

  it('passes on both sides over verify-full, naming protocol, certificate, CA and the host name checked', async () => {
    const p = await pair();
    const dbs = await p.databases('chk_tls', [], []);
    const r = await runServer([tls], dbs);
    assert.deepEqual(
      r.map((x) => `${x.name} ${x.status}`),
      ['TLS (source) pass', 'TLS (target) pass'],
    );
    for (const x of r) {
      assert.match(
        x.detail,
        /^localhost:\d+: TLSv1\.[23] \S+ \(\d+ bits, per pg_stat_ssl\); certificate "O=tj-pg-upgrade, CN=localhost" issued by "[^"]*tj-pg-upgrade test CA[^"]*", chain verified against /,
      );
      assert.match(x.detail, /host name "localhost" checked \(verify-full\)$/);
    }
  });

  it('fails a plain-text session (allowed only by --insecure) on its side, and checks only the target without a source', async () => {
    plain = await startServer(16, null);
    const target = resolveTarget(plain.url('postgres', { sslmode: 'disable' }), { env: {}, insecure: true });
    const r = await runServer([tls], { target });
    assert.equal(r.length, 1);
    assert.equal(r[0].name, 'TLS (target)');
    assert.equal(r[0].status, 'fail');
    assert.match(
      r[0].detail,
      /the connection is NOT encrypted \(plain text allowed by --insecure\)\. Use sslmode=verify-full with sslrootcert=<CA bundle>\./,
    );
  });
});
