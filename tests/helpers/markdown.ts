// Reads Markdown the way GitHub renders it, as far as the docs tests need: the headings of a file and their anchors,
// and the links of a file with where they point. Neither is taken from fenced code blocks, links not from inline code.
import * as fs from 'fs';
import * as path from 'path';

/** Calls `visit` with each line outside fenced code blocks (``` or ~~~) and its 1-based number. */
function forEachProseLine(text: string, visit: (line: string, lineNumber: number) => void): void {
  let fence: string | undefined;
  text.split('\n').forEach((line, i) => {
    const m = /^\s*(```|~~~)/.exec(line);
    if (m) {
      if (fence === undefined) fence = m[1];
      else if (m[1] === fence) fence = undefined;
      return;
    }
    if (fence === undefined) visit(line, i + 1);
  });
}

/** `line` with each inline code span blanked out (its brackets cannot start a link). */
function withoutInlineCode(line: string): string {
  return line.replace(/`[^`]*`/g, (code) => ' '.repeat(code.length));
}

/**
 * GitHub's anchor for a heading text (github-slugger): lower case, punctuation other than `-` and `_` removed, each
 * space a `-`. Inline code counts by its text, a link by its text.
 */
export function headingSlug(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`/g, '')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor a Markdown text defines: one per ATX heading, repeated headings get `-1`, `-2`, ... as on GitHub. */
export function headingAnchors(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  forEachProseLine(text, (line) => {
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) return;
    const base = headingSlug(m[1]);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  });
  return anchors;
}

export interface MarkdownLink {
  /** 1-based line of the link in its file. */
  line: number;
  target: string;
}

/** Inline links `[text](target)` and images `![alt](target)` outside code, in file order. */
export function markdownLinks(text: string): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  forEachProseLine(text, (line, lineNumber) => {
    for (const m of withoutInlineCode(line).matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      links.push({ line: lineNumber, target: m[1] });
    }
  });
  return links;
}

/**
 * The problems of the relative links in `file`: a target file or folder that does not exist, or an `#anchor` that is
 * no heading of its Markdown target. Links with a scheme (https:, mailto:) are not checked.
 */
export function brokenLinks(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const problems: string[] = [];
  for (const { line, target } of markdownLinks(text)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
    const hash = target.indexOf('#');
    const filePart = decodeURIComponent(hash < 0 ? target : target.slice(0, hash));
    const anchor = hash < 0 ? undefined : decodeURIComponent(target.slice(hash + 1));
    const resolved = filePart === '' ? file : path.resolve(path.dirname(file), filePart);
    const where = `${path.basename(file)}:${line}: ${target}`;
    if (!fs.existsSync(resolved)) {
      problems.push(`${where}: ${filePart} does not exist`);
      continue;
    }
    if (anchor === undefined) continue;
    if (!resolved.endsWith('.md') || !fs.statSync(resolved).isFile()) {
      problems.push(`${where}: an anchor into something that is not a Markdown file`);
      continue;
    }
    if (!headingAnchors(fs.readFileSync(resolved, 'utf8')).has(anchor)) {
      problems.push(`${where}: ${path.basename(resolved)} has no heading with the anchor #${anchor}`);
    }
  }
  return problems;
}

export interface InlineCode {
  /** 1-based line of the span in its file. */
  line: number;
  code: string;
}

/** The inline code spans (`...`) outside fenced code blocks, in file order. */
export function inlineCodeSpans(text: string): InlineCode[] {
  const spans: InlineCode[] = [];
  forEachProseLine(text, (line, lineNumber) => {
    for (const m of line.matchAll(/`([^`]+)`/g)) spans.push({ line: lineNumber, code: m[1] });
  });
  return spans;
}

/**
 * Whether an inline code span looks like a path in this repository. The rule, kept simple on purpose:
 *   - no whitespace; no `:` (URLs, URNs, ARNs, images, `file:line`) and no `=` (settings);
 *   - no glob or placeholder: none of `* ? [ ] { } < > $`, no `...`;
 *   - not somewhere else by its form: does not start with `/` (a path on a host or in a container, e.g. /certs),
 *     `~`, `./` or `../` (relative to a working directory or a module), or `@` (an npm package);
 *   - and it contains a `/`, or it is a file name `<name>.ts|.sh|.md|.json|.yaml`.
 */
export function looksLikeRepoPath(code: string): boolean {
  if (/\s|[:=*?[\]{}<>$]|\.\.\./.test(code)) return false;
  if (/^(\/|~|\.\.?\/|@)/.test(code)) return false;
  return code.includes('/') || /^[\w.-]*\w\.(ts|sh|md|json|yaml)$/.test(code);
}

/** Every file name in the tree under `root`, outside node_modules, dist and .git. */
export function fileNamesUnder(root: string): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) {
        if (!['node_modules', 'dist', '.git'].includes(e.name)) walk(path.join(dir, e.name));
      } else names.add(e.name);
    }
  };
  walk(root);
  return names;
}

/**
 * The inline code spans of `file` that look like a path in the repository at `root` (looksLikeRepoPath) and name
 * nothing there: a path with a `/` must exist relative to `root` (with a trailing `/`, as a folder); a bare file name
 * must be the name of some file of the repository (the docs name files of a folder they have just named). `elsewhere`
 * holds first path segments (or bare names) that name something outside the repository on purpose.
 */
export function missingRepoPaths(file: string, root: string, elsewhere: ReadonlySet<string>): string[] {
  const names = fileNamesUnder(root);
  const problems: string[] = [];
  for (const { line, code } of inlineCodeSpans(fs.readFileSync(file, 'utf8'))) {
    if (!looksLikeRepoPath(code) || elsewhere.has(code.split('/')[0])) continue;
    const where = `${path.relative(root, file)}:${line}: \`${code}\``;
    if (!code.includes('/')) {
      if (!names.has(code)) problems.push(`${where}: no file of that name in the repository`);
      continue;
    }
    const resolved = path.join(root, code);
    const ok = code.endsWith('/')
      ? fs.existsSync(resolved) && fs.statSync(resolved).isDirectory()
      : fs.existsSync(resolved);
    if (!ok) problems.push(`${where}: ${code.endsWith('/') ? 'no such folder' : 'does not exist'}`);
  }
  return problems;
}
