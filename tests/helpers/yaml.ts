// A small reader for the YAML subset the Pulumi project and stack files use, so tests can load the real files
// without a YAML dependency. Supported: block mappings and sequences (including "- key: value" items), comments,
// plain / 'single' / "double" quoted scalars, null, booleans, numbers, and one-line flow sequences of scalars plus
// the empty flow mapping {}. Anything else (anchors, tags, block scalars, multi-line flow) is refused loudly rather
// than read wrongly.

export class YamlError extends Error {}

interface Line {
  indent: number;
  text: string;
  no: number;
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
  source.split(/\r?\n/).forEach((raw, idx) => {
    const no = idx + 1;
    const indentText = /^[ \t]*/.exec(raw)![0];
    if (indentText.includes('\t')) throw new YamlError(`${file}:${no}: tab in indentation`);
    const text = stripComment(raw).trimEnd().slice(indentText.length);
    if (text === '') return;
    if (text === '---' && lines.length === 0) return;
    if (text === '---' || text === '...') throw new YamlError(`${file}:${no}: multiple documents are not supported`);
    lines.push({ indent: indentText.length, text, no });
  });
  return lines;
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
      result[key] = kv.rest === '' ? this.nested(indent, true) : scalar(kv.rest, this.file, line.no);
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
        this.lines[this.i] = { indent: contentIndent, text: content, no: line.no };
        result.push(this.mapping(contentIndent));
      } else {
        this.i++;
        result.push(scalar(content, this.file, line.no));
      }
    }
    return result;
  }
}

export function parseYaml(source: string, file = '<yaml>'): unknown {
  return new Parser(toLines(source, file), file).parse();
}
