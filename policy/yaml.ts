// A small reader for a subset of YAML, without a YAML dependency. Its one home is the policy pack (which must be
// self-contained: `pulumi policy publish` uploads this directory only), where it reads cloud-config user data; the
// tests read the real Pulumi.yaml / Pulumi.<stack>.yaml files and the GitHub workflows with it
// (tests/helpers/yaml.ts re-exports it).
//
// Supported: block mappings and sequences (including "- key: value" items), comments, plain / 'single' / "double"
// quoted scalars, block scalars (literal | and folded >, with the chomping indicators - and + and an indentation
// digit), null, booleans, numbers, and one-line flow sequences of scalars plus the empty flow mapping {}. Anything
// else (anchors, aliases, tags such as !!binary, non-empty flow mappings, multi-line flow, several documents) is
// refused loudly rather than read wrongly: a caller that must judge the content (the policy pack) treats a refusal
// as "cannot read this", never as "nothing there".

export class YamlError extends Error {}

interface Line {
  indent: number;
  text: string;
  no: number;
  /** For a line whose value is a block scalar header (`key: |`, `- >-`): the raw lines of its content. */
  block?: string[];
}

const BLOCK_HEADER_RE = /^[|>](?:[-+]?[1-9]?|[1-9][-+])$/;

/** The block scalar header at the end of a (comment-stripped) line, if its value is one. */
function blockHeaderOf(text: string): string | undefined {
  let rest = text;
  while (isSeqItem(rest)) rest = rest.slice(1).trimStart();
  if (BLOCK_HEADER_RE.test(rest)) return rest;
  const kv = splitKey(rest);
  return kv && BLOCK_HEADER_RE.test(kv.rest) ? kv.rest : undefined;
}

function stripComment(text: string): string {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (quote === "'" && ch === "'" && text[i + 1] === "'")
        i++; // '' is an escaped quote
      else if (quote === '"' && ch === '\\')
        i++; // \" does not close
      else if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") {
      // Only a quote that starts a scalar opens a quoted section.
      if (i === 0 || /[\s:[,{-]/.test(text[i - 1])) quote = ch;
    } else if (ch === '#' && (i === 0 || /\s/.test(text[i - 1]))) {
      return text.slice(0, i);
    }
  }
  return text;
}

function toLines(source: string, file: string): Line[] {
  const lines: Line[] = [];
  const raws = source.split(/\r?\n/);
  for (let idx = 0; idx < raws.length; idx++) {
    const raw = raws[idx];
    const no = idx + 1;
    const indentText = /^[ \t]*/.exec(raw)![0];
    if (indentText.includes('\t')) throw new YamlError(`${file}:${no}: tab in indentation`);
    const text = stripComment(raw).trimEnd().slice(indentText.length);
    if (text === '') continue;
    if (text === '---' && lines.length === 0) continue;
    if (text === '---' || text === '...') throw new YamlError(`${file}:${no}: multiple documents are not supported`);
    const line: Line = { indent: indentText.length, text, no };
    if (blockHeaderOf(text) !== undefined) {
      // The content: every following line that is blank or indented deeper than this one, taken as it is.
      const block: string[] = [];
      while (idx + 1 < raws.length) {
        const next = raws[idx + 1];
        if (next.trim() !== '' && /^ */.exec(next)![0].length <= line.indent) break;
        block.push(next);
        idx++;
      }
      line.block = block;
    }
    lines.push(line);
  }
  return lines;
}

/**
 * A block scalar's value (YAML 1.2, 8.1): `header` is `|` (literal) or `>` (folded) with an optional chomping
 * indicator (- strip, + keep, default clip) and indentation digit; `parentIndent` is the indentation of its key or item.
 */
