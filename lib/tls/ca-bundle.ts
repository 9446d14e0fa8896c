// The one owner of CA bundles: the RDS CA bundle (global-bundle.pem, config `caBundle`) and any other PEM file of CA
// certificates this product trusts (a connection's sslrootcert). The PEM is parsed ONCE, here, into a checked
// CaBundle: every certificate parsed as X.509 with its subject common name, the count, the SHA-256 of the bytes as
// read and of the normalised PEM, and the RDS roots it holds. The config parser, the target renderers and components,
// the post-deploy validation and the CLI's connection code take that type; no other module parses a bundle.
//
// What counts as a bundle: one or more "-----BEGIN CERTIFICATE-----" blocks that parse, text between them (comments
// some bundles carry), nothing else: no private key, no other kind of PEM block, no broken block, valid UTF-8.
// A problem is returned as data (CaBundleProblem) and phrased for where the bundle came from: the stack's `caBundle`
// key (configProblem), a renderer's input (caBundleFromPem, CaBundleError) or a connection's sslrootcert
// (sslRootCertProblem). Pure except readCaBundleFile, which reads the file (through a replaceable reader).
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/** Where the RDS CA bundle comes from (docs/configuration.md and error messages point here). */
export const RDS_CA_BUNDLE_URL = 'https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem';

/** The name a bundle given as text (not read from a file) is mounted under. */
const DEFAULT_FILE_NAME = 'global-bundle.pem';

/**
 * Type-only brand: only this module makes a CaBundle, so a value of the type has been checked. (Declared, never
 * defined: nothing exists at run time.)
 */
export declare const CHECKED_CA_BUNDLE: unique symbol;

export interface CaCertificate {
  /** The certificate's PEM block, as it appears in the file. */
  readonly pem: string;
  /** X.509 subject, one `key=value` per line (Node's X509Certificate.subject). */
  readonly subject: string;
  /** Subject CN, when it has one. */
  readonly commonName?: string;
}

export interface CaBundle {
  readonly [CHECKED_CA_BUNDLE]: true;
  /** Absolute path of the file it was read from; unset for PEM text given directly (a renderer's input, a test CA). */
  readonly path?: string;
  /** Base name of the file (`global-bundle.pem`), for targets that mount it somewhere. */
  readonly fileName: string;
  /** Every certificate, in file order, joined by "\n" with nothing between them (what the targets install). */
  readonly pem: string;
  readonly certificates: readonly CaCertificate[];
  readonly certificateCount: number;
  /**
   * SHA-256 (hex) of the bytes exactly as read: what a download of the same file hashes to (the AMI's caBundleUrl
   * mode, where the instance checks the downloaded bytes, not `pem`).
   */
  readonly fileSha256: string;
  /** SHA-256 (hex) of `pem`: what the targets that install `pem` check (ECS init container, S3 object, EKS rollout). */
  readonly pemSha256: string;
  /** Subject CNs of the RDS root CAs in the bundle ("Amazon RDS eu-west-1 Root CA RSA2048 G1", ...). */
  readonly rdsRoots: readonly string[];
}

/** A bundle read from a file (the stack's caBundle): its path is known. */
export interface CaBundleFile extends CaBundle {
  readonly path: string;
}

/** Why a text is not a CA bundle (phrased by configProblem, renderProblem or sslRootCertProblem). */
export type CaBundleProblem =
  | { readonly kind: 'empty' }
  | { readonly kind: 'not-utf8' }
  | { readonly kind: 'private-key'; readonly label: string }
  | { readonly kind: 'other-block'; readonly label: string }
  | { readonly kind: 'no-certificate' }
  | { readonly kind: 'unparseable'; readonly index: number; readonly count: number; readonly reason: string }
  | { readonly kind: 'malformed' };

/** Why a file could not be read at all. */
export interface UnreadableProblem {
  readonly kind: 'unreadable';
  /** errno code (ENOENT, EISDIR, EACCES...), when there is one. */
  readonly code?: string;
  readonly message: string;
}

export type CaBundleResult<B extends CaBundle = CaBundle> =
  | { ok: true; bundle: B }
  | { ok: false; problem: CaBundleProblem };
export type CaBundleFileResult =
  | { ok: true; bundle: CaBundleFile }
  | { ok: false; problem: CaBundleProblem | UnreadableProblem };

export type ReadFile = (file: string) => string;

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n[\s\S]*?-----END \1-----/g;
const PRIVATE_KEY = /-----BEGIN ([A-Z ]*PRIVATE KEY)-----/;
const RDS_ROOT = /^Amazon RDS .*Root/;

