// Rendered configuration files as flat "leaves" (one setting each), so two renderings can be compared setting by
// setting: the .env by key, JSON by path (array elements with a `name` keyed by it, as ECS/Kubernetes env entries),
// shell user-data by its NAME='value' settings, anything else by line. Pure.
import { parseEnv } from '../../targets/shared/dotenv';
import type { DatabaseTarget } from '../../targets/shared/render';
import { percentEncode } from '../../lib/percent-encode';
import { ENDPOINT_KEYS, RenderedFile } from './configs';
import { redactConnectionString } from '../../lib/pg/connection';

export interface Leaf {
  file: string;
  /** Path of the setting inside the file, e.g. `PG_HOST`, `containerDefinitions[name=tooljet].environment[name=PG_HOST].value`. */
  key: string;
  /** The setting's own name (env variable or JSON key), used to tell what it is. */
  name: string;
  value: string;
}

function flattenJson(v: unknown, prefix: string, name: string, out: Array<[string, string, string]>): void {
  if (Array.isArray(v)) {
    v.forEach((e, i) => {
      const named =
        e && typeof e === 'object' && !Array.isArray(e) && typeof (e as { name?: unknown }).name === 'string'
          ? (e as { name: string }).name
          : undefined;
      flattenJson(e, `${prefix}[${named !== undefined ? `name=${named}` : i}]`, named ?? name, out);
    });
  } else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      // `{name: X, value: ...}`: the value's name is X (ECS and Kubernetes env entries).
      const leafName = k === 'value' || k === 'valueFrom' ? name : k;
      flattenJson(x, prefix ? `${prefix}.${k}` : k, leafName, out);
    }
  } else {
    out.push([prefix, name, v === null ? 'null' : String(v)]);
  }
}

const SHELL_SETTING = /^([A-Z_][A-Z0-9_]*)='((?:[^']|'\\'')*)'$/;

/** The leaves of one rendered file. */
export function leavesOf(f: RenderedFile): Leaf[] {
  const out: Leaf[] = [];
  if (f.path.endsWith('.env')) {
    for (const [k, v] of parseEnv(f.text)) out.push({ file: f.path, key: k, name: k, value: v });
  } else if (f.path.endsWith('.json')) {
    const flat: Array<[string, string, string]> = [];
    flattenJson(JSON.parse(f.text), '', '', flat);
    for (const [key, name, value] of flat) out.push({ file: f.path, key, name, value });
  } else {
    f.text.split('\n').forEach((line, i) => {
      const m = f.path.endsWith('.sh') ? SHELL_SETTING.exec(line) : null;
      if (m) out.push({ file: f.path, key: m[1], name: m[1], value: m[2].replace(/'\\''/g, "'") });
      else out.push({ file: f.path, key: `line ${i + 1}`, name: '', value: line });
    });
  }
  return out;
}

/** Which part of the endpoint a leaf names, if any. */
export function endpointPart(name: string): 'host' | 'port' | 'user' | 'uri' | undefined {
  if (!ENDPOINT_KEYS.has(name)) return undefined;
  if (name === 'PGRST_DB_URI') return 'uri';
  if (name.endsWith('_HOST')) return 'host';
  if (name.endsWith('_PORT')) return 'port';
  if (name.endsWith('_USER')) return 'user';
  return undefined;
}

/** Host, port and user of a PostgREST URI (postgres://user[:password]@host:port/db?...). */
export function uriEndpoint(uri: string): { host: string; port: number; user: string } | undefined {
  const m = /^postgres(?:ql)?:\/\/([^:@/]*)(?::[^@/]*)?@([^:/?]+):(\d+)\//.exec(uri);
  return m ? { user: decodeURIComponent(m[1]), host: m[2], port: Number(m[3]) } : undefined;
}

/** Problems if an endpoint leaf does not name `db`; empty when it does (or the leaf is no endpoint). */
export function pointsAt(leaf: Leaf, db: DatabaseTarget): string | undefined {
  const part = endpointPart(leaf.name);
  const tjdb = leaf.name.includes('TOOLJET_DB');
  const host = tjdb ? (db.tooljetDbHost ?? db.host) : db.host;
  const port = String(tjdb ? (db.tooljetDbPort ?? db.port) : db.port);
  const user = tjdb ? (db.tooljetDbUser ?? db.user) : db.user;
  let ok = true;
  if (part === 'host') ok = leaf.value === host;
  else if (part === 'port') ok = leaf.value === port;
  else if (part === 'user') ok = leaf.value === user;
  else if (part === 'uri') {
    const e = uriEndpoint(leaf.value);
    const h = db.tooljetDbHost ?? db.host;
    ok =
      !!e &&
      e.host === h &&
      String(e.port) === String(db.tooljetDbPort ?? db.port) &&
      e.user === (db.tooljetDbUser ?? db.user);
  } else return undefined;
  return ok ? undefined : `${leaf.file} ${leaf.key} = ${display(leaf)}`;
}

/** A leaf's value as it may be shown: secrets hidden, passwords in connection strings (as the parser finds them) replaced by ***. */
export function display(leaf: Leaf, secretKeys: ReadonlySet<string> = DISPLAY_SECRET_KEYS): string {
  if (secretKeys.has(leaf.name)) return '(secret, hidden)';
  return redactConnectionString(leaf.value);
}

const DISPLAY_SECRET_KEYS = new Set([
  'PG_PASS',
  'TOOLJET_DB_PASS',
  'LOCKBOX_MASTER_KEY',
  'SECRET_KEY_BASE',
  'PGRST_JWT_SECRET',
  'PGPASSWORD',
]);

/** Every form in which a secret could appear in a file: raw, percent-encoded (both styles), base64, JSON-escaped. */
export function leakForms(value: string): string[] {
  return [
    ...new Set([
      value,
      encodeURIComponent(value),
      percentEncode(value),
      Buffer.from(value).toString('base64'),
      JSON.stringify(value).slice(1, -1),
    ]),
  ];
}