function blockScalar(header: string, block: string[], parentIndent: number, file: string, no: number): string {
  const folded = header[0] === '>';
  const chomp = header.includes('-') ? 'strip' : header.includes('+') ? 'keep' : 'clip';
  const digit = /[1-9]/.exec(header);
  let indent = digit ? parentIndent + Number(digit[0]) : undefined;
  const content: string[] = [];
  for (const raw of block) {
    if (raw.trim() === '') {
      content.push(indent !== undefined && raw.length > indent ? raw.slice(indent) : '');
      continue;
    }
    const lead = /^ */.exec(raw)![0].length;
    if (indent === undefined) indent = lead;
    if (lead < indent) throw new YamlError(`${file}:${no}: block scalar line indented less than its first line`);
    content.push(raw.slice(indent));
  }
  let trailing = 0;
  while (trailing < content.length && content[content.length - 1 - trailing] === '') trailing++;
  const body = content.slice(0, content.length - trailing);
  let text: string;
  if (!folded) {
    text = body.join('\n');
  } else {
    // Folding: a line break between two lines of text at the block's indentation becomes a space; empty lines keep
    // their breaks; lines indented further keep theirs.
    text = body[0] ?? '';
    for (let i = 1; i < body.length; i++) {
      const prev = body[i - 1];
      const cur = body[i];
      const plain = (l: string) => l !== '' && !/^[ \t]/.test(l);
      if (cur === '') text += '\n';
      else if (plain(prev) && plain(cur)) text += ' ' + cur;
      else if (prev === '') text += cur;
      else text += '\n' + cur;
    }
  }
  if (body.length === 0) return chomp === 'keep' ? '\n'.repeat(trailing) : '';
  if (chomp === 'strip') return text;
  if (chomp === 'clip') return text + '\n';
  return text + '\n' + '\n'.repeat(trailing);
}

function splitFlow(inner: string, file: string, no: number): string[] {
  const items: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (const ch of inner) {
    if (quote) {
      if (ch === quote) quote = undefined;
      current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      current += ch;
    } else if (ch === ',') {
      items.push(current.trim());
      current = '';
    } else if (ch === '[' || ch === ']' || ch === '{' || ch === '}') {
      throw new YamlError(`${file}:${no}: nested flow collections are not supported`);
    } else {
      current += ch;
    }
  }
  if (current.trim() !== '') items.push(current.trim());
  else if (items.length > 0) throw new YamlError(`${file}:${no}: empty item in flow sequence`);
  return items;
}