/** Lower-case hex SHA-256 of `text` as UTF-8. */
export function caBundleSha256(text: string): string {
  return crypto.createHash('sha256').update(text, 'utf8').digest('hex');
}

function commonNameOf(subject: string): string | undefined {
  return /^CN=(.*)$/m.exec(subject)?.[1];
}

/** Parses `text` (the whole file) into a checked bundle, or says why it is not one. */
export function parseCaBundle(text: string, source: { path?: string; fileName?: string } = {}): CaBundleResult {
  if (typeof text !== 'string' || text.trim() === '') return { ok: false, problem: { kind: 'empty' } };
  // A file read as UTF-8 turns bytes that are not UTF-8 into U+FFFD (a DER file, a bundle in another encoding).
  if (text.includes('\uFFFD')) return { ok: false, problem: { kind: 'not-utf8' } };
  const key = PRIVATE_KEY.exec(text);
  if (key) return { ok: false, problem: { kind: 'private-key', label: key[1] } };
  const blocks: string[] = [];
  let rest = text;
  for (const m of text.matchAll(PEM_BLOCK)) {
    if (m[1] !== 'CERTIFICATE') return { ok: false, problem: { kind: 'other-block', label: m[1] } };
    blocks.push(m[0]);
    rest = rest.replace(m[0], '');
  }
  if (blocks.length === 0) return { ok: false, problem: { kind: 'no-certificate' } };
  const certificates: CaCertificate[] = [];
  for (const [i, block] of blocks.entries()) {
    let subject: string;
    try {
      subject = new crypto.X509Certificate(block).subject;
    } catch (err) {
      return {
        ok: false,
        problem: { kind: 'unparseable', index: i, count: blocks.length, reason: (err as Error).message },
      };
    }
    const commonName = commonNameOf(subject);
    certificates.push({ pem: block, subject, ...(commonName !== undefined && { commonName }) });
  }
  // Text between blocks is harmless to OpenSSL and Node; a block cut short (BEGIN without END) is not.
  if (rest.includes('-----BEGIN') || rest.includes('-----END')) return { ok: false, problem: { kind: 'malformed' } };
  const pem = blocks.join('\n') + '\n';
  const bundle = {
    ...(source.path !== undefined && { path: source.path }),
    fileName: source.fileName ?? (source.path !== undefined ? path.basename(source.path) : DEFAULT_FILE_NAME),
    pem,
    certificates,
    certificateCount: certificates.length,
    // Valid UTF-8 (checked above) re-encodes to the same bytes.
    fileSha256: caBundleSha256(text),
    pemSha256: caBundleSha256(pem),
    rdsRoots: certificates.map((c) => c.commonName ?? '').filter((n) => RDS_ROOT.test(n)),
  } as unknown as CaBundle;
  return { ok: true, bundle };
}

/** Reads `file` (absolute) and parses it. `readFile` defaults to reading UTF-8 from disk. */
export function readCaBundleFile(
  file: string,
  readFile: ReadFile = (f) => fs.readFileSync(f, 'utf8'),
): CaBundleFileResult {
  let text: string;
  try {
    text = readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return {
      ok: false,
      problem: { kind: 'unreadable', ...(code !== undefined && { code }), message: (err as Error).message },
    };
  }
  const parsed = parseCaBundle(text, { path: file });
  return parsed.ok ? { ok: true, bundle: parsed.bundle as CaBundleFile } : parsed;
}

/** A renderer's input that is not a CA bundle. The message is one line that says what to fix. */
export class CaBundleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CaBundleError';
  }
}

/** The PEM text of a bundle (a renderer's or the rehearsal's input), checked; throws CaBundleError. */
export function caBundleFromPem(text: string): CaBundle {
  const r = parseCaBundle(text);
  if (!r.ok) throw new CaBundleError(renderProblem(r.problem));
  return r.bundle;
}

/** The problem, in the words of a renderer's input (`caBundle`). */
export function renderProblem(p: CaBundleProblem): string {
  switch (p.kind) {
    case 'empty':
      return 'caBundle is empty: give the PEM text of the RDS CA bundle (global-bundle.pem)';
    case 'not-utf8':
      return 'caBundle is not PEM text (it has characters that are not UTF-8): give the PEM text of global-bundle.pem';
    case 'private-key':
    case 'other-block':
      return `caBundle contains a "${p.label}" block: it must hold only CA certificates`;
    case 'no-certificate':
      return 'caBundle holds no "-----BEGIN CERTIFICATE-----" block: give the PEM text of global-bundle.pem';
    case 'unparseable':
      return `caBundle certificate #${p.index + 1} does not parse: ${p.reason}`;
    case 'malformed':
      return 'caBundle has a malformed PEM block: give the unmodified PEM file';
  }
}

