// What a resource renders as configuration, flattened to text fragments, and the insecure-TLS patterns in them.
//
// Every string of every input is a fragment. On top of that, so that a setting split over a key and a value is still
// seen as one line:
//   - an object entry `{ KEY: "v" }` also yields `KEY=v` (command environment, ConfigMap/Secret data, helm values);
//   - an entry `{ name: "KEY", value: "v" }` also yields `KEY=v` (ECS and Kubernetes container env).
// Strings are decoded where they carry more config: JSON (ECS containerDefinitions) is parsed and walked; base64 is
// decoded (always for the known base64 fields, otherwise when the result is readable text), gzip inside it is
// inflated (EC2 user data is often gzip+base64); percent-encoding is decoded; user data is expanded the way cloud-init
// reads it (MIME parts, cloud-config, write_files contents: ./cloud-init); a multi-line YAML document (a Compose file)
// is parsed and walked. Decoding nests up to MAX_DECODE_DEPTH.
//
// Besides the text fragments (which the patterns below scan as text), the walk collects *settings*: `KEY=value` as the
// workload will get it. From `{ KEY: value }` and `{ name, value }` entries, and from every text read the way a .env
// is read (./dotenv: quotes, multi-line values, `export`); those are judged by their value, not by how they are
// written. And what it cannot read: an ECS `secrets[]` entry's value (`valueFrom` ARN, resolved by ECS at task start),
// ECS `environmentFiles` (S3 objects read at task start), user data it cannot decode or URLs cloud-init fetches.
//
// Unknown values (preview) are skipped and listed: the caller decides what that means.

import * as zlib from 'zlib';
import { read, keysOf, isPlainRecord } from './values';
import { envReadings } from './dotenv';
import { expandUserData, looksLikeCloudInit } from './cloud-init';
import { parseYaml } from './yaml';
import { connectionSslMode, POSTGRES_URI_RE, printableMode, uriSslMode, VERIFY_FULL } from './postgres-uri';

export interface Fragment {
  /** Where the text comes from, e.g. `containerDefinitions(json)[name=postgrest].environment[name=PGRST_DB_URI]`. */
  path: string;
  text: string;
}

/** `KEY=value` as a workload gets it (from an env entry, a map entry, or a .env-style text). */
export interface Setting {
  path: string;
  key: string;
  value: string;
}

/** Something that sets configuration the pack cannot see: refused for the TLS settings (policy tls-config-readable). */
export interface Unreadable {
  path: string;
  /** What it is, safe to print (never a value). */
  what: string;
  /** For a reference to a value (ECS `secrets[]`): the variable it sets. */
  key?: string;
  /** For an ECS environment file: its S3 object ARN (`value`), so a reviewed file can be accepted by name. */
  ref?: string;
}

export interface Extraction {
  fragments: Fragment[];
  settings: Setting[];
  unreadable: Unreadable[];
  /** Inputs that were unknown, with the first error for each (to rethrow as the server's advisory). */
  unknowns: { path: string; error: Error }[];
}

/** Inputs known to hold base64 text, by resource type (top-level property; `*` = every key of that map). */
export const KNOWN_BASE64_FIELDS: Readonly<Record<string, readonly string[]>> = {
  'aws:ec2/launchTemplate:LaunchTemplate': ['userData'],
  'aws:ec2/instance:Instance': ['userDataBase64'],
  'kubernetes:core/v1:Secret': ['data.*'],
  'kubernetes:core/v1:SecretPatch': ['data.*'],
  'kubernetes:core/v1:ConfigMap': ['binaryData.*'],
  'kubernetes:core/v1:ConfigMapPatch': ['binaryData.*'],
};

const MAX_DECODE_DEPTH = 4;
const MAX_WALK_DEPTH = 64;
const MAX_INFLATED_BYTES = 8 * 1024 * 1024;

interface Variant {
  text: string;
  /** Decoding steps taken, e.g. `(base64)(gzip)`. */
  via: string;
}

