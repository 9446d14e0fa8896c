import { strict as assert } from 'assert';
import * as fs from 'fs';
import { Client } from 'pg';
import { LocalServer, makeTlsFixture, startServer, TlsFixture } from '../../helpers/servers';

describe('lib/pg/local-server: real PostgreSQL 13.21 and 16.9 with TLS', () => {
  let tls: TlsFixture;
  const servers: LocalServer[] = [];
  before(async () => {
    tls = makeTlsFixture();
    servers.push(...(await Promise.all([startServer(13, tls), startServer(16, tls)])));
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    tls.cleanup();
  });

  it('starts 13.21 and 16.9 and serves verified TLS on localhost', async () => {
    const seen: string[] = [];
    for (const s of servers) {
      const c = new Client({
        connectionString: s.url('postgres'),
        ssl: { ca: fs.readFileSync(tls.ca.certFile, 'utf8'), rejectUnauthorized: true },
      });
      await c.connect();
      const r = await c.query(
        `SELECT current_setting('server_version') AS v, ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()`,
      );
      await c.end();
      assert.equal(r.rows[0].ssl, true);
      seen.push(r.rows[0].v);
    }
    assert.deepEqual(seen, ['13.21', '16.9']);
    assert.deepEqual(
      servers.map((s) => s.version),
      ['13.21', '16.9'],
    );
  });

  it('refuses a connection without TLS (hostssl only)', async () => {
    const c = new Client({ connectionString: servers[1].url('postgres'), ssl: false });
    await assert.rejects(c.connect(), /no pg_hba.conf entry.*no encryption/);
  });

  it('runs the server as an unprivileged user when started by root', function () {
    const owner = fs.statSync(`${servers[0].dir}/data/PG_VERSION`).uid;
    if (process.getuid!() === 0) assert.notEqual(owner, 0, 'data directory must not belong to root');
    else assert.equal(owner, process.getuid!());
  });

  it('removes its files on stop()', async () => {
    const s = await startServer(16, tls);
    assert.ok(fs.existsSync(s.dir));
    await s.stop();
    assert.equal(fs.existsSync(s.dir), false);
  });
});