function scalar(text: string, file: string, no: number): unknown {
  const t = text.trim();
  if (t.startsWith('"')) {
    if (!t.endsWith('"') || t.length < 2) throw new YamlError(`${file}:${no}: unterminated double-quoted string`);
    try {
      return JSON.parse(t) as string;
    } catch {
      throw new YamlError(`${file}:${no}: unsupported escape in double-quoted string`);
    }
  }
  if (t.startsWith("'")) {
    if (!t.endsWith("'") || t.length < 2) throw new YamlError(`${file}:${no}: unterminated single-quoted string`);
    const inner = t.slice(1, -1);
    if (/(^|[^'])'([^']|$)/.test(inner.replace(/''/g, '')))
      throw new YamlError(`${file}:${no}: stray quote in single-quoted string`);
    return inner.replace(/''/g, "'");
  }
  if (t.startsWith('[')) {
    if (!t.endsWith(']')) throw new YamlError(`${file}:${no}: flow sequences must be on one line`);
    return splitFlow(t.slice(1, -1), file, no).map((item) => scalar(item, file, no));
  }
  if (t.startsWith('{')) {
    if (/^\{\s*\}$/.test(t)) return {};
    throw new YamlError(`${file}:${no}: only the empty flow mapping {} is supported`);
  }
  if (/^[|>&*!%@`]/.test(t)) throw new YamlError(`${file}:${no}: unsupported YAML construct "${t[0]}"`);
  if (t === '' || t === '~' || t === 'null' || t === 'Null' || t === 'NULL') return null;
  if (/^(true|True|TRUE)$/.test(t)) return true;
  if (/^(false|False|FALSE)$/.test(t)) return false;
  if (/^[-+]?\d+$/.test(t)) return Number(t);
  if (/^[-+]?(\d+\.\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return Number(t);
  if (/: |:$/.test(t)) throw new YamlError(`${file}:${no}: unexpected ": " in a plain scalar (quote it)`);
  return t;
}

/** Splits "key: rest" at the first colon followed by a space or the end, outside quotes. */
function splitKey(text: string): { key: string; rest: string } | undefined {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if ((ch === '"' || ch === "'") && i === 0) {
      quote = ch;
    } else if (ch === ':' && (i === text.length - 1 || text[i + 1] === ' ')) {
      return { key: text.slice(0, i), rest: text.slice(i + 1).trim() };
    }
  }
  return undefined;
}

function isSeqItem(text: string): boolean {
  return text === '-' || text.startsWith('- ');
}

class Parser {
  private i = 0;

  constructor(
    private readonly lines: Line[],
    private readonly file: string,
  ) {}

  parse(): unknown {
    if (this.lines.length === 0) return null;
    const value = this.block(this.lines[0].indent);
    if (this.i < this.lines.length) this.fail(this.lines[this.i], 'unexpected indentation');
    return value;
  }

  /** A value written on the line itself: a block scalar (content on the following lines) or a scalar. */
  private value(text: string, line: Line, parentIndent: number): unknown {
    if (BLOCK_HEADER_RE.test(text) && line.block) {
      return blockScalar(text, line.block, parentIndent, this.file, line.no);
    }
    return scalar(text, this.file, line.no);
  }

  private fail(line: Line, message: string): never {
    throw new YamlError(`${this.file}:${line.no}: ${message}`);
  }

  private block(indent: number): unknown {
    const line = this.lines[this.i];
    return isSeqItem(line.text) ? this.sequence(indent) : this.mapping(indent);
  }

  /** Value after "key:" or "-" with nothing on the line: a nested block, or null. */
  private nested(parentIndent: number, allowSameIndentSeq: boolean): unknown {
    const next = this.lines[this.i];
    if (next && next.indent > parentIndent) return this.block(next.indent);
    if (next && allowSameIndentSeq && next.indent === parentIndent && isSeqItem(next.text))
      return this.sequence(parentIndent);
    return null;
  }

  private mapping(indent: number): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    while (this.i < this.lines.length) {
      const line = this.lines[this.i];
      if (line.indent < indent) break;
      if (line.indent > indent) this.fail(line, 'unexpected indentation');
      if (isSeqItem(line.text)) break;
      const kv = splitKey(line.text);
      if (!kv) this.fail(line, `expected "key: value", got "${line.text}"`);
      const key = String(scalar(kv.key, this.file, line.no));
      if (Object.prototype.hasOwnProperty.call(result, key)) this.fail(line, `duplicate key "${key}"`);
      this.i++;
      result[key] = kv.rest === '' ? this.nested(indent, true) : this.value(kv.rest, line, indent);
    }
    return result;
  }

  private sequence(indent: number): unknown[] {
    const result: unknown[] = [];
    while (this.i < this.lines.length) {
      const line = this.lines[this.i];
      if (line.indent < indent || !isSeqItem(line.text)) break;
      if (line.indent > indent) this.fail(line, 'unexpected indentation');
      const content = line.text.slice(1).trimStart();
      if (content === '') {
        this.i++;
        result.push(this.nested(indent, false));
      } else if (splitKey(content) && !/^["'[{]/.test(content)) {
        // "- key: value" starts a mapping whose keys line up with "key".
        const contentIndent = indent + (line.text.length - content.length);
        this.lines[this.i] = { ...line, indent: contentIndent, text: content };
        result.push(this.mapping(contentIndent));
      } else {
        this.i++;
        result.push(this.value(content, line, indent));
      }
    }
    return result;
  }
}

export function parseYaml(source: string, file = '<yaml>'): unknown {
  return new Parser(toLines(source, file), file).parse();
}