function appendKey(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function isKnownBase64(type: string, topKey: string, key: string | undefined): boolean {
  for (const field of KNOWN_BASE64_FIELDS[type] ?? []) {
    const [top, sub] = field.split('.');
    if (top !== topKey) continue;
    if (sub === undefined && key === undefined) return true;
    if (sub === '*' && key !== undefined) return true;
  }
  return false;
}

function readableText(buf: Buffer): string | undefined {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    return undefined;
  }
  // Control characters other than tab/newline/carriage return mean binary, not config.
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text) ? undefined : text;
}

const BASE64_RE = /^[A-Za-z0-9+/]+={0,2}$/;

/** Decodes base64 (and gzip inside it) to readable text, or undefined if it is not that. */
export function decodeBase64Text(s: string, force: boolean): { text: string; via: string } | undefined {
  const compact = s.replace(/\s+/g, '');
  if (compact.length < (force ? 4 : 16) || compact.length % 4 !== 0 || !BASE64_RE.test(compact)) return undefined;
  const raw = Buffer.from(compact, 'base64');
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      const inflated = zlib.gunzipSync(raw, { maxOutputLength: MAX_INFLATED_BYTES });
      const text = readableText(inflated);
      return text === undefined ? undefined : { text, via: '(base64)(gzip)' };
    } catch {
      return undefined;
    }
  }
  const text = readableText(raw);
  return text === undefined ? undefined : { text, via: '(base64)' };
}

function variantsOf(s: string, forceBase64: boolean, depth: number): Variant[] {
  const out: Variant[] = [{ text: s, via: '' }];
  if (depth >= MAX_DECODE_DEPTH) return out;
  const b64 = decodeBase64Text(s, forceBase64);
  if (b64 !== undefined && b64.text !== s) {
    for (const inner of variantsOf(b64.text, false, depth + 1))
      out.push({ text: inner.text, via: b64.via + inner.via });
  }
  if (s.includes('%')) {
    try {
      const decoded = decodeURIComponent(s);
      if (decoded !== s) out.push({ text: decoded, via: '(uri-decoded)' });
    } catch {
      // not percent-encoded after all
    }
  }
  return out;
}

function parseJson(text: string): unknown {
  const t = text.trim();
  if (!(t.startsWith('{') || t.startsWith('['))) return undefined;
  try {
    return JSON.parse(t);
  } catch {
    return undefined;
  }
}

