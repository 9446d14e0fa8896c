// Why an empty value neutralises NODE_TLS_REJECT_UNAUTHORIZED (the EKS target sets it to "" because a Secret patch
// cannot delete a key): checked with real TLS. A child Node process connects to a TLS server whose certificate comes
// from a CA the child does not trust; with the variable empty it must refuse, with "0" it connects (so the test can tell).
import { strict as assert } from 'assert';
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import * as tls from 'tls';
import { isUnsafeEnvName, UNSAFE_ENV_NAMES, unsafeEnvProblem } from '../../../targets/shared/unsafe-env';
import { createCertificateAuthority, issueServerCertificate } from '../../../lib/tls/ca';

const CLIENT = `
const tls = require('tls');
const s = tls.connect({ host: '127.0.0.1', port: Number(process.argv[1]), servername: 'localhost' }, () => { console.log('connected'); s.end(); });
s.on('error', (e) => { console.log('refused ' + e.code); });
`;

function connectWith(port: number, value: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['-e', CLIENT, String(port)],
      { env: { PATH: process.env.PATH, NODE_TLS_REJECT_UNAUTHORIZED: value }, timeout: 20000 },
      (err, stdout) => (err ? reject(err) : resolve(stdout.trim())),
    );
  });
}

describe('targets/shared/unsafe-env: the variables that would undo verified TLS', () => {
  let dir: string;
  let server: tls.Server;
  let port: number;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tj-unsafe-env-'));
    const ca = createCertificateAuthority(dir, 'untrusted test CA');
    const cert = issueServerCertificate(ca, dir);
    server = tls.createServer({ cert: fs.readFileSync(cert.certFile), key: fs.readFileSync(cert.keyFile) }, (s) =>
      s.end(),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });
  after(() => {
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('an empty NODE_TLS_REJECT_UNAUTHORIZED keeps Node verifying; "0" turns verification off (real TLS)', async () => {
    assert.match(
      await connectWith(port, ''),
      /^refused (SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)$/,
    );
    assert.equal(await connectWith(port, '0'), 'connected');
  });

  it('names the four variables and says why in one line', () => {
    assert.deepEqual([...UNSAFE_ENV_NAMES].sort(), [
      'CA_CERT',
      'DATABASE_URL',
      'NODE_TLS_REJECT_UNAUTHORIZED',
      'TOOLJET_DB_URL',
    ]);
    assert.ok(isUnsafeEnvName('CA_CERT') && !isUnsafeEnvName('NODE_EXTRA_CA_CERTS') && !isUnsafeEnvName('constructor'));
    for (const k of UNSAFE_ENV_NAMES) assert.doesNotMatch(unsafeEnvProblem(k), /\n/);
  });
});
