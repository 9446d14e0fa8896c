// Writing, reading and merging `.env` files that several parsers read: docker compose (compose-go dotenv), Node's
// dotenv (ToolJet's getEnvVars), systemd EnvironmentFile= (the AMI's nest/postgrest units) and bash `source`
// (the AMI's setup_app). We only write values in the subset all of them read identically:
// - unquoted when the value is made of `A-Z a-z 0-9 _ . / : @ % + , = -` (no spaces, `#`, `$`, quotes, `&`...);
// - otherwise single-quoted, which every one of them takes literally;
// - values that cannot be single-quoted safely (a `'`, a control character, a trailing backslash) are refused.
// The AMI user-data script applies the same rule in bash (targets/ami/user-data.sh).
import { RenderError } from './render';

const SAFE_UNQUOTED = /^[A-Za-z0-9_./:@%+,=-]*$/;
const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The value as written after `KEY=`. Throws RenderError for values no common quoting can carry. */
export function formatEnvValue(key: string, value: string): string {
  if (SAFE_UNQUOTED.test(value)) return value;
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(value) || value.includes("'") || value.endsWith('\\')) {
    throw new RenderError(
      `${key} contains a single quote, a control character or a trailing backslash, which docker compose, dotenv, ` +
        `systemd and bash do not read back the same way: use a value without them`,
    );
  }
  return `'${value}'`;
}

export function formatEnvLine(key: string, value: string): string {
  if (!ENV_KEY.test(key)) throw new RenderError(`invalid environment variable name ${JSON.stringify(key)}`);
  return `${key}=${formatEnvValue(key, value)}`;
}

/** A complete .env text (LF line endings, trailing newline) from ordered entries; `comments` go first. */
export function renderEnvFile(entries: ReadonlyArray<readonly [string, string]>, comments: string[] = []): string {
  return [...comments.map((c) => `# ${c}`), ...entries.map(([k, v]) => formatEnvLine(k, v))].join('\n') + '\n';
}

interface Entry {
  /** Physical lines (with their terminators) that make up this entry. */
  lines: string[];
  key?: string;
  exported?: boolean;
  /** Parsed value (assignments only). */
  value?: string;
}

const ASSIGNMENT = /^[ \t]*(export[ \t]+)?([A-Za-z_][A-Za-z0-9_.]*)[ \t]*=[ \t]*/;

