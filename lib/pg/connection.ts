// Turns a libpq connection string (URL or keyword/value) plus the PG* environment variables into a node-postgres
// client configuration whose TLS is always verified (chain AND host name), connects, and describes connection
// failures in one line.
//
// Why not hand the URL to node-postgres: any sslmode/sslrootcert in a connection string REPLACES the `ssl` object
// passed next to it, and node-postgres gives the libpq modes its own meaning. So the ssl parameters are parsed here,
// never reach node-postgres, and the `ssl` object is built explicitly: { ca, rejectUnauthorized: true, servername }.
//
// TLS policy of this product: every TLS connection is verified like libpq's verify-full. `require` and `verify-ca`
// are accepted but verified fully too (a notice says so). `disable`, `allow` and `prefer` (the libpq default) are
// refused unless the caller passes `insecure` (the CLI's --insecure); even then TLS, when used, is verified.
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as tls from 'tls';
import { Client, ClientConfig } from 'pg';
import { Redactor } from '../redact';
import { CaBundleFile, readCaBundleFile, sslRootCertProblem } from '../tls/ca-bundle';

export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';
const SSL_MODES: SslMode[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

/** Where the trusted CA certificates come from. */
export type TrustSource =
  | { kind: 'file'; path: string }
  /** sslrootcert=system: Node's bundled root CAs (plus NODE_EXTRA_CA_CERTS). */
  | { kind: 'system' }
  /** no sslrootcert: Node's default CAs plus NODE_EXTRA_CA_CERTS, exactly what ToolJet's server trusts. */
  | { kind: 'node-default' };

/** A fully resolved, validated connection target. Holds the password: never print it, print `label`/`display`. */
export interface ConnectionTarget {
  /** The server's name: what TLS checks the certificate against (libpq: host). */
  host: string;
  /** The numeric address connected to instead of resolving `host` (libpq: hostaddr); `host` is still the name checked. */
  hostaddr?: string;
  port: number;
  user: string;
  password?: string;
  database: string;
  /** The sslmode the user asked for (or the default, verify-full). */
  sslmode: SslMode;
  /** How the connection is made: verified TLS, or plain text (only with insecure). */
  transport: 'tls' | 'plain' | 'tls-or-plain';
  trust: TrustSource;
  sslcert?: string;
  sslkey?: string;
  connectTimeoutSec: number;
  applicationName?: string;
  options?: string;
  /** Non-fatal remarks about how the parameters were interpreted (e.g. sslmode=require is verified fully). */
  notices: string[];
  /** `host:port` */
  endpoint: string;
  /** Password-free description, e.g. postgresql://app@db.example:5432/tooljet?sslmode=verify-full&sslrootcert=/ca.pem */
  display: string;
}

export interface ResolveOptions {
  /** Environment to read PG* variables from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Allow plain-text connections for sslmode disable/allow/prefer (the CLI's --insecure). */
  insecure?: boolean;
  /** Override the database named in the URL. */
  database?: string;
  /** application_name when the URL gives none. */
  applicationName?: string;
  /** What errors call the connection string (e.g. "--source", "TJ_PG_SOURCE_URL"); default "the connection string". */
  name?: string;
}

/** Bad connection parameters (the user has to fix the string or the environment). */
export class ConnectionConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConnectionConfigError';
  }
}

export type ConnectionFailureKind =
  | 'refused'
  | 'dns'
  | 'timeout'
  | 'tls-untrusted'
  | 'tls-hostname'
  | 'tls-expired'
  | 'tls-unsupported'
  | 'tls-other'
  | 'auth'
  | 'no-database'
  | 'rejected'
  | 'reset'
  | 'config'
  | 'other';

/** A connection that failed; `message` is the one-line description. */
export class ConnectionError extends Error {
  constructor(
    message: string,
    readonly kind: ConnectionFailureKind,
    readonly endpoint: string,
    readonly original?: unknown,
  ) {
    super(message);
    this.name = 'ConnectionError';
  }
}

const URL_PARAMS = new Set([
  'host',
  'hostaddr',
  'port',
  'dbname',
  'user',
  'password',
  'sslmode',
  'sslrootcert',
  'sslcert',
  'sslkey',
  'connect_timeout',
  'application_name',
  'fallback_application_name',
  'options',
]);

/** What a parse error calls the string when the caller gives no name (the CLI names it: --source, TJ_PG_TARGET_URL). */
const DEFAULT_NAME = 'the connection string';

const URL_EXAMPLE = 'postgresql://user:password@host:port/database?sslmode=verify-full&sslrootcert=/path/ca.pem';

