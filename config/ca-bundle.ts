// Reads and checks the RDS CA bundle (global-bundle.pem): one or more PEM certificates, each of which must parse as
// X.509. Done at program start so a missing or broken bundle fails `pulumi preview`, not a ToolJet restart.
import * as crypto from 'crypto';
import * as path from 'path';
import { CaBundle, RDS_CA_BUNDLE_URL } from './types';

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

export type ReadFile = (file: string) => string;

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