function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** Splits .env text into entries, keeping quoted values that span several lines together. */
function scan(text: string): Entry[] {
  const lines = splitLines(text);
  const entries: Entry[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const m = ASSIGNMENT.exec(line);
    if (!m || /^\s*#/.test(line)) {
      entries.push({ lines: [line] });
      continue;
    }
    const rest = line.slice(m[0].length);
    const quote = rest[0] === "'" || rest[0] === '"' ? rest[0] : undefined;
    if (!quote) {
      const raw = rest.replace(/\r?\n$/, '');
      const value = raw.replace(/(^|[ \t])#.*$/, '').trim();
      entries.push({ lines: [line], key: m[2], exported: !!m[1], value });
      continue;
    }
    // Quoted: find the closing quote, possibly on a later line.
    let body = rest.slice(1);
    const group = [line];
    let closeAt = findClose(body, quote);
    while (closeAt < 0 && i + 1 < lines.length) {
      i++;
      group.push(lines[i]);
      body += lines[i];
      closeAt = findClose(body, quote);
    }
    let value = closeAt < 0 ? body : body.slice(0, closeAt);
    if (quote === '"')
      value = value.replace(/\\([nrt"\\])/g, (_s, c: string) => ({ n: '\n', r: '\r', t: '\t' })[c as 'n'] ?? c);
    entries.push({ lines: group, key: m[2], exported: !!m[1], value });
  }
  return entries;
}

function findClose(s: string, quote: string): number {
  for (let i = 0; i < s.length; i++) {
    if (s[i] === quote && (quote === "'" || s[i - 1] !== '\\')) return i;
  }
  return -1;
}

/**
 * Reads a .env text into key/value pairs (last assignment wins, as in every consumer). Meant for previews and
 * comparisons of files this module writes; it follows docker compose's rules for the common cases.
 */
export function parseEnv(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of scan(text)) if (e.key !== undefined) out.set(e.key, e.value ?? '');
  return out;
}

/** `disabled`: an assignment commented out with DISABLED_MARKER (MergeOptions.disable). */
export type EnvChange = 'added' | 'updated' | 'unchanged' | 'disabled';

/** Put in front of every line of an assignment that mergeEnv disables (the AMI script writes the same marker). */
export const DISABLED_MARKER = '# [disabled by tj-pg-upgrade] ';

export interface MergeResult {
  text: string;
  /** What happened to each key in `updates`, in the order given, then each disabled key in file order. */
  changes: Array<{ key: string; change: EnvChange }>;
}

export interface MergeOptions {
  /**
   * Keys whose existing non-empty value must not be replaced by a different one (LOCKBOX_MASTER_KEY: a new key makes
   * every stored data source credential unreadable). Such a conflict throws instead of writing.
   */
  protect?: readonly string[];
  /** Comment line written above keys that had to be appended. */
  appendedHeader?: string;
  /**
   * Keys whose assignments are commented out (every physical line prefixed with DISABLED_MARKER, so a multi-line value
   * goes too and the old value stays readable for whoever reverts by hand). Running the merge again finds only comments.
   */
  disable?: readonly string[];
}

export const APPENDED_HEADER = 'Added by tj-pg-upgrade: ToolJet database and RDS CA settings';

/**
 * Updates `existing` .env text in place: every assignment of a key in `updates` is replaced (each occurrence, keeping
 * an `export ` prefix and the line ending), keys not present are appended at the end, and every other byte (other
 * keys, comments, blank lines, order, a missing final newline) is kept. Merging the result again with the same
 * updates returns the same text.
 */
export function mergeEnv(
  existing: string,
  updates: ReadonlyArray<readonly [string, string]>,
  opts: MergeOptions = {},
): MergeResult {
  const wanted = new Map<string, string>();
  for (const [k, v] of updates) wanted.set(k, formatEnvLine(k, v));
  const protect = new Set(opts.protect ?? []);
  const entries = scan(existing);
  const current = parseEnv(existing);
  for (const key of protect) {
    const now = current.get(key);
    const next = updates.find(([k]) => k === key)?.[1];
    if (next !== undefined && now !== undefined && now !== '' && now !== next) {
      throw new RenderError(
        `${key} in the existing .env differs from the configured value; changing it would make ToolJet's encrypted data unreadable: ` +
          `configure the value from the file (or remove it from the configuration to keep the file's)`,
      );
    }
  }
  const disable = new Set(opts.disable ?? []);
  for (const k of disable) if (wanted.has(k)) throw new Error(`internal: ${k} is both updated and disabled`);
  const seen = new Map<string, EnvChange>();
  const disabled: string[] = [];
  const crlf = splitLines(existing)[0]?.endsWith('\r\n') ?? false;
  let out = '';
  for (const e of entries) {
    if (e.key !== undefined && disable.has(e.key)) {
      out += e.lines.map((l) => DISABLED_MARKER + l).join('');
      if (!disabled.includes(e.key)) disabled.push(e.key);
      continue;
    }
    const line = e.key !== undefined ? wanted.get(e.key) : undefined;
    if (line === undefined || e.key === undefined) {
      out += e.lines.join('');
      continue;
    }
    const last = e.lines[e.lines.length - 1];
    const eol = last.endsWith('\r\n') ? '\r\n' : last.endsWith('\n') ? '\n' : '';
    const replacement = (e.exported ? 'export ' : '') + line + eol;
    const before = e.lines.join('');
    if (seen.get(e.key) !== 'updated') seen.set(e.key, before === replacement ? 'unchanged' : 'updated');
    out += replacement;
  }
  const missing = [...wanted.keys()].filter((k) => !seen.has(k));
  if (missing.length > 0) {
    const nl = crlf ? '\r\n' : '\n';
    if (out !== '' && !out.endsWith('\n')) out += nl;
    if (out !== '' && !out.endsWith(nl + nl)) out += nl;
    out += `# ${opts.appendedHeader ?? APPENDED_HEADER}${nl}`;
    for (const k of missing) {
      out += wanted.get(k)! + nl;
      seen.set(k, 'added');
    }
  }
  return {
    text: out,
    changes: [
      ...[...wanted.keys()].map((key) => ({ key, change: seen.get(key)! })),
      ...disabled.map((key) => ({ key, change: 'disabled' as EnvChange })),
    ],
  };
}