/** A multi-line text that reads as a YAML mapping or list (a Compose file, a Kubernetes manifest), parsed; else undefined. */
function parseYamlDocument(text: string): unknown {
  if (!text.includes('\n')) return undefined;
  const first = text.split('\n').find((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
  if (first === undefined || !/^(?:[A-Za-z0-9_.-]+|"[^"]*"|'[^']*'):(?:\s|$)|^- /.test(first)) return undefined;
  try {
    const doc = parseYaml(text);
    return doc !== null && typeof doc === 'object' ? doc : undefined;
  } catch {
    return undefined; // not YAML after all: the text itself is still scanned and read as a .env
  }
}

/** The ECS task definition / Kubernetes container shapes whose `environmentFiles` cannot be read. */
function environmentFilesOf(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

class Walker {
  readonly fragments: Fragment[] = [];
  readonly settings: Setting[] = [];
  readonly unreadable: Unreadable[] = [];
  readonly unknowns: { path: string; error: Error }[] = [];
  private readonly seen = new WeakSet<object>();

  constructor(private readonly type: string) {}

  /** A string value: itself, its decodings, and (when JSON, YAML or user data) its parsed contents. */
  str(s: string, path: string, forceBase64: boolean, depth: number): Variant[] {
    const variants = variantsOf(s, forceBase64, depth);
    for (const v of variants) {
      const at = path + v.via;
      this.fragments.push({ path: at, text: v.text });
      for (const e of envReadings(v.text)) this.settings.push({ path: at, key: e.key, value: e.value });
      if (depth >= MAX_DECODE_DEPTH) continue;
      const parsed = parseJson(v.text);
      if (parsed !== undefined) {
        this.value(parsed, `${at}(json)`, '', depth + 1, 0);
        continue;
      }
      if (looksLikeCloudInit(v.text)) {
        const expanded = expandUserData(v.text);
        for (const u of expanded.unreadable) this.unreadable.push({ path: at + u.via, what: u.reason });
        for (const x of expanded.values) {
          if (typeof x.value === 'string') this.str(x.value, at + x.via, false, depth + 1);
          else this.value(x.value, at + x.via, '', depth + 1, 0);
        }
        continue;
      }
      const yaml = parseYamlDocument(v.text);
      if (yaml !== undefined) this.value(yaml, `${at}(yaml)`, '', depth + 1, 0);
    }
    return variants;
  }

  /** Any value. `topKey` is the resource input it belongs to (for the known base64 fields). */
  value(v: unknown, path: string, topKey: string, decodeDepth: number, walkDepth: number, mapKey?: string): Variant[] {
    if (walkDepth > MAX_WALK_DEPTH) return [];
    if (typeof v === 'string') {
      const force = decodeDepth === 0 && isKnownBase64(this.type, topKey, mapKey);
      return this.str(v, path, force, decodeDepth);
    }
    if (v === null || typeof v !== 'object') return [];
    if (this.seen.has(v)) return [];
    this.seen.add(v);
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const r = read(v, i, `${path}[${i}]`);
        if (!r.known) {
          this.unknowns.push({ path: `${path}[${i}]`, error: r.error });
          continue;
        }
        this.value(r.value, `${path}[${elementLabel(r.value, i)}]`, topKey, decodeDepth, walkDepth + 1);
      }
      return [];
    }
    this.record(v, path, topKey, decodeDepth, walkDepth);
    return [];
  }

  private record(obj: object, path: string, topKey: string, decodeDepth: number, walkDepth: number): void {
    const atTop = path === '' && decodeDepth === 0;
    for (const key of keysOf(obj)) {
      const childPath = appendKey(path, key);
      const r = read(obj, key, childPath);
      if (!r.known) {
        this.unknowns.push({ path: childPath, error: r.error });
        continue;
      }
      const childTop = atTop ? key : topKey;
      // For a map under a known base64 field (Secret `data`), the entries are the base64 strings.
      const mapKey = !atTop && path === topKey && decodeDepth === 0 ? key : undefined;
      const variants = this.value(r.value, childPath, childTop, decodeDepth, walkDepth + 1, mapKey);
      if (typeof r.value === 'number' || typeof r.value === 'boolean') {
        this.fragments.push({ path: childPath, text: `${key}=${String(r.value)}` });
        this.settings.push({ path: childPath, key, value: String(r.value) });
      }
      for (const variant of variants) {
        this.fragments.push({ path: childPath + variant.via, text: `${key}=${variant.text}` });
      }
      // The setting is the value as the workload gets it: literal, or decoded where the field is base64 (Secret data).
      const setting = isKnownBase64(this.type, childTop, mapKey) && decodeDepth === 0 ? variants[1] : variants[0];
      if (setting !== undefined && (setting.via === '' || /^\(base64\)(\(gzip\))?$/.test(setting.via))) {
        this.settings.push({ path: childPath + setting.via, key, value: setting.text });
      }
      if (key === 'environmentFiles') {
        environmentFilesOf(r.value).forEach((f, i) => {
          const ref = f !== null && typeof f === 'object' ? (f as { value?: unknown }).value : undefined;
          this.unreadable.push({
            path: `${childPath}[${i}]`,
            what: 'environment file (S3, read at task start)',
            ...(typeof ref === 'string' && { ref }),
          });
        });
      }
    }
    // `{ name: "KEY", value: "v" }`: container env entries.
    const name = read(obj, 'name');
    const value = read(obj, 'value');
    if (name.known && typeof name.value === 'string' && value.known && value.value !== undefined) {
      const texts =
        typeof value.value === 'string'
          ? variantsOf(value.value, false, decodeDepth)
          : typeof value.value === 'number' || typeof value.value === 'boolean'
            ? [{ text: String(value.value), via: '' }]
            : [];
      for (const t of texts) this.fragments.push({ path: path + t.via, text: `${name.value}=${t.text}` });
      if (texts.length > 0) this.settings.push({ path, key: name.value, value: texts[0].text });
    }
    // `{ name: "KEY", valueFrom: "arn:…" }`: an ECS secret, resolved by ECS when the task starts (a Kubernetes
    // `valueFrom` is an object: the stack policy kubernetes-env-references resolves those).
    const valueFrom = read(obj, 'valueFrom');
    if (name.known && typeof name.value === 'string' && valueFrom.known && typeof valueFrom.value === 'string') {
      this.unreadable.push({
        path,
        key: name.value,
        what: 'secrets[].valueFrom (read at task start)',
      });
    }
  }
}

function elementLabel(v: unknown, i: number): string {
  if (isPlainRecord(v)) {
    const name = read(v, 'name');
    if (name.known && typeof name.value === 'string' && name.value !== '' && name.value.length <= 100) {
      return `name=${name.value}`;
    }
  }
  return String(i);
}

/** Flattens a resource's inputs to text fragments (see the header). */
export function renderedText(type: string, props: Record<string, unknown>): Extraction {
  const walker = new Walker(type);
  walker.value(props, '', '', 0, 0);
  return {
    fragments: walker.fragments,
    settings: walker.settings,
    unreadable: walker.unreadable,
    unknowns: walker.unknowns,
  };
}

export interface Finding {
  path: string;
  /** The matched setting, normalised and safe to print (never the surrounding value, which may hold a password). */
  match: string;
}

// The patterns below read a setting written on one line (they never reach across a line break: `DATABASE_URL=` followed
// by a line `CA_CERT=` is two empty values, as dotenv reads it). Values that are quoted, spaced or span lines are
// judged from the settings (./dotenv), by value.
//
// NODE_TLS_REJECT_UNAUTHORIZED given a value (`=0`, `: "0"`, `{name, value}` env entries become `NAME=value`). Only an
// empty value passes: Node compares the variable with "0", so "" is unset, and the program writes "" on purpose where a
// key cannot be deleted (EKS Secret patch); a bare mention (the AMI script's list of keys it comments out) is no setting.
const NODE_TLS_RE = /(?<![A-Za-z0-9_])NODE_TLS_REJECT_UNAUTHORIZED["']?[ \t]*[=:][ \t]*["']?([^\s"',;}\]]*)/gi;
// Every TLS mode short of verify-full, as `sslmode=...` in a URI or conninfo, `PGSSLMODE=...` in .env/shell,
// `PGSSLMODE: "..."` in YAML/JSON. disable/allow/prefer may not encrypt at all; require/verify-ca do not check the
// host name (libpq: PostgREST, createdb, psql; require checks nothing); no-verify is node-postgres's "encrypt, trust
// anyone". Our renderers write verify-full everywhere, so anything else is someone else's setting.
const WEAK_SSLMODE_RE =
  /(?<![A-Za-z0-9])((?:PG)?SSLMODE)["']?[ \t]*[=:][ \t]*["']?[ \t]*(disable|allow|prefer|require|verify-ca|no-verify)(?![A-Za-z0-9_-])/gi;
// ToolJet's server (server/ormconfig.ts) switches to `ssl: { rejectUnauthorized: false }` when DATABASE_URL or CA_CERT
// is truthy, and takes the database host from DATABASE_URL / TOOLJET_DB_URL: flagged with a non-empty value.
const TOOLJET_TLS_OVERRIDE_RE =
  /(?<![A-Za-z0-9_])(DATABASE_URL|TOOLJET_DB_URL|CA_CERT)["']?[ \t]*[=:][ \t]*["']?([^\s"',;}\]]*)/g;