/**
 * Parses a libpq URL (postgresql:// or postgres://) into keyword/value pairs, like libpq's conninfo_uri_parse.
 * Errors name the part that is wrong and never echo the string (it may hold a password): `name` is what to call it.
 */
export function parseConnectionUrl(url: string, name = DEFAULT_NAME): Record<string, string> {
  const hint = reservedCharacterHint(url);
  const m = /^(postgres(?:ql)?):\/\/([^/?#]*)(\/[^?#]*)?(\?[^#]*)?$/.exec(url.trim());
  if (!m)
    throw new ConnectionConfigError(`${name} is not a valid PostgreSQL URL${hint || ` (expected ${URL_EXAMPLE})`}`);
  const out: Record<string, string> = {};
  const dec = (s: string, what: string): string => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw new ConnectionConfigError(
        `the ${what} of ${name} has an invalid percent-encoding (write % as %25, and every other reserved character as %XX)`,
      );
    }
  };
  let authority = m[2];
  const at = authority.lastIndexOf('@');
  if (at >= 0) {
    const userinfo = authority.slice(0, at);
    authority = authority.slice(at + 1);
    const colon = userinfo.indexOf(':');
    const user = colon >= 0 ? userinfo.slice(0, colon) : userinfo;
    if (user) out.user = dec(user, 'user name');
    if (colon >= 0) out.password = dec(userinfo.slice(colon + 1), 'password');
  }
  if (authority.includes(',')) {
    throw new ConnectionConfigError(`${name} names several hosts: give one host${hint}`);
  }
  let hostPart = authority;
  let portPart = '';
  if (hostPart.startsWith('[')) {
    const close = hostPart.indexOf(']');
    if (close < 0) throw new ConnectionConfigError(`the IPv6 address in ${name} has no closing "]"${hint}`);
    portPart = hostPart.slice(close + 1).replace(/^:/, '');
    hostPart = hostPart.slice(1, close);
  } else if (hostPart.includes(':')) {
    portPart = hostPart.slice(hostPart.lastIndexOf(':') + 1);
    hostPart = hostPart.slice(0, hostPart.lastIndexOf(':'));
  }
  if (hostPart) out.host = dec(hostPart, 'host');
  if (portPart) out.port = portPart;
  if (m[3] && m[3].length > 1) out.dbname = dec(m[3].slice(1), 'database name');
  if (m[4] && m[4].length > 1) {
    for (const pair of m[4].slice(1).split('&')) {
      if (!pair) continue;
      const eq = pair.indexOf('=');
      if (eq < 0)
        throw new ConnectionConfigError(
          `a query parameter of ${name} has no "=" (write key=value; percent-encode & in a value as %26)${hint}`,
        );
      const key = dec(pair.slice(0, eq), 'query');
      out[key] = dec(pair.slice(eq + 1).replace(/\+/g, ' '), 'query');
    }
  }
  return out;
}

/**
 * When the part between `//` and the last `@` (the user name and password, if the URL has any) holds a character
 * that ends the authority (`/ ? #`), the URL cannot mean what its writer meant: say to percent-encode; else ''.
 */
function reservedCharacterHint(url: string): string {
  const rest = afterScheme(url);
  if (rest === undefined) return '';
  const at = rest.lastIndexOf('@');
  if (at < 0 || !/[/?#]/.test(rest.slice(0, at))) return '';
  return ': if the user name or password holds / ? # @ % or a space, percent-encode it (%2F %3F %23 %40 %25 %20)';
}

/** The text after `scheme://` (jdbc: prefix allowed), or undefined when `s` is not a URL. */
function afterScheme(s: string): string | undefined {
  const m = /^\s*(?:jdbc:)?[a-z][a-z0-9+.-]*:\/\//i.exec(s);
  return m ? s.trim().slice(m[0].trim().length) : undefined;
}

/**
 * Scans a libpq keyword/value string. Strict (parseKeywordValue): a word without "=" or an unterminated quote is an
 * error naming neither. Lenient (for finding passwords to hide): such a word is skipped, an unterminated quoted value
 * runs to the end.
 */
function scanKeywordValue(s: string, lenient: boolean, name = DEFAULT_NAME): [string, string][] {
  const out: [string, string][] = [];
  let i = 0;
  const n = s.length;
  while (i < n) {
    while (i < n && /\s/.test(s[i])) i++;
    if (i >= n) break;
    let key = '';
    while (i < n && s[i] !== '=' && !/\s/.test(s[i])) key += s[i++];
    while (i < n && /\s/.test(s[i])) i++;
    if (s[i] !== '=') {
      if (lenient) continue;
      throw new ConnectionConfigError(
        `${name} has a word without "=" (write keyword=value; quote a value with spaces: password='...')`,
      );
    }
    i++;
    while (i < n && /\s/.test(s[i])) i++;
    let val = '';
    if (s[i] === "'") {
      i++;
      while (i < n && s[i] !== "'") {
        if (s[i] === '\\' && i + 1 < n) i++;
        val += s[i++];
      }
      if (s[i] !== "'" && !lenient)
        throw new ConnectionConfigError(`${name} has an unterminated quoted value (close it with ', escape ' as \\')`);
      i++;
    } else {
      while (i < n && !/\s/.test(s[i])) {
        if (s[i] === '\\' && i + 1 < n) i++;
        val += s[i++];
      }
    }
    out.push([key, val]);
  }
  return out;
}

/** Parses a libpq keyword/value string ("host=db port=5432 dbname=x sslmode=verify-full"). */
export function parseKeywordValue(s: string, name = DEFAULT_NAME): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of scanKeywordValue(s, false, name)) out[k] = v;
  return out;
}

