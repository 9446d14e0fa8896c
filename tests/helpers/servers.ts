// The one shared "start PostgreSQL 13.21/16.9 with TLS" helper for tests. Each call gets its own CA, so tests can
// also build a second, wrong CA or a certificate for the wrong host name.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LocalServer, LocalServerOptions, PgMajor, startLocalServer } from '../../lib/pg/local-server';
import {
  CertificateAuthority,
  createCertificateAuthority,
  issueServerCertificate,
  ServerCertificate,
} from '../../lib/tls/ca';

export interface TlsFixture {
  dir: string;
  ca: CertificateAuthority;
  /** Certificate for localhost / 127.0.0.1 / ::1 signed by `ca`. */
  cert: ServerCertificate;
  cleanup(): void;
}

export function makeTlsFixture(): TlsFixture {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tj-tls-'));
  const ca = createCertificateAuthority(dir, 'tj-pg-upgrade test CA');
  const cert = issueServerCertificate(ca, dir);
  return { dir, ca, cert, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Starts a TLS-only server of `major` with a certificate from `tls` (or a plain-text one with tls: null). */
export function startServer(
  major: PgMajor,
  tls: TlsFixture | null,
  extra: Partial<Omit<LocalServerOptions, 'major' | 'tls'>> = {},
): Promise<LocalServer> {
  return startLocalServer({ major, tls: tls ? tls.cert : null, ...extra });
}

/** URL parameters for a verify-full connection against the fixture's CA. */
export function verifyFull(tls: TlsFixture): Record<string, string> {
  return { sslmode: 'verify-full', sslrootcert: tls.ca.certFile };
}

export type { LocalServer, PgMajor };
