import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import {
  connect,
  ConnectionConfigError,
  ConnectionError,
  describeConnectionError,
  parseConnectionUrl,
  parseKeywordValue,
  passwordsIn,
  redactConnectionString,
  resolveTarget,
  tlsInfo,
  tlsOptions,
} from '../../../lib/pg/connection';
import { createCertificateAuthority, issueServerCertificate } from '../../../lib/tls/ca';
import { LocalServer, makeTlsFixture, startServer, TlsFixture, verifyFull } from '../../helpers/servers';
import { startLocalServer } from '../../../lib/pg/local-server';
import { ARGV_PASSWORD_WARNING } from '../../../cli/redact';
import { runCli } from '../../cli/run-cli';

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

describe('lib/pg/connection: libpq URL and PG* env -> verified node-postgres config', () => {
  it('parses a libpq URL with percent-encoding, IPv6 and query parameters', () => {
    assert.deepEqual(
      parseConnectionUrl(
        'postgresql://app%40corp:p%40ss%2Fw@[::1]:6432/tool%20jet?sslmode=verify-full&sslrootcert=/c/ca.pem',
      ),
      {
        user: 'app@corp',
        password: 'p@ss/w',
        host: '::1',
        port: '6432',
        dbname: 'tool jet',
        sslmode: 'verify-full',
        sslrootcert: '/c/ca.pem',
      },
    );
    assert.deepEqual(
      parseKeywordValue(`host=db.example port=5433 dbname=tooljet password='it\\'s x' sslmode=verify-full`),
      {
        host: 'db.example',
        port: '5433',
        dbname: 'tooljet',
        password: "it's x",
        sslmode: 'verify-full',
      },
    );
  });

  it('fills gaps from PG* like libpq, URL wins, and defaults to verify-full', () => {
    const env = {
      PGHOST: 'envhost',
      PGPORT: '6000',
      PGUSER: 'envuser',
      PGPASSWORD: 'envpw',
      PGDATABASE: 'envdb',
      PGSSLROOTCERT: '/env/ca.pem',
    };
    const t = resolveTarget('postgresql://urluser@urlhost/urldb', { env });
    assert.equal(t.host, 'urlhost');
    assert.equal(t.user, 'urluser');
    assert.equal(t.database, 'urldb');
    assert.equal(t.port, 6000);
    assert.equal(t.password, 'envpw');
    assert.equal(t.sslmode, 'verify-full');
    assert.deepEqual(t.trust, { kind: 'file', path: '/env/ca.pem' });
    const onlyEnv = resolveTarget(undefined, { env });
    assert.equal(onlyEnv.endpoint, 'envhost:6000');
    assert.equal(resolveTarget('postgresql://h/db?sslrootcert=system', { env: {} }).trust.kind, 'system');
    assert.equal(resolveTarget('postgresql://h/db', { env: {} }).trust.kind, 'node-default');
  });

  it('refuses sslmode disable/allow/prefer without insecure, and no-verify always', () => {
    for (const mode of ['disable', 'allow', 'prefer']) {
      assert.throws(
        () => resolveTarget(`postgresql://u@h/db?sslmode=${mode}`, { env: {} }),
        (e: Error) =>
          e instanceof ConnectionConfigError &&
          e.message.includes(`sslmode=${mode}`) &&
          e.message.includes('--insecure'),
      );
    }
    assert.throws(() => resolveTarget('postgresql://u@h/db', { env: { PGSSLMODE: 'disable' } }), /--insecure/);
    assert.equal(resolveTarget('postgresql://u@h/db?sslmode=disable', { env: {}, insecure: true }).transport, 'plain');
    assert.equal(
      resolveTarget('postgresql://u@h/db?sslmode=prefer', { env: {}, insecure: true }).transport,
      'tls-or-plain',
    );
    assert.throws(
      () => resolveTarget('postgresql://u@h/db?sslmode=no-verify', { env: {}, insecure: true }),
      /always verified/,
    );
    const req = resolveTarget('postgresql://u@h/db?sslmode=require', { env: {} });
    assert.equal(req.transport, 'tls');
    assert.match(req.notices.join(' '), /verified as verify-full anyway/);
  });

  it('rejects bad parameters with one clear line', () => {
    assert.throws(
      () => resolveTarget('postgresql://u@h:99999/db', { env: {} }),
      /^ConnectionConfigError: the port of the connection string is not a number from 1 to 65535$/,
    );
    assert.throws(
      () => resolveTarget('postgresql://u@h/db', { env: { PGPORT: 'x' }, name: '--source' }),
      /^ConnectionConfigError: PGPORT is not a number from 1 to 65535$/,
    );
    assert.throws(() => resolveTarget('postgresql://u@h1,h2/db', { env: {} }), /names several hosts: give one host/);
    assert.throws(
      () => resolveTarget('postgresql://u@h/db?sslmde=verify-full', { env: {}, name: '--target' }),
      /--target has an unsupported parameter \(did you mean sslmode\?\)/,
    );
    assert.throws(() => resolveTarget('mysql://u@h/db', { env: {} }), /not a connection string/);
    assert.throws(() => resolveTarget('postgresql://u@h/db?sslmode=bogus', { env: {} }), /invalid sslmode "bogus"/);
  });

  it('parse errors name the part that is wrong and echo nothing of the string', () => {
    const pw = 'Zq8v/Kw3p#X?Yy';
    const cases: [string, RegExp][] = [
      [`postgresql://app:${pw}@h:5432/db`, /^--source is not a valid PostgreSQL URL: .*percent-encode/],
      [
        `postgresql://app:Zq8v/Kw3pX@h:5432/db`,
        /^the port of --source is not a number from 1 to 65535: .*percent-encode/,
      ],
      [`postgresql://app:Zq8v?Kw3pX@h:5432/db`, /^a query parameter of --source has no "=".*percent-encode/],
      [`postgresql://app:Zq8v?Kw=3pX@h:5432/db`, /^--source has an unsupported parameter .*percent-encode/],
      [
        `postgresql://app:Zq8v%Kw3pX@h/db`,
        /^the password of --source has an invalid percent-encoding \(write % as %25/,
      ],
      [`postgresql://h/db?user=app&Zq8vKw3pX`, /^a query parameter of --source has no "="/],
      [`postgresql://h/db?connect_timeout=Zq8vKw3pX`, /^the connect_timeout of --source is not a number of seconds$/],
      [`postgresql://h/db?sslmode=Zq8v!Kw3pX`, /^invalid sslmode in --source \(expected one of/],
      [`host=h Zq8vKw3pX password=x`, /^--source has a word without "="/],
      [`host=h password='Zq8vKw3pX`, /^--source has an unterminated quoted value/],
      [`jdbc:postgresql://app:${pw}@h/db`, /^--source is a JDBC URL: drop the "jdbc:" prefix/],
      [`JDBC:postgresql://h/db?user=app&password=Zq8vKw3pX`, /^--source is a JDBC URL: drop the "jdbc:" prefix/],
    ];
    for (const [url, re] of cases) {
      assert.throws(
        () => resolveTarget(url, { env: {}, name: '--source' }),
        (e: Error) => {
          assert.match(e.message, re, url);
          for (const f of ['Zq8v', 'Kw3p']) assert.ok(!e.message.includes(f), `${url}: ${e.message}`);
          return true;
        },
      );
    }
  });

  it('passwordsIn: the password by the parser that connects, also from strings it rejects', () => {
    const p = (s: string) => passwordsIn(s).sort();
    assert.deepEqual(p('postgresql://app:a%2Fb%40c@h/db'), ['a%2Fb%40c', 'a/b@c']);
    assert.deepEqual(p('postgresql://app@h/db'), []);
    assert.deepEqual(p('postgresql://h/db?user=app&password=s%26cret'), ['s%26cret', 's&cret']);
    // Rejected strings: everything between // and the LAST @ is the userinfo; password= parameters as written.
    assert.deepEqual(p('postgresql://app:a#b/c?d@e@h:5432/db'), ['a#b/c?d@e']);
    assert.deepEqual(p('postgresql://h/db?user=app&password=a#b'), ['a', 'a#b']);
    assert.deepEqual(p('jdbc:postgresql://app:jd%25bc@h/db'), ['jd%25bc', 'jd%bc']);
    assert.deepEqual(p('jdbc:postgresql://h/db?user=app&password=jdbcpw'), ['jdbcpw']);
    assert.deepEqual(p("host=h password='it\\'s x' dbname=d"), ["it's x"]);
    assert.deepEqual(p("host=h password='unterminated x"), ['unterminated x']);
    assert.deepEqual(p('host=h stray password=pw12 dbname=d'), ['pw12']);
    assert.deepEqual(p('2026-07-01T22:00:00Z'), []);
    assert.deepEqual(p('--source'), []);
  });

  it('never shows the password: display, redactConnectionString, error messages', () => {
    const t = resolveTarget('postgresql://app:S3cr3t-pw@db.example:5432/tooljet?sslmode=verify-full', { env: {} });
    assert.equal(t.display, 'postgresql://app@db.example:5432/tooljet?sslmode=verify-full');
    assert.equal(redactConnectionString('postgresql://app:S3cr3t-pw@h/db'), 'postgresql://app:***@h/db');
    assert.equal(redactConnectionString('host=h password=S3cr3t-pw dbname=x'), 'host=h password=*** dbname=x');
    assert.equal(
      redactConnectionString('postgresql://h/db?user=a&password=S3cr3t-pw'),
      'postgresql://h/db?user=a&password=***',
    );
    const msg = describeConnectionError(Object.assign(new Error('boom S3cr3t-pw'), { code: 'XX000' }), t);
    assert.ok(!msg.includes('S3cr3t-pw'), msg);
    assert.throws(
      () => resolveTarget('mysql://app:S3cr3t-pw@h/db', { env: {} }),
      (e: Error) => !e.message.includes('S3cr3t-pw'),
    );
  });

  it('checks sslrootcert: missing file, not PEM', () => {
    const dir = fs.mkdtempSync(path.join(require('os').tmpdir(), 'tj-conn-'));
    try {
      fs.writeFileSync(path.join(dir, 'junk.pem'), 'not a certificate');
      assert.throws(
        () => tlsOptions(resolveTarget(`postgresql://u@h/db?sslrootcert=${dir}/missing.pem`, { env: {} })),
        /cannot read sslrootcert .*missing\.pem: file not found/,
      );
      assert.throws(
        () => tlsOptions(resolveTarget(`postgresql://u@h/db?sslrootcert=${dir}/junk.pem`, { env: {} })),
        /holds no PEM certificate/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('builds ssl as { ca, rejectUnauthorized: true, servername } and hands pg no connection string', () => {
    const tls = makeTlsFixture();
    try {
      const t = resolveTarget(`postgresql://u:p@db.example:5432/x?sslmode=require&sslrootcert=${tls.ca.certFile}`, {
        env: {},
      });
      const o = tlsOptions(t);
      assert.equal(o.rejectUnauthorized, true);
      assert.equal(o.servername, 'db.example');
      assert.match(String(o.ca), /BEGIN CERTIFICATE/);
      assert.equal(
        tlsOptions(resolveTarget(`postgresql://u@127.0.0.1/x?sslrootcert=${tls.ca.certFile}`, { env: {} })).servername,
        undefined,
      );
    } finally {
      tls.cleanup();
    }
  });

  describe('against real servers', () => {
    let tls: TlsFixture;
    let good: LocalServer; // 16.9, certificate for localhost
    let wrongName: LocalServer; // 16.9, certificate for db.other.example only
    let plain: LocalServer; // 13.21, ssl=off
    let otherCa: string;
    let down: number;
    before(async () => {
      tls = makeTlsFixture();
      otherCa = createCertificateAuthority(path.join(tls.dir, 'other'), 'unrelated CA').certFile;
      const cert = issueServerCertificate(tls.ca, path.join(tls.dir, 'wrongname'), {
        dnsNames: ['db.other.example'],
        ipAddresses: [],
      });
      [good, wrongName, plain] = await Promise.all([
        startServer(16, tls),
        startLocalServer({ major: 16, tls: cert }),
        startServer(13, null),
      ]);
      down = await closedPort();
    });
    after(async () => {
      await Promise.all([good, wrongName, plain].filter(Boolean).map((s) => s.stop()));
      tls.cleanup();
    });

    async function failure(url: string, opts: { insecure?: boolean } = {}): Promise<ConnectionError> {
      const t = resolveTarget(url, { env: {}, ...opts });
      try {
        const c = await connect(t);
        await c.end();
      } catch (err) {
        assert.ok(err instanceof ConnectionError, String(err));
        assert.ok(!err.message.includes('\n'), 'one line');
        return err;
      }
      throw new Error(`connected to ${url}`);
    }

    it('connects with verified TLS and reports protocol, cipher and certificate', async () => {
      const t = resolveTarget(good.url('postgres', verifyFull(tls)), { env: {} });
      const c = await connect(t);
      try {
        const info = tlsInfo(c, t);
        assert.equal(info.encrypted, true);
        assert.equal(info.verified, true);
        assert.match(info.protocol!, /^TLSv1\.[23]$/);
        assert.match(info.subject!, /CN=localhost/);
        assert.match(info.issuer!, new RegExp(tls.ca.commonName));
        assert.equal((await c.query('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')).rows[0].ssl, true);
      } finally {
        await c.end();
      }
    });

    it('takes everything from PG* variables when there is no URL', async () => {
      const env = {
        PGHOST: 'localhost',
        PGPORT: String(good.port),
        PGUSER: good.user,
        PGPASSWORD: good.password,
        PGDATABASE: 'postgres',
        PGSSLMODE: 'verify-full',
        PGSSLROOTCERT: tls.ca.certFile,
      };
      const c = await connect(resolveTarget(undefined, { env }));
      assert.equal((await c.query('SELECT current_user AS u')).rows[0].u, good.user);
      await c.end();
    });

    it('wrong CA: names the certificate subject and issuer and the CA trusted', async () => {
      const e = await failure(good.url('postgres', { sslmode: 'verify-full', sslrootcert: otherCa }));
      assert.equal(e.kind, 'tls-untrusted');
      assert.match(e.message, new RegExp(`TLS verification failed for localhost:${good.port}`));
      assert.match(e.message, /subject "O=tj-pg-upgrade, CN=localhost"/);
      assert.match(e.message, new RegExp(`issuer "O=tj-pg-upgrade, CN=${tls.ca.commonName}"`));
      assert.ok(e.message.includes(otherCa));
    });

    it('sslrootcert=system does not trust a private CA', async () => {
      const e = await failure(good.url('postgres', { sslmode: 'verify-full', sslrootcert: 'system' }));
      assert.equal(e.kind, 'tls-untrusted');
    });

    it('wrong host name: a certificate for another name is refused and the names shown', async () => {
      const e = await failure(wrongName.url('postgres', verifyFull(tls)));
      assert.equal(e.kind, 'tls-hostname');
      assert.match(
        e.message,
        /host name "localhost" does not match the server certificate \(certificate names: DNS:db\.other\.example\)/,
      );
    });

    // libpq: hostaddr is where to connect, host is the name the certificate must carry (verify-full). Before issue 11
    // the address replaced the name, so the certificate was checked against 127.0.0.1.
    it('host= and hostaddr=: connects to the address and checks the certificate against host, as libpq does', async () => {
      const named = resolveTarget(
        `host=db.other.example hostaddr=127.0.0.1 port=${wrongName.port} dbname=postgres user=${wrongName.user} password=${wrongName.password} sslmode=verify-full sslrootcert=${tls.ca.certFile}`,
        { env: {} },
      );
      assert.equal(named.host, 'db.other.example');
      assert.equal(named.hostaddr, '127.0.0.1');
      assert.equal(named.endpoint, `db.other.example:${wrongName.port} (hostaddr 127.0.0.1)`);
      assert.match(
        named.display,
        /^postgresql:\/\/postgres@db\.other\.example:\d+\/postgres\?.*&hostaddr=127\.0\.0\.1$/,
      );
      const c = await connect(named);
      try {
        assert.equal(tlsInfo(c, named).checkedName, 'db.other.example');
        assert.equal(tlsInfo(c, named).verified, true);
      } finally {
        await c.end();
      }
      // The certificate covers 127.0.0.1, but the name asked for is another: refused (the old code accepted it).
      const e = await failure(
        `host=wrong.example hostaddr=127.0.0.1 port=${good.port} dbname=postgres user=${good.user} password=${good.password} sslmode=verify-full sslrootcert=${tls.ca.certFile}`,
      );
      assert.equal(e.kind, 'tls-hostname');
      assert.match(e.message, /host name "wrong\.example" does not match the server certificate/);
      // PGHOSTADDR works as hostaddr= does.
      const fromEnv = resolveTarget(undefined, {
        env: { PGHOST: 'db.other.example', PGHOSTADDR: '127.0.0.1', PGPORT: String(wrongName.port) },
      });
      assert.equal(fromEnv.hostaddr, '127.0.0.1');
      assert.throws(
        () => resolveTarget('hostaddr=127.0.0.1 dbname=x sslmode=verify-full', { env: {} }),
        /hostaddr=127\.0\.0\.1 without host=: verify-full needs the server's name/,
      );
      assert.throws(
        () => resolveTarget('host=a hostaddr=db.example dbname=x', { env: {} }),
        /not a numeric IP address/,
      );
    });

    it('require and verify-ca are verified fully too (host name mismatch still refused)', async () => {
      for (const mode of ['require', 'verify-ca']) {
        const e = await failure(wrongName.url('postgres', { sslmode: mode, sslrootcert: tls.ca.certFile }));
        assert.equal(e.kind, 'tls-hostname');
      }
    });

    it('plain-text-only server: says it does not support TLS; --insecure with disable connects in plain text', async () => {
      const e = await failure(plain.url('postgres', verifyFull(tls)));
      assert.equal(e.kind, 'tls-unsupported');
      assert.match(e.message, new RegExp(`localhost:${plain.port} does not support TLS`));
      const t = resolveTarget(plain.url('postgres', { sslmode: 'disable' }), { env: {}, insecure: true });
      const c = await connect(t);
      assert.equal(tlsInfo(c, t).encrypted, false);
      await c.end();
    });

    it('prefer with --insecure: verified TLS when offered, plain text otherwise', async () => {
      const t1 = resolveTarget(good.url('postgres', { sslmode: 'prefer', sslrootcert: tls.ca.certFile }), {
        env: {},
        insecure: true,
      });
      const c1 = await connect(t1);
      assert.equal(tlsInfo(c1, t1).verified, true);
      await c1.end();
      const t2 = resolveTarget(plain.url('postgres', { sslmode: 'prefer' }), { env: {}, insecure: true });
      const c2 = await connect(t2);
      assert.equal(tlsInfo(c2, t2).encrypted, false);
      await c2.end();
      // prefer never falls back to unverified TLS: a bad certificate is still an error
      assert.equal(
        (
          await failure(wrongName.url('postgres', { sslmode: 'prefer', sslrootcert: tls.ca.certFile }), {
            insecure: true,
          })
        ).kind,
        'tls-hostname',
      );
    });

    it('wrong password, missing database, server down: one line each with host:port and why', async () => {
      const bad = good
        .url('postgres', verifyFull(tls))
        .replace(encodeURIComponent(good.password), 'definitely-wrong-pw');
      const auth = await failure(bad);
      assert.equal(auth.kind, 'auth');
      assert.equal(
        auth.message,
        `authentication failed for user "postgres" at localhost:${good.port}: wrong password (SQLSTATE 28P01)`,
      );
      const nodb = await failure(good.url('no_such_db', verifyFull(tls)));
      assert.equal(nodb.message, `database "no_such_db" does not exist at localhost:${good.port} (SQLSTATE 3D000)`);
      const refused = await failure(
        `postgresql://u:p@127.0.0.1:${down}/x?sslmode=verify-full&sslrootcert=${tls.ca.certFile}`,
      );
      assert.equal(refused.kind, 'refused');
      assert.match(refused.message, new RegExp(`cannot connect to 127\\.0\\.0\\.1:${down}: connection refused`));
    });

    it('DNS failure and timeout (a server that accepts TCP but never answers) are named as such', async () => {
      const dns = await failure(
        `postgresql://u:p@no-such-host.invalid:5432/x?sslmode=verify-full&sslrootcert=${tls.ca.certFile}`,
      );
      assert.equal(dns.kind, 'dns');
      assert.match(
        dns.message,
        /^cannot connect to no-such-host\.invalid:5432: host name "no-such-host\.invalid" could not be resolved \(DNS E/,
      );
      const sockets: net.Socket[] = [];
      const silent = net.createServer((sock) => sockets.push(sock));
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
      try {
        const { port } = silent.address() as net.AddressInfo;
        const e = await failure(
          `postgresql://u:p@127.0.0.1:${port}/x?sslmode=verify-full&connect_timeout=1&sslrootcert=${tls.ca.certFile}`,
        );
        assert.equal(e.kind, 'timeout');
        assert.equal(
          e.message,
          `cannot connect to 127.0.0.1:${port}: timed out after 1 s (firewall or security group? wrong host?)`,
        );
      } finally {
        sockets.forEach((s) => s.destroy());
        silent.close();
      }
    });

    it('CLI: each connection problem is a one-line message and exit code 2, password never printed', async function () {
      const pw = encodeURIComponent(good.password);
      const cases: { args: string[]; env?: Record<string, string>; expect: RegExp }[] = [
        {
          args: ['--source', good.url('postgres', { sslmode: 'verify-full', sslrootcert: otherCa })],
          expect:
            /TLS verification failed for localhost:\d+: the server certificate is not signed by a trusted CA .*subject "O=tj-pg-upgrade, CN=localhost"/,
        },
        // NODE_TLS_REJECT_UNAUTHORIZED=0 must not weaken anything: the tool sets rejectUnauthorized itself.
        {
          args: ['--source', good.url('postgres', { sslmode: 'verify-full', sslrootcert: otherCa })],
          env: { NODE_TLS_REJECT_UNAUTHORIZED: '0' },
          expect: /TLS verification failed/,
        },
        {
          args: ['--source', wrongName.url('postgres', verifyFull(tls))],
          expect: /host name "localhost" does not match the server certificate/,
        },
        { args: ['--source', plain.url('postgres', verifyFull(tls))], expect: /does not support TLS/ },
        {
          args: ['--source', good.url('postgres', verifyFull(tls)).replace(pw, 'definitely-wrong-pw')],
          expect: /authentication failed for user "postgres" at localhost:\d+/,
        },
        {
          args: [
            '--source',
            `postgresql://postgres:${pw}@localhost:${down}/postgres?sslmode=verify-full&sslrootcert=${tls.ca.certFile}`,
          ],
          expect: new RegExp(`cannot connect to localhost:${down}: connection refused`),
        },
        {
          args: ['--source', plain.url('postgres', { sslmode: 'disable' })],
          expect: /sslmode=disable would allow an unencrypted connection .*--insecure/,
        },
      ];
      const runs = await Promise.all(cases.map((c) => runCli(['precheck', '-q', ...c.args], c.env)));
      runs.forEach((r, i) => {
        assert.equal(r.code, 2, `case ${i}: ${r.stderr}`);
        // Node itself warns when NODE_TLS_REJECT_UNAUTHORIZED is set; everything else is the tool's one line.
        const lines = r.stderr
          .trim()
          .split('\n')
          .filter((l) => !/^\(node:\d+\) Warning|^\(Use `node/.test(l));
        // The password is in argv here: the tool says once that `ps` shows it (tests/cli/redact.test.ts).
        assert.equal(lines[0], `tj-pg-upgrade precheck: warning: ${ARGV_PASSWORD_WARNING}`, `case ${i}`);
        lines.shift();
        assert.equal(lines.length, 1, `case ${i}: one line, got ${r.stderr}`);
        assert.match(lines[0], cases[i].expect);
        assert.ok(!(r.stdout + r.stderr).includes(good.password), `case ${i}: password printed`);
        assert.ok(!(r.stdout + r.stderr).includes('definitely-wrong-pw'), `case ${i}: password printed`);
      });
    });
  });
});