/**
 * The problem, for the stack's `caBundle` key: `shownPath` is how the file is named (the configured, possibly
 * relative, path), `file` where it resolved to.
 */
export function configProblem(p: CaBundleProblem | UnreadableProblem, shownPath: string, file: string): string {
  const download = `download it: curl -fsSLo ${shownPath} ${RDS_CA_BUNDLE_URL}`;
  switch (p.kind) {
    case 'unreadable':
      if (p.code === 'ENOENT') return `${shownPath} does not exist (resolved to ${file}); ${download}`;
      if (p.code === 'EISDIR') return `${shownPath} is a directory, not a PEM file; ${download}`;
      return `cannot read ${file} (${p.code ?? p.message}); make it readable`;
    case 'not-utf8':
      return `${shownPath} is not a text PEM file (it has bytes that are not UTF-8); ${download}`;
    case 'private-key':
      return `${shownPath} contains a private key; a CA bundle holds certificates only: ${download}`;
    case 'other-block':
      return `${shownPath} contains a "${p.label}" block; a CA bundle holds certificates only: ${download}`;
    case 'empty':
    case 'no-certificate':
      return `${shownPath} contains no PEM certificate (no -----BEGIN CERTIFICATE----- block); ${download}`;
    case 'unparseable':
      return `certificate ${p.index + 1} of ${p.count} in ${shownPath} does not parse as X.509 (${p.reason.split('\n')[0]}); ${download}`;
    case 'malformed':
      return `${shownPath} has a malformed PEM block (a BEGIN line without its END, or the reverse); ${download}`;
  }
}

/** The problem, for a connection's sslrootcert `file`. */
export function sslRootCertProblem(p: CaBundleProblem | UnreadableProblem, file: string): string {
  switch (p.kind) {
    case 'unreadable': {
      const c = p.code;
      const why =
        c === 'ENOENT'
          ? 'file not found'
          : c === 'EACCES'
            ? 'permission denied'
            : c === 'EISDIR'
              ? 'is a directory'
              : String(c ?? p.message);
      return `cannot read sslrootcert ${file}: ${why}`;
    }
    case 'empty':
    case 'no-certificate':
      return `sslrootcert ${file} holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)`;
    case 'unparseable':
      return `sslrootcert ${file} holds a certificate that cannot be parsed`;
    case 'not-utf8':
      return `sslrootcert ${file} is not a text PEM file (it has bytes that are not UTF-8)`;
    case 'private-key':
    case 'other-block':
      return `sslrootcert ${file} holds a "${p.label}" block; it must hold CA certificates only`;
    case 'malformed':
      return `sslrootcert ${file} has a malformed PEM block (a BEGIN line without its END, or the reverse)`;
  }
}

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

/**
 * A problem (one line) when no certificate of `bundle` is a root of the RDS CA `identifier` (clone.caCertIdentifier,
 * or a looked-up instance's CA): ToolJet could then not verify that instance's certificate.
 */
export function checkRdsRoot(bundle: CaBundle, identifier: string, shownPath: string): string | undefined {
  const download = `download the global bundle, which holds every RDS root: curl -fsSLo ${shownPath} ${RDS_CA_BUNDLE_URL}`;
  const wanted = rdsRootCommonName(identifier);
  if (!wanted)
    return `clone.caCertIdentifier "${identifier}" is not an RDS CA this program can check the bundle for; use rds-ca-rsa2048-g1, rds-ca-rsa4096-g1 or rds-ca-ecc384-g1`;
  if (bundle.certificates.some((c) => wanted.test(c.commonName ?? ''))) return undefined;
  const kind =
    identifier === 'rds-ca-2019'
      ? '"Amazon RDS Root 2019 CA"'
      : `"Amazon RDS <region> Root CA ${identifier.slice('rds-ca-'.length).replace(/-g/, ' G').toUpperCase()}"`;
  return `${shownPath} has no root of ${identifier} (clone.caCertIdentifier), i.e. no certificate named ${kind} among its ${bundle.certificateCount}, so the clone's certificate could not be verified; ${download}`;
}
