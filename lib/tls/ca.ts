// A throwaway certificate authority and server certificates, made with the `openssl` CLI. Used by the tests and by
// the local rehearsal, where a CA generated for the run stands in for the RDS CA bundle (global-bundle.pem).
import { execFileSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

export interface CertificateAuthority {
  /** PEM file of the CA certificate: what a client passes as sslrootcert / NODE_EXTRA_CA_CERTS. */
  certFile: string;
  keyFile: string;
  /** Subject common name, unique per CA so that "wrong CA" errors can be told apart in tests. */
  commonName: string;
}

export interface ServerCertificate {
  certFile: string;
  keyFile: string;
  dnsNames: string[];
  ipAddresses: string[];
}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
    if (e.code === 'ENOENT') throw new Error('openssl is not installed: install it (Debian: apt-get install openssl)');
    throw new Error(`openssl ${args[0]} failed: ${e.stderr?.toString().trim() ?? e.message}`);
  }
}

/**
 * Creates a CA (EC P-256, valid for `days`) in `dir`. Its common name is `name` plus a random tag, or exactly `name`
 * with `exactName` (a stand-in for a real root such as "Amazon RDS us-east-1 Root CA RSA2048 G1").
 */
export function createCertificateAuthority(
  dir: string,
  name = 'tj-pg-upgrade local CA',
  days = 30,
  opts: { exactName?: boolean } = {},
): CertificateAuthority {
  fs.mkdirSync(dir, { recursive: true });
  const tag = crypto.randomBytes(4).toString('hex');
  const base = `ca-${tag}`;
  const commonName = opts.exactName ? name : `${name} ${tag}`;
  openssl(
    [
      'req',
      '-x509',
      '-new',
      '-nodes',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-keyout',
      `${base}.key`,
      '-out',
      `${base}.pem`,
      '-days',
      String(days),
      '-sha256',
      '-subj',
      `/O=tj-pg-upgrade/CN=${commonName}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  return { certFile: path.join(dir, `${base}.pem`), keyFile: path.join(dir, `${base}.key`), commonName };
}

/** Issues a server certificate signed by `ca` for the given DNS names and IP addresses (subjectAltName). */
export function issueServerCertificate(
  ca: CertificateAuthority,
  dir: string,
  opts: { dnsNames?: string[]; ipAddresses?: string[]; days?: number } = {},
): ServerCertificate {
  const dnsNames = opts.dnsNames ?? ['localhost'];
  const ipAddresses = opts.ipAddresses ?? ['127.0.0.1', '::1'];
  fs.mkdirSync(dir, { recursive: true });
  const base = `server-${crypto.randomBytes(4).toString('hex')}`;
  const san = [...dnsNames.map((d) => `DNS:${d}`), ...ipAddresses.map((i) => `IP:${i}`)].join(',');
  fs.writeFileSync(
    path.join(dir, `${base}.ext`),
    `subjectAltName=${san}\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n`,
  );
  openssl(
    [
      'req',
      '-new',
      '-nodes',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-keyout',
      `${base}.key`,
      '-out',
      `${base}.csr`,
      '-subj',
      `/O=tj-pg-upgrade/CN=${dnsNames[0] ?? ipAddresses[0]}`,
    ],
    dir,
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      `${base}.csr`,
      '-CA',
      ca.certFile,
      '-CAkey',
      ca.keyFile,
      '-CAcreateserial',
      '-out',
      `${base}.crt`,
      '-days',
      String(opts.days ?? 30),
      '-sha256',
      '-extfile',
      `${base}.ext`,
    ],
    dir,
  );
  fs.chmodSync(path.join(dir, `${base}.key`), 0o600);
  return { certFile: path.join(dir, `${base}.crt`), keyFile: path.join(dir, `${base}.key`), dnsNames, ipAddresses };
}