/**
 * Every password a connection string holds, by the parser that connects, for redaction: the URL's userinfo and
 * `password=` query parameters, or keyword/value `password=`. A string the parser rejects is read as far as it goes:
 * for a URL, everything between `//` and the LAST `@` is taken as the userinfo (its password after the first `:`),
 * and every `password=` between `?`/`&` separators counts, as written and decoded. JDBC URLs too (jdbc: prefix).
 */
export function passwordsIn(input: string): string[] {
  const out = new Set<string>();
  const rest = afterScheme(input);
  if (rest !== undefined) {
    try {
      const p = parseConnectionUrl(input.trim().replace(/^jdbc:/i, '')).password;
      if (p) out.add(p);
    } catch {
      /* read leniently below */
    }
    const at = rest.lastIndexOf('@');
    if (at >= 0) {
      const userinfo = rest.slice(0, at);
      const colon = userinfo.indexOf(':');
      if (colon >= 0) out.add(userinfo.slice(colon + 1));
    }
    for (const part of rest.split(/[?&]/)) {
      const eq = part.indexOf('=');
      if (eq < 0 || safeDecode(part.slice(0, eq)).toLowerCase() !== 'password') continue;
      const value = part.slice(eq + 1);
      out.add(value);
      out.add(value.replace(/\+/g, ' '));
      const hash = value.indexOf('#');
      if (hash >= 0) out.add(value.slice(0, hash));
    }
  } else {
    for (const [k, v] of scanKeywordValue(input, true)) if (k.toLowerCase() === 'password') out.add(v);
  }
  return [...out].filter((p) => p !== '');
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Replaces every form of `secret` in `text` (for messages that may echo a password): lib/redact.ts's Redactor. */
export function redactSecret(text: string, secret: string | undefined): string {
  return new Redactor().add(secret).redact(text);
}

/** A string with the passwords it holds (found by passwordsIn) replaced by ***, e.g. a URL from a config file. */
export function redactConnectionString(s: string): string {
  const r = new Redactor();
  for (const p of passwordsIn(s)) r.add(p);
  return r.redact(s);
}

function parseInput(input: string, name: string): Record<string, string> {
  const s = input.trim();
  if (/^jdbc:/i.test(s))
    throw new ConnectionConfigError(
      `${name} is a JDBC URL: drop the "jdbc:" prefix and give the user and password as postgresql://user:password@host:port/database (percent-encoded), or in PGUSER and PGPASSWORD`,
    );
  if (/^postgres(ql)?:\/\//i.test(s)) return parseConnectionUrl(s, name);
  if (/^[a-z_]+\s*=/i.test(s)) return parseKeywordValue(s, name);
  throw new ConnectionConfigError(`${name} is not a connection string (expected ${URL_EXAMPLE})`);
}

/** The supported parameter closest to `key` (at most two edits away), to suggest without echoing the string. */
function closestParameter(key: string): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const name of URL_PARAMS) {
    const d = editDistance(key.toLowerCase(), name);
    if (d <= 2 && (!best || d < best.d)) best = { name, d };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/**
 * Resolves a connection string and the PG* environment (PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE PGSSLMODE
 * PGSSLROOTCERT PGSSLCERT PGSSLKEY PGCONNECT_TIMEOUT PGAPPNAME PGOPTIONS) into a target, as libpq does: parameters
 * in the string win, the environment fills the gaps. Throws ConnectionConfigError with a one-line message.
 * Differences from libpq: the default sslmode is verify-full (libpq: prefer), and TLS is always verified fully.
 */
export function resolveTarget(input: string | undefined, opts: ResolveOptions = {}): ConnectionTarget {
  const env = opts.env ?? process.env;
  const name = opts.name ?? DEFAULT_NAME;
  const given = input && input.trim() ? parseInput(input, name) : {};
  // Errors never echo what the string holds (it may be a piece of a password that was not percent-encoded): they
  // name the part that is wrong, and suggest a supported parameter rather than repeat an unknown one.
  const hint = input ? reservedCharacterHint(input) : '';
  for (const k of Object.keys(given)) {
    if (!URL_PARAMS.has(k)) {
      const near = closestParameter(k);
      throw new ConnectionConfigError(
        `${name} has an unsupported parameter${near ? ` (did you mean ${near}?)` : ''} (supported: ${[...URL_PARAMS].join(', ')})${hint}`,
      );
    }
  }
  const pick = (key: string, envVar: string): string | undefined => {
    const v = given[key];
    if (v !== undefined && v !== '') return v;
    const e = env[envVar];
    return e !== undefined && e !== '' ? e : undefined;
  };
  /** Where a parameter came from, for errors: "the port of --source" or "PGPORT". */
  const origin = (key: string, envVar: string): string =>
    given[key] !== undefined && given[key] !== '' ? `the ${key} of ${name}` : envVar;
  const notices: string[] = [];

  // libpq: hostaddr is the address connected to, host the name the certificate is checked against (verify-full).
  const hostaddr = pick('hostaddr', 'PGHOSTADDR');
  const hostGiven = pick('host', 'PGHOST');
  if (hostaddr !== undefined && net.isIP(hostaddr) === 0)
    throw new ConnectionConfigError(`hostaddr "${hostaddr}" is not a numeric IP address (give the name in host=)`);
  const host = hostGiven ?? hostaddr ?? 'localhost';
  if (host.includes(','))
    throw new ConnectionConfigError(`multiple hosts are not supported: "${host}" (give one host)`);
  const portText = pick('port', 'PGPORT') ?? '5432';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) {
    throw new ConnectionConfigError(
      `${origin('port', 'PGPORT')} is not a number from 1 to 65535${origin('port', 'PGPORT') === 'PGPORT' ? '' : hint}`,
    );
  }
  const user = pick('user', 'PGUSER') ?? safeUsername();
  const password = pick('password', 'PGPASSWORD');
  const database = opts.database ?? pick('dbname', 'PGDATABASE') ?? user;

  const modeText = (pick('sslmode', 'PGSSLMODE') ?? 'verify-full').toLowerCase();
  if (modeText === 'no-verify') {
    throw new ConnectionConfigError(
      'sslmode=no-verify is refused: TLS is always verified by this tool (use sslmode=verify-full&sslrootcert=/path/ca.pem)',
    );
  }
  if (!SSL_MODES.includes(modeText as SslMode)) {
    // A mode is a word; anything else may be a piece of a password and is not repeated.
    const shown = /^[a-z-]{1,20}$/.test(modeText) ? ` "${modeText}"` : '';
    throw new ConnectionConfigError(
      `invalid sslmode${shown} in ${given.sslmode ? name : 'PGSSLMODE'} (expected one of ${SSL_MODES.join(', ')})`,
    );
  }
  const sslmode = modeText as SslMode;
  const unixSocket = host.startsWith('/');
  let transport: ConnectionTarget['transport'] = 'tls';
  if (unixSocket) {
    if (!opts.insecure) {
      throw new ConnectionConfigError(
        `host "${host}" is a Unix socket, which carries no TLS: use a TCP host name, or pass --insecure to accept a local socket`,
      );
    }
    transport = 'plain';
  } else if (sslmode === 'disable' || sslmode === 'allow' || sslmode === 'prefer') {
    if (!opts.insecure) {
      throw new ConnectionConfigError(
        `sslmode=${sslmode} would allow an unencrypted connection to ${host}:${port}; use sslmode=verify-full with sslrootcert=/path/ca.pem, or pass --insecure to accept plain text`,
      );
    }
    if (sslmode === 'prefer') {
      transport = 'tls-or-plain';
      notices.push(`sslmode=prefer with --insecure: verified TLS if the server offers it, plain text otherwise`);
    } else {
      transport = 'plain';
      notices.push(`sslmode=${sslmode} with --insecure: plain-text connection, nothing is encrypted`);
    }
  } else if (sslmode === 'require' || sslmode === 'verify-ca') {
    notices.push(
      `sslmode=${sslmode}: verified as verify-full anyway (certificate chain and host name); TLS is always verified by this tool`,
    );
  }

  const rootcert = pick('sslrootcert', 'PGSSLROOTCERT');
  let trust: TrustSource;
  if (!rootcert) trust = { kind: 'node-default' };
  else if (rootcert === 'system') trust = { kind: 'system' };
  else trust = { kind: 'file', path: rootcert };

  const sslcert = pick('sslcert', 'PGSSLCERT');
  const sslkey = pick('sslkey', 'PGSSLKEY');
  if (!!sslcert !== !!sslkey) throw new ConnectionConfigError('sslcert and sslkey must be given together');

  const timeoutText = pick('connect_timeout', 'PGCONNECT_TIMEOUT') ?? '10';
  const connectTimeoutSec = Number(timeoutText);
  if (!Number.isFinite(connectTimeoutSec) || connectTimeoutSec < 0) {
    throw new ConnectionConfigError(`${origin('connect_timeout', 'PGCONNECT_TIMEOUT')} is not a number of seconds`);
  }
  const applicationName =
    pick('application_name', 'PGAPPNAME') ?? given.fallback_application_name ?? opts.applicationName;
  const options = pick('options', 'PGOPTIONS');

  if (hostaddr !== undefined && hostGiven === undefined && transport !== 'plain') {
    throw new ConnectionConfigError(
      `hostaddr=${hostaddr} without host=: verify-full needs the server's name to check its certificate against (libpq: "host name must be specified for a verified SSL connection"); add host=<name on the certificate>`,
    );
  }
  const hostPort = net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
  const endpoint = hostaddr !== undefined && hostaddr !== host ? `${hostPort} (hostaddr ${hostaddr})` : hostPort;
  const t: ConnectionTarget = {
    host,
    hostaddr: hostaddr !== undefined && hostaddr !== host ? hostaddr : undefined,
    port,
    user,
    password,
    database,
    sslmode,
    transport,
    trust,
    sslcert,
    sslkey,
    connectTimeoutSec,
    applicationName,
    options,
    notices,
    endpoint,
    display: '',
  };
  t.display = displayTarget(t);
  return t;
}

function safeUsername(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'postgres';
  }
}

