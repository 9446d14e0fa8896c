// Reads and checks the RDS CA bundle (global-bundle.pem): one or more PEM certificates, each of which must parse as
// X.509. Done at program start so a missing or broken bundle fails `pulumi preview`, not a ToolJet restart.
import * as crypto from 'crypto';
import * as path from 'path';
import { CaBundle, RDS_CA_BUNDLE_URL } from './types';

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

export type ReadFile = (file: string) => string;

/**
 * The subject common name of the root certificate of an RDS CA identifier, whatever the region: the global bundle
 * holds one root per region and kind ("Amazon RDS eu-west-1 Root CA RSA2048 G1", ...), and an instance's server
 * certificate chains to its own region's, so only the kind is checked here. rds-ca-2019 had one root for all regions.
 * Undefined for an identifier this program does not know.
 */
export function rdsRootCommonName(identifier: string): RegExp | undefined {
  if (identifier === 'rds-ca-2019') return /^Amazon RDS Root 2019 CA$/;
  const m = /^rds-ca-(rsa2048|rsa4096|ecc384)-g([1-9]\d*)$/.exec(identifier);
  if (!m) return undefined;
  return new RegExp(`^Amazon RDS [a-z]{2}(-[a-z]+)+-\\d+ Root CA ${m[1].toUpperCase()} G${m[2]}$`);
}

function commonNameOf(subject: string): string | undefined {
  return /^CN=(.*)$/m.exec(subject)?.[1];
}

/**
 * A problem (one line) when no certificate of `bundle` is a root of the RDS CA `identifier`
 * (clone.caCertIdentifier): ToolJet could then not verify the clone's certificate.
 */
export function checkRdsRoot(bundle: { pem: string; certificateCount: number }, identifier: string, shownPath: string): string | undefined {
  const download = `download the global bundle, which holds every RDS root: curl -fsSLo ${shownPath} ${RDS_CA_BUNDLE_URL}`;
  const wanted = rdsRootCommonName(identifier);
  if (!wanted) return `clone.caCertIdentifier "${identifier}" is not an RDS CA this program can check the bundle for; use rds-ca-rsa2048-g1, rds-ca-rsa4096-g1 or rds-ca-ecc384-g1`;
  const names = (bundle.pem.match(CERTIFICATE_BLOCK) ?? []).map((b) => commonNameOf(new crypto.X509Certificate(b).subject) ?? '');
  if (names.some((n) => wanted.test(n))) return undefined;
  const kind = identifier === 'rds-ca-2019' ? '"Amazon RDS Root 2019 CA"' : `"Amazon RDS <region> Root CA ${identifier.slice('rds-ca-'.length).replace(/-g/, ' G').toUpperCase()}"`;
  return `${shownPath} has no root of ${identifier} (clone.caCertIdentifier), i.e. no certificate named ${kind} among its ${bundle.certificateCount}, so the clone's certificate could not be verified; ${download}`;
}

export type CaBundleResult = { ok: true; bundle: CaBundle } | { ok: false; problem: string };

/** `shownPath` is how the file is named in messages (the configured, possibly relative, path). */
export function readCaBundle(file: string, readFile: ReadFile, shownPath = file): CaBundleResult {
  const download = `download it: curl -fsSLo ${shownPath} ${RDS_CA_BUNDLE_URL}`;
  let text: string;
  try {
    text = readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ok: false, problem: `${shownPath} does not exist (resolved to ${file}); ${download}` };
    if (code === 'EISDIR') return { ok: false, problem: `${shownPath} is a directory, not a PEM file; ${download}` };
    return { ok: false, problem: `cannot read ${file} (${code ?? (err as Error).message}); make it readable` };
  }
  if (text.includes('\uFFFD')) {
    return { ok: false, problem: `${shownPath} is not a text PEM file (it has bytes that are not UTF-8); ${download}` };
  }
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
    return { ok: false, problem: `${shownPath} contains a private key; a CA bundle holds certificates only: ${download}` };
  }
  const blocks = text.match(CERTIFICATE_BLOCK) ?? [];
  if (blocks.length === 0) {
    return { ok: false, problem: `${shownPath} contains no PEM certificate (no -----BEGIN CERTIFICATE----- block); ${download}` };
  }
  for (const [i, block] of blocks.entries()) {
    try {
      new crypto.X509Certificate(block);
    } catch (err) {
      const reason = (err as Error).message.split('\n')[0];
      return {
        ok: false,
        problem: `certificate ${i + 1} of ${blocks.length} in ${shownPath} does not parse as X.509 (${reason}); ${download}`,
      };
    }
  }
  return {
    ok: true,
    bundle: {
      path: file,
      fileName: path.basename(file),
      pem: blocks.join('\n') + '\n',
      certificateCount: blocks.length,
      // Valid UTF-8 (checked above) re-encodes to the same bytes.
      fileSha256: crypto.createHash('sha256').update(text, 'utf8').digest('hex'),
    },
  };
}
