// The check result model shared by precheck and validate, the exit-code rule, and the two renderings: a readable
// table for terminals and JSON for machines.

export type CheckStatus = 'pass' | 'fail' | 'warn';

export interface CheckResult {
  /** Short stable name, e.g. "reg* data types" or "content checksums". */
  name: string;
  status: CheckStatus;
  /** One or two sentences: what was found, and for fail/warn what to do about it. */
  detail: string;
  /** The objects concerned: schema.table.column, function signature, slot, gid, database, ... (may be empty). */
  objects: string[];
  /** The database the check ran in, when the run covers several. */
  database?: string;
}

export interface Summary {
  pass: number;
  warn: number;
  fail: number;
}

export function summarize(checks: CheckResult[]): Summary {
  const s: Summary = { pass: 0, warn: 0, fail: 0 };
  for (const c of checks) s[c.status]++;
  return s;
}

/** 0 when nothing failed (warnings allowed), 1 when a check failed. Usage/connection errors (2) never get here. */
export function exitCodeFor(checks: CheckResult[]): 0 | 1 {
  return checks.some((c) => c.status === 'fail') ? 1 : 0;
}

export function check(
  name: string,
  status: CheckStatus,
  detail: string,
  objects: string[] = [],
  database?: string,
): CheckResult {
  const r: CheckResult = { name, status, detail, objects };
  if (database !== undefined) r.database = database;
  return r;
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    const words = para
      .split(/\s+/)
      .filter(Boolean)
      .flatMap((w) => (w.length > width ? w.match(new RegExp(`.{1,${width}}`, 'g'))! : [w]));
    for (const word of words) {
      if (line && line.length + 1 + word.length > width) {
        out.push(line);
        line = word;
      } else {
        line = line ? `${line} ${word}` : word;
      }
    }
    out.push(line);
  }
  return out;
}

const LABEL: Record<CheckStatus, string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL' };

export interface RenderOptions {
  /** Total width (default: terminal width, or 100). */
  width?: number;
  /** Objects listed per check before "... and N more" (default 20; --json always has them all). */
  maxObjects?: number;
  /** ANSI colours (default: when stdout is a TTY and NO_COLOR is unset). */
  color?: boolean;
}

/** A readable table: status, check (and database), detail wrapped, objects listed under it. */
export function renderTable(title: string, checks: CheckResult[], opts: RenderOptions = {}): string {
  const width = Math.max(60, opts.width ?? (process.stdout.columns || 100));
  const maxObjects = opts.maxObjects ?? 20;
  const color = opts.color ?? (!!process.stdout.isTTY && !process.env.NO_COLOR);
  const paint = (s: CheckStatus, text: string): string => {
    if (!color) return text;
    const code = s === 'pass' ? 32 : s === 'warn' ? 33 : 31;
    return `\x1b[${code}m${text}\x1b[0m`;
  };
  const names = checks.map((c) => (c.database ? `${c.name} [${c.database}]` : c.name));
  const nameWidth = Math.min(Math.max(5, ...names.map((n) => n.length)), Math.floor(width * 0.4));
  const detailWidth = Math.max(20, width - nameWidth - 9);
  const lines: string[] = [title, ''];
  lines.push(`${'STATUS'.padEnd(6)}  ${'CHECK'.padEnd(nameWidth)}  DETAIL`);
  lines.push(`${'-'.repeat(6)}  ${'-'.repeat(nameWidth)}  ${'-'.repeat(Math.min(detailWidth, 40))}`);
  checks.forEach((c, i) => {
    const nameLines = wrap(names[i], nameWidth);
    const detailLines = wrap(c.detail, detailWidth);
    const objs = c.objects
      .slice(0, maxObjects)
      .flatMap((o) => wrap(`- ${o}`, detailWidth - 2).map((l, j) => (j ? `    ${l}` : `  ${l}`)));
    if (c.objects.length > maxObjects) objs.push(`  ... and ${c.objects.length - maxObjects} more (--json lists all)`);
    const body = [...detailLines, ...objs];
    const rows = Math.max(nameLines.length, body.length);
    for (let r = 0; r < rows; r++) {
      const status = r === 0 ? paint(c.status, LABEL[c.status].padEnd(6)) : ' '.repeat(6);
      lines.push(`${status}  ${(nameLines[r] ?? '').padEnd(nameWidth)}  ${body[r] ?? ''}`.trimEnd());
    }
  });
  const s = summarize(checks);
  lines.push('');
  lines.push(`${s.pass} passed, ${s.warn} warning${s.warn === 1 ? '' : 's'}, ${s.fail} failed`);
  return lines.join('\n');
}

/** JSON document for --json: every check with all its objects, plus the summary and any extra fields. */
export function renderJson(command: string, checks: CheckResult[], extra: Record<string, unknown> = {}): string {
  const summary = summarize(checks);
  return JSON.stringify({ command, ok: summary.fail === 0, summary, ...extra, checks }, null, 2);
}