function displayTarget(t: ConnectionTarget): string {
  const enc = (v: string): string => encodeURIComponent(v).replace(/%2F/gi, '/');
  const q = [`sslmode=${t.sslmode}`];
  if (t.trust.kind === 'file') q.push(`sslrootcert=${enc(t.trust.path)}`);
  if (t.trust.kind === 'system') q.push('sslrootcert=system');
  const host = t.host.startsWith('/') ? '' : net.isIPv6(t.host) ? `[${t.host}]` : t.host;
  const socket =
    (t.host.startsWith('/') ? `&host=${encodeURIComponent(t.host)}` : '') +
    (t.hostaddr ? `&hostaddr=${encodeURIComponent(t.hostaddr)}` : '');
  return `postgresql://${encodeURIComponent(t.user)}@${host}:${t.port}/${encodeURIComponent(t.database)}?${q.join('&')}${socket}`;
}

/** The same server and credentials, another database. */
export function withDatabase(t: ConnectionTarget, database: string): ConnectionTarget {
  const c: ConnectionTarget = { ...t, database, notices: [...t.notices] };
  c.display = displayTarget(c);
  return c;
}

/** Reads and checks a PEM bundle of CA certificates (sslrootcert) into the checked type lib/tls/ca-bundle.ts owns. */
export function readCaBundle(file: string): CaBundleFile {
  const r = readCaBundleFile(file);
  if (!r.ok) throw new ConnectionConfigError(sslRootCertProblem(r.problem, file));
  return r.bundle;
}

