// The TLS mode a PostgreSQL connection string asks for, read the way libpq reads it.
//
// libpq (PostgREST, psql, createdb; node-postgres's connection strings follow it) takes `sslmode` from the URI query or
// the keyword/value string; percent-encoding is decoded in both keys and values of a URI's query (libpq
// fe-connect.c conninfo_uri_parse_params / conninfo_uri_decode), and a repeated keyword is overwritten, so the last one
// counts. Without `sslmode` libpq uses PGSSLMODE, then `prefer`: it tries TLS, verifies nothing and falls back to
// plain text. The pack asks every connection string to say `sslmode=verify-full` itself: absent is weak.

export const VERIFY_FULL = 'verify-full';

/** A postgres:// or postgresql:// URI (also inside jdbc:postgresql://…), up to whitespace or a quote. */
export const POSTGRES_URI_RE = /(?<![A-Za-z0-9+.-])(?:jdbc:)?postgres(?:ql)?:\/\/[^\s"'`<>\\]*/gi;

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The last `sslmode` of a URI's query (keys and values percent-decoded), or undefined when it has none. */
export function uriSslMode(uri: string): string | undefined {
  const q = uri.indexOf('?');
  if (q < 0) return undefined;
  let mode: string | undefined;
  for (const pair of uri
    .slice(q + 1)
    .split('#')[0]
    .split('&')) {
    const eq = pair.indexOf('=');
    const key = decode(eq < 0 ? pair : pair.slice(0, eq)).trim();
    if (key.toLowerCase() === 'sslmode') mode = decode(eq < 0 ? '' : pair.slice(eq + 1)).trim();
  }
  return mode;
}

// keyword = value, value either 'single-quoted' (backslash escapes) or up to whitespace (libpq conninfo_parse).
const CONNINFO_PAIR_RE = /([A-Za-z_]+)\s*=\s*('(?:\\.|[^'\\])*'|[^\s']*)/g;

/** The last `sslmode` of a keyword/value connection string (`host=… sslmode=…`), or undefined. */
export function conninfoSslMode(s: string): string | undefined {
  let mode: string | undefined;
  for (const m of s.matchAll(CONNINFO_PAIR_RE)) {
    if (m[1].toLowerCase() !== 'sslmode') continue;
    const v = m[2];
    mode = v.startsWith("'") ? v.slice(1, -1).replace(/\\(.)/g, '$1') : v;
  }
  return mode;
}

/** What a connection setting's value asks for: `undefined` = no sslmode (libpq's prefer). */
export function connectionSslMode(value: string): string | undefined {
  const v = value.trim();
  if (/^(?:jdbc:)?postgres(?:ql)?:\/\//i.test(v)) return uriSslMode(v);
  return conninfoSslMode(v);
}

/** A TLS mode safe to print: the mode itself when it is a plain word, else a placeholder (never arbitrary text). */
export function printableMode(mode: string): string {
  return /^[A-Za-z0-9_-]{1,24}$/.test(mode) ? mode.toLowerCase() : mode === '' ? '(empty)' : '(not verify-full)';
}
