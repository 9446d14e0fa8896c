// Shared inputs for the renderer tests: a real CA bundle made with openssl, clone/source database targets that differ
// only in the host, and fake secrets distinctive enough to grep for in every rendered artifact.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createCertificateAuthority } from '../../lib/tls/ca';
import { DatabaseTarget } from '../../lib/render';

export const CLONE: DatabaseTarget = {
  host: 'tooljet-pg16-clone.c1abcdefgh.eu-west-1.rds.amazonaws.com',
  port: 5432,
  user: 'tooljet_app',
  database: 'tooljet_prod',
  tooljetDatabase: 'tooljet_db',
};
export const SOURCE: DatabaseTarget = { ...CLONE, host: 'tooljet-pg13-source.c1abcdefgh.eu-west-1.rds.amazonaws.com' };

/** A password exercising every character class the .env/URI encoders must handle (no single quote: refused). */
export const AWKWARD_PASSWORD = 'p@ss w:rd/%?&#$"\\x~é=+,';

export interface FakeSecrets {
  pgPassword: string;
  tooljetDbPassword: string;
  lockboxMasterKey: string;
  secretKeyBase: string;
  pgrstJwtSecret: string;
}

/** Distinctive random secrets: each is unlikely to occur anywhere by accident. */
export function fakeSecrets(): FakeSecrets {
  const tag = crypto.randomBytes(6).toString('hex');
  return {
    pgPassword: `PgPass-${tag}-${crypto.randomBytes(6).toString('hex')}`,
    tooljetDbPassword: `TjDbPass-${tag}-${crypto.randomBytes(6).toString('hex')}`,
    lockboxMasterKey: crypto.randomBytes(32).toString('hex'),
    secretKeyBase: crypto.randomBytes(64).toString('hex'),
    pgrstJwtSecret: `jwt-${crypto.randomBytes(24).toString('hex')}`,
  };
}

/** Every form in which a secret value could leak: raw, percent-encoded, base64, JSON-escaped. */
export function leakForms(value: string): string[] {
  return [value, encodeURIComponent(value), Buffer.from(value).toString('base64'), JSON.stringify(value).slice(1, -1)];
}

/** Asserts that no secret value (in any encoding) occurs in `artifact` (stringified if not a string). */
export function assertNoSecrets(name: string, artifact: unknown, secrets: Record<string, string>): void {
  const text = typeof artifact === 'string' ? artifact : JSON.stringify(artifact);
  for (const [k, v] of Object.entries(secrets)) {
    for (const form of leakForms(v)) {
      if (text.includes(form)) throw new Error(`${name} contains the value of ${k}`);
    }
  }
}

export interface CaFixture {
  dir: string;
  pem: string;
  /** A second, unrelated CA (for "wrong bundle" cases). */
  otherPem: string;
  cleanup(): void;
}

/** Two real CA certificates from openssl; `pem` is a two-certificate bundle like RDS's multi-certificate file. */
export function makeCaBundle(): CaFixture {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tj-render-ca-'));
  const a = createCertificateAuthority(dir, 'render test CA A');
  const b = createCertificateAuthority(dir, 'render test CA B');
  const c = createCertificateAuthority(dir, 'render test CA C');
  const pem = fs.readFileSync(a.certFile, 'utf8') + fs.readFileSync(b.certFile, 'utf8');
  return { dir, pem, otherPem: fs.readFileSync(c.certFile, 'utf8'), cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Renders with `CLONE` and with `SOURCE` and checks that the only difference is the host: replacing every occurrence
 * of the clone host in the first rendering must give exactly the second, and the host must occur at least once.
 */
export function onlyHostMoves(render: (db: DatabaseTarget) => unknown): number {
  const a = JSON.stringify(render(CLONE));
  const b = JSON.stringify(render(SOURCE));
  const occurrences = a.split(CLONE.host).length - 1;
  if (occurrences === 0) throw new Error('the clone host does not appear in the rendering');
  if (b.includes(CLONE.host)) throw new Error('the source rendering still mentions the clone host');
  if (a.split(CLONE.host).join(SOURCE.host) !== b) throw new Error('switching clone -> source changed more than the host');
  return occurrences;
}