function readClientFile(file: string, what: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConnectionConfigError(`cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
}

/** The trusted CAs as one PEM text (what a libpq client would get as sslrootcert), for tools like psql/pg_dump. */
export function trustedCaPem(trust: TrustSource): string {
  if (trust.kind === 'file') return readCaBundle(trust.path).pem;
  const parts = [...tls.rootCertificates];
  const extra = process.env.NODE_EXTRA_CA_CERTS;
  if (extra) {
    try {
      parts.push(fs.readFileSync(extra, 'utf8'));
    } catch {
      /* Node itself warns about an unreadable NODE_EXTRA_CA_CERTS */
    }
  }
  return parts.join('\n');
}

/** Describes where trust comes from, for messages. */
export function describeTrust(trust: TrustSource): string {
  if (trust.kind === 'file') return trust.path;
  if (trust.kind === 'system') return "Node's bundled root CAs (sslrootcert=system)";
  return `Node's default CAs${process.env.NODE_EXTRA_CA_CERTS ? ` + NODE_EXTRA_CA_CERTS=${process.env.NODE_EXTRA_CA_CERTS}` : ' (NODE_EXTRA_CA_CERTS not set)'}`;
}

/** The verified TLS options for `t` (throws ConnectionConfigError for unreadable CA/cert files). */
export function tlsOptions(t: ConnectionTarget): tls.ConnectionOptions {
  const ssl: tls.ConnectionOptions = { rejectUnauthorized: true };
  // No `ca` means Node's default store, which includes NODE_EXTRA_CA_CERTS.
  if (t.trust.kind === 'file') ssl.ca = readCaBundle(t.trust.path).pem;
  // Node checks the certificate against servername (DNS names) or the host (IP addresses, where SNI is not allowed).
  // With hostaddr, node-postgres connects to the address and leaves servername alone (it only sets it for names),
  // so the name checked is `host`, as libpq does.
  if (net.isIP(t.host) === 0) ssl.servername = t.host;
  else if (t.hostaddr) ssl.checkServerIdentity = (_name, cert) => tls.checkServerIdentity(t.host, cert);
  if (t.sslcert && t.sslkey) {
    ssl.cert = readClientFile(t.sslcert, 'sslcert');
    ssl.key = readClientFile(t.sslkey, 'sslkey');
  }
  return ssl;
}

/** Idle time before the first TCP keepalive probe on our side of every session. */
export const KEEPALIVE_IDLE_MS = 30_000;

/** node-postgres configuration for `t`: no connection string, explicit verified `ssl`. */
export function clientConfig(t: ConnectionTarget, plain = t.transport === 'plain'): ClientConfig {
  return {
    host: t.hostaddr ?? t.host,
    port: t.port,
    user: t.user,
    // An empty string would make node-postgres fall back to PGPASSWORD behind our back.
    password: t.password ?? '',
    database: t.database,
    ssl: plain ? false : tlsOptions(t),
    connectionTimeoutMillis: t.connectTimeoutSec > 0 ? Math.round(t.connectTimeoutSec * 1000) : undefined,
    // TCP keepalives: a peer that vanished (network black hole) is noticed instead of waited on forever.
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_IDLE_MS,
    application_name: t.applicationName,
    options: t.options,
  };
}

/** What the TLS layer of a connected client reports. */
export interface TlsInfo {
  encrypted: boolean;
  /** Chain verified against the trusted CAs and host name checked (Node's `authorized`). */
  verified: boolean;
  protocol?: string;
  cipher?: string;
  subject?: string;
  issuer?: string;
  /** The name checked against the certificate. */
  checkedName?: string;
  trustedCas: string;
}

interface PeerCert {
  subject?: Record<string, string | string[]>;
  issuer?: Record<string, string | string[]>;
  subjectaltname?: string;
  valid_to?: string;
}

type WithStream = { connection: { stream: unknown; on(ev: string, fn: () => void): void } };

function formatDn(dn: Record<string, string | string[]> | undefined): string {
  if (!dn) return '?';
  return Object.entries(dn)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`)
    .join(', ');
}

/** TLS facts of a connected client (protocol, cipher, peer certificate, verification). */
export function tlsInfo(client: Client, t: ConnectionTarget): TlsInfo {
  const stream = (client as unknown as WithStream).connection.stream;
  if (!(stream instanceof tls.TLSSocket))
    return { encrypted: false, verified: false, trustedCas: describeTrust(t.trust) };
  const cert = stream.getPeerCertificate() as PeerCert;
  return {
    encrypted: true,
    verified: stream.authorized === true,
    protocol: stream.getProtocol() ?? undefined,
    cipher: stream.getCipher()?.standardName ?? stream.getCipher()?.name,
    subject: formatDn(cert.subject),
    issuer: formatDn(cert.issuer),
    checkedName: t.host,
    trustedCas: describeTrust(t.trust),
  };
}

/**
 * Captures the certificate the server presents, even when verification then fails (so the error can name it).
 * Verification is NOT relaxed: Node still rejects the connection; the certificate is read from the socket during
 * the handshake (at the TLS key-log events, which come after the server's Certificate message).
 */
function capturePeerCertificate(client: Client): () => PeerCert | undefined {
  let seen: PeerCert | undefined;
  const con = (client as unknown as WithStream).connection;
  con.on('sslconnect', () => {
    const s = con.stream;
    if (!(s instanceof tls.TLSSocket)) return;
    s.on('keylog', () => {
      const c = s.getPeerCertificate() as PeerCert;
      if (c && c.subject) seen = c;
    });
  });
  return () => seen;
}

export interface ConnectOptions {
  /** Session settings applied right after connecting (SET name = value), e.g. pinned output formats. */
  settings?: Record<string, string>;
  /**
   * Which side of the run this session is ("source", "target"): a connection lost mid-run is then reported as
   * "<side> <host:port>: connection lost ..." (a ConnectionError, exit 2) instead of node-postgres' bare message.
   */
  side?: string;
  /** The run's overall deadline: the connection attempt and every query are bounded by it (lib/pg/deadline.ts). */
  deadline?: SessionDeadline;
}

/**
 * What connect needs of the run's deadline (lib/pg/deadline.ts's Deadline; declared here so that connection.ts does
 * not import deadline.ts, which imports ConnectionError from here).
 */
export interface SessionDeadline {
  /** Throws once the deadline has passed. */
  check(): void;
  /** Tracks a client from before its connection attempt; returns a function marking the attempt done. */
  register(client: Client, side: string, endpoint: string): () => void;
}

/** SQLSTATEs that mean the session is gone: connection exceptions (08) and operator intervention (57P). */
function isConnectionLoss(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  const code = e?.code ?? '';
  if (/^08/.test(code) || /^57P0[123]$/.test(code)) return true;
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ETIMEDOUT') return true;
  return /Connection terminated|connection error and is not queryable|not queryable|socket hang up/i.test(
    String(e?.message ?? ''),
  );
}

/** Makes every query error that means a lost connection a ConnectionError naming the side and host. */
function nameLostConnections(client: Client, side: string, t: ConnectionTarget): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const p = query(...args);
    if (!p || typeof (p as Promise<unknown>).then !== 'function') return p;
    return (p as Promise<unknown>).catch((err: unknown) => {
      if (err instanceof ConnectionError || !isConnectionLoss(err)) throw err;
      const msg = redactSecret(String((err as Error).message ?? err), t.password);
      throw new ConnectionError(`${side} ${t.endpoint}: connection lost mid-run (${msg})`, 'reset', t.endpoint, err);
    });
  };
}

/**
 * Connects to `t` with verified TLS. Rejects with a ConnectionError whose message is one line naming the host:port
 * and the reason. With transport 'tls-or-plain' (sslmode=prefer + insecure) a server without TLS is retried in plain
 * text; a TLS verification failure is never retried.
 */
export async function connect(t: ConnectionTarget, opts: ConnectOptions = {}): Promise<Client> {
  let config: ClientConfig;
  try {
    config = clientConfig(t);
  } catch (err) {
    if (err instanceof ConnectionConfigError) throw new ConnectionError(err.message, 'config', t.endpoint, err);
    throw err;
  }
  const side = opts.side ?? 'server';
  const tracked = (c: Client): (() => void) => opts.deadline?.register(c, side, t.endpoint) ?? (() => undefined);
  let client = new Client(config);
  let connected = tracked(client);
  let peer = capturePeerCertificate(client);
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    opts.deadline?.check();
    const e = err as Error;
    if (t.transport === 'tls-or-plain' && /does not support SSL/i.test(e.message)) {
      client = new Client(clientConfig(t, true));
      connected = tracked(client);
      peer = () => undefined;
      try {
        await client.connect();
      } catch (err2) {
        await client.end().catch(() => undefined);
        opts.deadline?.check();
        throw toConnectionError(err2, t, peer(), opts.side);
      }
    } else {
      throw toConnectionError(err, t, peer(), opts.side);
    }
  }
  connected();
  if (opts.side) nameLostConnections(client, opts.side, t);
  // An error on an idle client (server restart, network) must not crash the process; queries will fail instead.
  client.on('error', () => undefined);
  try {
    for (const [k, v] of Object.entries(opts.settings ?? {})) {
      await client.query(`SELECT pg_catalog.set_config($1, $2, false)`, [k, v]);
    }
  } catch (err) {
    await client.end().catch(() => undefined);
    if (err instanceof ConnectionError) throw err;
    throw new ConnectionError(
      `${opts.side ? `${opts.side} ` : ''}${t.endpoint}/${t.database}: cannot apply session settings: ${(err as Error).message}`,
      'other',
      t.endpoint,
      err,
    );
  }
  return client;
}

function toConnectionError(
  err: unknown,
  t: ConnectionTarget,
  cert: PeerCert | undefined,
  side?: string,
): ConnectionError {
  const { kind, message } = classify(err, t, cert);
  return new ConnectionError(redactSecret(side ? `${side}: ${message}` : message, t.password), kind, t.endpoint, err);
}

/** One line saying which host:port failed and why. Works on raw node-postgres/Node errors and on ConnectionError. */
export function describeConnectionError(err: unknown, t: ConnectionTarget): string {
  if (err instanceof ConnectionError || err instanceof ConnectionConfigError)
    return redactSecret(err.message, t.password);
  return redactSecret(classify(err, t, (err as { cert?: PeerCert })?.cert).message, t.password);
}

const UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'INVALID_CA',
  'CERT_CHAIN_TOO_LONG',
]);

function classify(
  err: unknown,
  t: ConnectionTarget,
  captured: PeerCert | undefined,
): { kind: ConnectionFailureKind; message: string } {
  const e = (err ?? {}) as NodeJS.ErrnoException & {
    code?: string;
    reason?: string;
    cert?: PeerCert;
    severity?: string;
    hostname?: string;
  };
  const where = t.endpoint;
  const msg = String(e.message ?? err);
  const code = e.code ?? '';
  const cert = e.cert ?? captured;
  const certText = cert
    ? `certificate subject "${formatDn(cert.subject)}", issuer "${formatDn(cert.issuer)}"`
    : 'certificate details unavailable';
  const trusted = describeTrust(t.trust);
  if (code === 'ECONNREFUSED') {
    return {
      kind: 'refused',
      message: `cannot connect to ${where}: connection refused (is PostgreSQL running there, and the host and port right?)`,
    };
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') {
    return {
      kind: 'dns',
      message: `cannot connect to ${where}: host name "${t.host}" could not be resolved (DNS ${code})`,
    };
  }
  if (code === 'ETIMEDOUT' || /timeout expired|connection timeout/i.test(msg)) {
    return {
      kind: 'timeout',
      message: `cannot connect to ${where}: timed out after ${t.connectTimeoutSec} s (firewall or security group? wrong host?)`,
    };
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    const names = cert?.subjectaltname ? ` (certificate names: ${cert.subjectaltname})` : '';
    return {
      kind: 'tls-hostname',
      message: `TLS verification failed for ${where}: host name "${t.host}" does not match the server certificate${names}; ${certText}. Connect with a host name the certificate covers`,
    };
  }
  if (UNTRUSTED.has(code)) {
    return {
      kind: 'tls-untrusted',
      message: `TLS verification failed for ${where}: the server certificate is not signed by a trusted CA (${code}); ${certText}; trusted CAs: ${trusted}. Pass the server's CA with sslrootcert=<path> (RDS: global-bundle.pem)`,
    };
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return {
      kind: 'tls-expired',
      message: `TLS verification failed for ${where}: ${code === 'CERT_HAS_EXPIRED' ? 'the server certificate has expired' : 'the server certificate is not yet valid'} (${certText}${cert?.valid_to ? `, valid to ${cert.valid_to}` : ''})`,
    };
  }
  if (/does not support SSL/i.test(msg)) {
    return {
      kind: 'tls-unsupported',
      message: `${where} does not support TLS (server has ssl=off); this tool only talks verified TLS: enable TLS on the server, or pass --insecure with sslmode=disable to accept plain text`,
    };
  }
  if (/error establishing an SSL connection/i.test(msg) || code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS')) {
    return { kind: 'tls-other', message: `TLS handshake with ${where} failed: ${msg}` };
  }
  if (code === '28P01') {
    return {
      kind: 'auth',
      message: `authentication failed for user "${t.user}" at ${where}: wrong password (SQLSTATE 28P01)`,
    };
  }
  if (code === '3D000') {
    return { kind: 'no-database', message: `database "${t.database}" does not exist at ${where} (SQLSTATE 3D000)` };
  }
  if (code === '28000') {
    const hint = /no encryption/i.test(msg) ? ' (the server requires TLS)' : '';
    return { kind: 'rejected', message: `${where} rejected the connection: ${msg}${hint} (SQLSTATE 28000)` };
  }
  if (code === '42501') {
    return {
      kind: 'rejected',
      message: `${where}: permission denied to connect to database "${t.database}": ${msg} (SQLSTATE 42501)`,
    };
  }
  if (code === '53300') return { kind: 'rejected', message: `${where}: too many connections (SQLSTATE 53300)` };
  if (code === '57P03')
    return { kind: 'rejected', message: `${where}: the server is starting up or shutting down (SQLSTATE 57P03)` };
  if (code === 'ECONNRESET' || code === 'EPIPE' || /terminated unexpectedly/i.test(msg)) {
    return { kind: 'reset', message: `connection to ${where} was closed by the server or network (${code || msg})` };
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    return { kind: 'timeout', message: `cannot connect to ${where}: host unreachable (${code})` };
  }
  return { kind: 'other', message: `cannot connect to ${where}: ${msg}${code ? ` (${code})` : ''}` };
}
