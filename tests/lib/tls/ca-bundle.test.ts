// lib/tls/ca-bundle.ts, the one owner of CA bundles, on real certificates made with openssl: one parse into a checked
// type (certificates with their subject CN, count, SHA-256 of the bytes and of the normalised PEM, the RDS roots),
// and the same problem phrased for the three places a bundle comes from (the stack's caBundle, a renderer's input, a
// connection's sslrootcert).
import { strict as assert } from 'assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  CaBundleError,
  caBundleFromPem,
  caBundleSha256,
  checkRdsRoot,
  configProblem,
  parseCaBundle,
  readCaBundleFile,
  renderProblem,
  sslRootCertProblem,
} from '../../../lib/tls/ca-bundle';
import { createCertificateAuthority } from '../../../lib/tls/ca';
import { CaFixture, makeCaBundle } from '../../helpers/targets';

describe('lib/tls/ca-bundle: the one owner of CA bundles', () => {
  let ca: CaFixture;
  let dir: string;
  before(() => {
    ca = makeCaBundle();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tj-ca-bundle-'));
  });
  after(() => {
    ca.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('accepts a real multi-certificate bundle and refuses keys, garbage and broken certificates', () => {
    assert.equal(caBundleFromPem(ca.pem).certificateCount, 2);
    assert.equal(
      caBundleFromPem(`# Amazon RDS CA bundle\n${ca.pem}`).certificateCount,
      2,
      'comment text between blocks is fine',
    );
    const key = crypto
      .generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    assert.throws(() => caBundleFromPem(ca.pem + key), /contains a "PRIVATE KEY" block/);
    assert.throws(() => caBundleFromPem(''), /caBundle is empty/);
    assert.throws(() => caBundleFromPem('hello'), /no "-----BEGIN CERTIFICATE-----" block/);
    const broken = ca.pem.replace(/(-----BEGIN CERTIFICATE-----\n)(.{10})/, '$1AAAAAAAAAA');
    assert.throws(() => caBundleFromPem(broken), /certificate #1 does not parse/);
    assert.throws(() => caBundleFromPem(ca.pem + '-----BEGIN CERTIFICATE-----\nabc\n'), /malformed PEM block/);
    assert.throws(() => caBundleFromPem('hello'), CaBundleError);
  });

  it('parses once: each certificate with its subject CN, the count, both hashes and the normalised PEM', () => {
    const text = `# Amazon RDS CA bundle\r\n${ca.pem.replace(/\n/g, '\r\n')}\r\ntrailing text\r\n`;
    const b = caBundleFromPem(text);
    assert.deepEqual(
      b.certificates.map((c) => c.commonName?.replace(/ [0-9a-f]+$/, '')),
      ['render test CA A', 'render test CA B'],
    );
    assert.equal(b.certificateCount, 2);
    assert.equal(b.fileSha256, crypto.createHash('sha256').update(text).digest('hex'), 'the bytes as given');
    assert.equal(b.pemSha256, caBundleSha256(b.pem), 'the normalised PEM');
    assert.notEqual(b.fileSha256, b.pemSha256);
    assert.ok(
      b.pem.startsWith('-----BEGIN CERTIFICATE-----') && b.pem.endsWith('-----END CERTIFICATE-----\n'),
      'only the blocks',
    );
    assert.ok(!b.pem.includes('trailing text') && !b.pem.includes('# Amazon'));
    for (const c of b.certificates) assert.doesNotThrow(() => new crypto.X509Certificate(c.pem));
    assert.equal(b.fileName, 'global-bundle.pem', 'text bundles are mounted under the RDS name');
    assert.equal(b.path, undefined);
    assert.deepEqual(b.rdsRoots, [], 'no RDS root among test CAs');
    // An openssl PEM file is already normal: the targets install exactly its text.
    assert.equal(caBundleFromPem(ca.pem).pem, ca.pem);
  });

  it('knows the RDS roots it holds and checks clone.caCertIdentifier against them', () => {
    const cert = (name: string) =>
      fs.readFileSync(createCertificateAuthority(dir, name, 30, { exactName: true }).certFile, 'utf8');
    const b = caBundleFromPem(
      cert('Amazon RDS eu-west-1 Root CA RSA2048 G1') + ca.pem + cert('Amazon RDS Root 2019 CA'),
    );
    assert.deepEqual(b.rdsRoots, ['Amazon RDS eu-west-1 Root CA RSA2048 G1', 'Amazon RDS Root 2019 CA']);
    assert.equal(checkRdsRoot(b, 'rds-ca-rsa2048-g1', 'caBundle'), undefined);
    assert.equal(checkRdsRoot(b, 'rds-ca-2019', 'caBundle'), undefined);
    assert.match(
      checkRdsRoot(b, 'rds-ca-ecc384-g1', 'caBundle')!,
      /no certificate named "Amazon RDS <region> Root CA ECC384 G1" among its 4/,
    );
    assert.match(checkRdsRoot(b, 'rds-ca-foo', 'caBundle')!, /is not an RDS CA this program can check the bundle for/);
  });

  it('reads a file: path, file name and the bytes hashed as read', () => {
    const file = path.join(dir, 'bundle.pem');
    fs.writeFileSync(file, ca.pem);
    const r = readCaBundleFile(file);
    assert.ok(r.ok);
    assert.equal(r.bundle.path, file);
    assert.equal(r.bundle.fileName, 'bundle.pem');
    assert.equal(r.bundle.fileSha256, crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex'));
    const missing = readCaBundleFile(path.join(dir, 'nope.pem'));
    assert.ok(!missing.ok && missing.problem.kind === 'unreadable' && missing.problem.code === 'ENOENT');
    const binary = path.join(dir, 'der.pem');
    fs.writeFileSync(binary, Buffer.from([0x30, 0x82, 0xff, 0xfe, 0x00]));
    const der = readCaBundleFile(binary);
    assert.ok(!der.ok && der.problem.kind === 'not-utf8');
  });

  it('one problem, phrased for where the bundle came from (config, renderer, sslrootcert)', () => {
    const broken = ca.pem.replace(/(-----BEGIN CERTIFICATE-----\n)(.{10})/, '$1AAAAAAAAAA');
    const r = parseCaBundle(broken);
    assert.ok(!r.ok);
    assert.equal(r.problem.kind, 'unparseable');
    assert.match(
      configProblem(r.problem, 'certs/global-bundle.pem', '/p/certs/global-bundle.pem'),
      /^certificate 1 of 2 in certs\/global-bundle\.pem does not parse as X\.509 \(.*\); download it: curl -fsSLo certs\/global-bundle\.pem https:\/\/truststore/,
    );
    assert.match(renderProblem(r.problem), /^caBundle certificate #1 does not parse: /);
    assert.equal(
      sslRootCertProblem(r.problem, '/tmp/ca.pem'),
      'sslrootcert /tmp/ca.pem holds a certificate that cannot be parsed',
    );
    const none = parseCaBundle('<html>not found</html>');
    assert.ok(!none.ok);
    assert.equal(
      configProblem(none.problem, 'b.pem', '/b.pem'),
      `b.pem contains no PEM certificate (no -----BEGIN CERTIFICATE----- block); download it: curl -fsSLo b.pem https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem`,
    );
    assert.equal(
      sslRootCertProblem(none.problem, '/b.pem'),
      'sslrootcert /b.pem holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)',
    );
    assert.equal(
      configProblem({ kind: 'unreadable', code: 'EISDIR', message: 'x' }, 'certs', '/p/certs'),
      `certs is a directory, not a PEM file; download it: curl -fsSLo certs https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem`,
    );
    assert.equal(
      sslRootCertProblem({ kind: 'unreadable', code: 'ENOENT', message: 'x' }, '/nope.pem'),
      'cannot read sslrootcert /nope.pem: file not found',
    );
  });
});