function dedupe(findings: Finding[]): Finding[] {
  const unique = new Map<string, Finding>();
  for (const f of findings) unique.set(`${f.match}\u0000${f.path}`, f);
  const all = [...unique.values()];
  // The same setting seen in a raw string and again inside its parsed/decoded form (`containerDefinitions` and
  // `containerDefinitions(json)[name=postgrest].environment[name=PGRST_DB_URI]`): keep the most precise location.
  return all.filter(
    (f) =>
      !all.some(
        (o) =>
          o !== f && o.match === f.match && o.path.startsWith(f.path) && /^[.[(]/.test(o.path.slice(f.path.length)),
      ),
  );
}

/** What the finders read: the text fragments and the settings of one resource (or of one resolved reference). */
export type Scanned = Pick<Extraction, 'fragments' | 'settings'>;

/** The variables that decide database TLS: judged by value wherever they are set, refused where the pack cannot see them. */
export const NODE_TLS_KEY = 'NODE_TLS_REJECT_UNAUTHORIZED';
export const SSLMODE_KEY = 'PGSSLMODE';
/** ToolJet switches verification off when these are truthy (see TOOLJET_TLS_OVERRIDE_RE). */
export const TOOLJET_OVERRIDE_KEYS: readonly string[] = ['DATABASE_URL', 'TOOLJET_DB_URL', 'CA_CERT'];
/** libpq connection strings of the workloads (PostgREST). */
export const CONNECTION_STRING_KEYS: readonly string[] = ['PGRST_DB_URI'];
export const TLS_KEYS: readonly string[] = [
  NODE_TLS_KEY,
  SSLMODE_KEY,
  ...TOOLJET_OVERRIDE_KEYS,
  ...CONNECTION_STRING_KEYS,
];

export function findNodeTlsRejectUnauthorized(scanned: Scanned): Finding[] {
  const found: Finding[] = [];
  for (const f of scanned.fragments) {
    for (const m of f.text.matchAll(NODE_TLS_RE)) {
      if (m[1] !== '') found.push({ path: f.path, match: NODE_TLS_KEY });
    }
  }
  // By value: a quoted, spaced or multi-line value the pattern above cannot see is still a value.
  for (const s of scanned.settings) {
    if (s.key === NODE_TLS_KEY && s.value !== '') found.push({ path: s.path, match: NODE_TLS_KEY });
  }
  return dedupe(found);
}

/** The whole (trimmed) text is one PostgreSQL URI. */
function isPostgresUri(text: string): boolean {
  const t = text.trim();
  const m = POSTGRES_URI_RE.exec(t);
  POSTGRES_URI_RE.lastIndex = 0;
  return m !== null && m.index === 0 && m[0].length === t.length;
}

/** Why a connection string is weak (`sslmode=prefer`, `sslmode missing`), or undefined when it says verify-full. */
function weakConnection(mode: string | undefined): string | undefined {
  if (mode === undefined) return 'sslmode missing (libpq then uses prefer: no verification)';
  return mode === VERIFY_FULL ? undefined : `sslmode=${printableMode(mode)}`;
}

export function findWeakSslMode(scanned: Scanned): Finding[] {
  const found: Finding[] = [];
  for (const f of scanned.fragments) {
    for (const m of f.text.matchAll(WEAK_SSLMODE_RE)) {
      const key = m[1].toUpperCase() === 'PGSSLMODE' ? 'PGSSLMODE' : 'sslmode';
      found.push({ path: f.path, match: `${key}=${m[2].toLowerCase()}` });
    }
    for (const m of f.text.matchAll(TOOLJET_TLS_OVERRIDE_RE)) {
      // The value is never printed (a DATABASE_URL holds a password).
      if (m[2] !== '') found.push({ path: f.path, match: `${m[1]} set` });
    }
    // A value that is a PostgreSQL URI must ask for verify-full itself: without sslmode libpq uses prefer. (A URI
    // inside a longer text, such as a shell script that builds one from variables, is judged by the patterns above:
    // where it ends and what its variables hold is not for a pattern to guess.)
    if (isPostgresUri(f.text)) {
      const weak = weakConnection(uriSslMode(f.text.trim()));
      if (weak !== undefined) found.push({ path: f.path, match: weak });
    }
  }
  for (const s of scanned.settings) {
    if (s.key === SSLMODE_KEY && s.value.trim() !== VERIFY_FULL) {
      found.push({ path: s.path, match: `PGSSLMODE=${printableMode(s.value.trim())}` });
    } else if (TOOLJET_OVERRIDE_KEYS.includes(s.key) && s.value !== '') {
      found.push({ path: s.path, match: `${s.key} set` });
    } else if (CONNECTION_STRING_KEYS.includes(s.key) || isPostgresUri(s.value)) {
      const weak = weakConnection(connectionSslMode(s.value));
      if (weak !== undefined) found.push({ path: s.path, match: weak });
    }
  }
  return dedupe(found);
}
