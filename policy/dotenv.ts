// How the programs that load a .env read it, so the pack judges the value they will see, not the text around it.
//
// Two readings, and a setting counts if EITHER sees it:
//   - dotenv's (ToolJet's server loads its .env with dotenv; Compose v2's env_file reader and python-dotenv, which
//     Compose v1 uses, read quotes and multi-line values the same way): motdotla/dotenv lib/main.js `parse`, its LINE
//     expression verbatim. A double-, single- or back-quoted value may span lines (`CA_CERT="` + newline + a PEM is
//     the PEM), the value is trimmed and then its surrounding quotes removed, so `DATABASE_URL=" postgres://…"` is
//     " postgres://…" (leading space kept: non-empty), `export KEY=v` and `KEY: v` are read too, `#` starts a comment
//     only outside quotes.
//   - line by line, as readers without multi-line values do (older dotenv, `set -a; . .env` of simple files):
//     `KEY=rest of the line`, trimmed, one pair of matching surrounding quotes removed (an unquoted value ends at
//     ` #`). Here `CA_CERT="` is the one-character value `"`: also non-empty.
// Empty values stay empty in both: ToolJet tests DATABASE_URL/CA_CERT for truthiness and Node compares
// NODE_TLS_REJECT_UNAUTHORIZED with "0", so "" is unset for them.

export interface EnvEntry {
  key: string;
  value: string;
}

// motdotla/dotenv lib/main.js (v16), unchanged.
const LINE =
  /(?:^|^)\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?(?:$|$)/gm;

/** dotenv's `parse`, keeping every entry in order (dotenv keeps the last of a repeated key; the pack judges each). */
export function parseDotenv(src: string): EnvEntry[] {
  const lines = src.replace(/\r\n?/gm, '\n');
  const out: EnvEntry[] = [];
  for (const match of lines.matchAll(LINE)) {
    let value = (match[2] || '').trim();
    const maybeQuote = value[0];
    value = value.replace(/^(['"`])([\s\S]*)\1$/gm, '$2');
    if (maybeQuote === '"') value = value.replace(/\\n/g, '\n').replace(/\\r/g, '\r');
    out.push({ key: match[1], value });
  }
  return out;
}

const SIMPLE_LINE = /^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*=(.*)$/;

/** `KEY=value` line by line, no multi-line values, one pair of matching quotes removed. */
export function parseEnvLines(src: string): EnvEntry[] {
  const out: EnvEntry[] = [];
  for (const line of src.split(/\r?\n/)) {
    const m = SIMPLE_LINE.exec(line);
    if (!m) continue;
    let value = m[2].trim();
    if (value.length >= 2 && /^(['"`]).*\1$/s.test(value)) value = value.slice(1, -1);
    else value = value.replace(/\s+#.*$/, ''); // an unquoted value ends at a comment
    out.push({ key: m[1], value });
  }
  return out;
}

/** Every `KEY=value` either reading finds (a key may appear with several values). */
export function envReadings(src: string): EnvEntry[] {
  if (!/[=:]/.test(src)) return [];
  const seen = new Set<string>();
  const out: EnvEntry[] = [];
  for (const e of [...parseDotenv(src), ...parseEnvLines(src)]) {
    const id = `${e.key}\u0000${e.value}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(e);
  }
  return out;
}
