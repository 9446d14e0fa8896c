// EC2 user data the way cloud-init reads it, so settings inside MIME parts and `write_files` are seen decoded.
//
// cloud-init (cloudinit/user_data.py) parses user data as a MIME message: a multipart message is split into its
// parts, each decoded by its Content-Transfer-Encoding (base64, quoted-printable) and gunzipped when compressed; a
// part is then handled by what it starts with or its Content-Type: `#cloud-config` (YAML), `#cloud-config-archive`
// (a YAML list of parts), `#include` / text/x-include-url (URLs fetched at boot), scripts and boothooks (text).
// `write_files` (cloudinit/config/cc_write_files.py) writes each entry's `content` after decoding it by `encoding`:
// b64/base64 -> base64; gz/gzip -> gunzip; gz+base64, gzip+base64, gz+b64, gzip+b64 -> base64 then gunzip; anything
// else is written as text. An entry may instead name a `source.uri` to download at boot.
//
// What the pack cannot read (a URL fetched at boot, a part or file it cannot decode, a cloud-config it cannot parse)
// is returned as `unreadable`: the pack refuses it rather than pass what it did not see.

import * as zlib from 'zlib';
import { parseYaml } from './yaml';
import { isPlainRecord } from './values';

const MAX_INFLATED_BYTES = 8 * 1024 * 1024;
const MAX_PARTS = 200;

export interface UserDataValue {
  /** Where, relative to the user data string, e.g. `(mime part 2: text/x-shellscript)(base64)`. */
  via: string;
  /** A decoded text, or a parsed cloud-config document (walked like any input). */
  value: unknown;
}

export interface UserDataExpansion {
  values: UserDataValue[];
  unreadable: { via: string; reason: string }[];
}

/** True when the text is something cloud-init treats specially (MIME, cloud-config, include). */
export function looksLikeCloudInit(text: string): boolean {
  const head = text.trimStart().slice(0, 200);
  return (
    /^#cloud-config(?:-archive)?\b/.test(head) ||
    /^#include(?:-once)?\b/.test(head) ||
    /^(?:Content-Type|MIME-Version):/im.test(head.split(/\r?\n\r?\n/)[0] ?? '')
  );
}

function headersOf(block: string): Map<string, string> {
  const headers = new Map<string, string>();
  let last: string | undefined;
  for (const line of block.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && last) {
      headers.set(last, `${headers.get(last)} ${line.trim()}`);
      continue;
    }
    const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line);
    if (!m) continue;
    last = m[1].toLowerCase();
    headers.set(last, m[2].trim());
  }
  return headers;
}

function param(header: string, name: string): string | undefined {
  const m = new RegExp(`;\\s*${name}\\s*=\\s*("([^"]*)"|[^;\\s]+)`, 'i').exec(header);
  return m ? (m[2] ?? m[1]) : undefined;
}

function decodeQuotedPrintable(s: string): string {
  const bytes = Buffer.from(
    s.replace(/=\r?\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
    'latin1',
  );
  return bytes.toString('utf8');
}

function gunzipIfGzip(buf: Buffer): Buffer {
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    return zlib.gunzipSync(buf, { maxOutputLength: MAX_INFLATED_BYTES });
  }
  return buf;
}

function asText(buf: Buffer): string | undefined {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
    // eslint-disable-next-line no-control-regex
    return /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text) ? undefined : text;
  } catch {
    return undefined;
  }
}

const WRITE_FILES_DECODING: Readonly<Record<string, readonly ('base64' | 'gzip')[]>> = {
  b64: ['base64'],
  base64: ['base64'],
  gz: ['gzip'],
  gzip: ['gzip'],
  'gz+base64': ['base64', 'gzip'],
  'gzip+base64': ['base64', 'gzip'],
  'gz+b64': ['base64', 'gzip'],
  'gzip+b64': ['base64', 'gzip'],
};

class Expander {
  readonly out: UserDataExpansion = { values: [], unreadable: [] };
  private parts = 0;

  text(text: string, via: string, depth: number, contentType?: string): void {
    if (depth > 6 || ++this.parts > MAX_PARTS) {
      this.out.unreadable.push({ via, reason: 'user data nested too deeply to read' });
      return;
    }
    const body = text.replace(/^\uFEFF/, '');
    const trimmed = body.trimStart();
    const type = (contentType ?? '').toLowerCase();
    const head = trimmed.split(/\r?\n\r?\n/)[0] ?? '';
    if (contentType === undefined && /^(?:Content-Type|MIME-Version):/im.test(head)) {
      this.mime(body, via, depth);
      return;
    }
    if (type.startsWith('text/x-include') || /^#include(?:-once)?\b/.test(trimmed)) {
      this.out.unreadable.push({
        via,
        reason: '#include user data: cloud-init downloads its URLs at boot, the pack cannot see them',
      });
      return;
    }
    if (type === 'text/cloud-config' || /^#cloud-config\s/.test(trimmed + '\n')) {
      this.cloudConfig(body, `${via}(cloud-config)`, depth);
      return;
    }
    if (type === 'text/cloud-config-archive' || /^#cloud-config-archive\s/.test(trimmed + '\n')) {
      this.archive(body, `${via}(cloud-config-archive)`, depth);
      return;
    }
    if (via !== '') this.out.values.push({ via, value: body });
  }

  private mime(message: string, via: string, depth: number): void {
    const split = /\r?\n\r?\n/.exec(message);
    const headerBlock = split ? message.slice(0, split.index) : message;
    const body = split ? message.slice(split.index + split[0].length) : '';
    const headers = headersOf(headerBlock);
    const contentType = headers.get('content-type') ?? 'text/plain';
    if (/^multipart\//i.test(contentType)) {
      const boundary = param(contentType, 'boundary');
      if (!boundary) {
        this.out.unreadable.push({ via: `${via}(mime)`, reason: 'multipart user data without a boundary' });
        return;
      }
      const delimiter = `--${boundary}`;
      const chunks = body.split(new RegExp(`(?:^|\\r?\\n)${delimiter.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      // chunks[0] is the preamble; a chunk starting with "--" is the epilogue after the closing delimiter.
      let n = 0;
      for (const chunk of chunks.slice(1)) {
        if (chunk.startsWith('--')) break;
        n++;
        this.mime(chunk.replace(/^[ \t]*\r?\n/, ''), `${via}(mime part ${n})`, depth + 1);
      }
      return;
    }
    const cte = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
    const type = contentType.split(';')[0].trim();
    let raw: Buffer;
    if (cte === 'base64') raw = Buffer.from(body.replace(/\s+/g, ''), 'base64');
    else if (cte === 'quoted-printable') raw = Buffer.from(decodeQuotedPrintable(body), 'utf8');
    else if (['7bit', '8bit', 'binary'].includes(cte)) raw = Buffer.from(body, 'utf8');
    else {
      this.out.unreadable.push({ via, reason: `MIME part with Content-Transfer-Encoding ${cte}` });
      return;
    }
    let text: string | undefined;
    try {
      text = asText(gunzipIfGzip(raw));
    } catch {
      text = undefined;
    }
    const label = `${via}(${type}${cte === '7bit' || cte === '8bit' ? '' : `, ${cte}`})`;
    if (text === undefined) {
      this.out.unreadable.push({ via: label, reason: `MIME part (${type}) that does not decode to text` });
      return;
    }
    this.text(text, label, depth + 1, type === 'text/plain' ? '' : type);
  }

  private parse(text: string, via: string): unknown {
    try {
      return parseYaml(text, 'user data');
    } catch (e) {
      this.out.unreadable.push({ via, reason: `YAML the pack cannot read (${(e as Error).message})` });
      return undefined;
    }
  }

  private cloudConfig(text: string, via: string, depth: number): void {
    const doc = this.parse(text, via);
    if (doc === undefined) return;
    this.out.values.push({ via, value: doc });
    if (!isPlainRecord(doc)) return;
    const files = doc.write_files;
    if (files === undefined || files === null) return;
    if (!Array.isArray(files)) {
      this.out.unreadable.push({ via: `${via}.write_files`, reason: 'write_files that is not a list' });
      return;
    }
    files.forEach((f: unknown, i: number) => {
      const at = `${via}.write_files[${isPlainRecord(f) && typeof f.path === 'string' ? `path=${f.path}` : i}]`;
      if (!isPlainRecord(f)) return;
      if (f.source !== undefined && f.source !== null) {
        this.out.unreadable.push({ via: `${at}.source`, reason: 'write_files source: downloaded at boot' });
      }
      if (f.content === undefined || f.content === null) return;
      const encoding = typeof f.encoding === 'string' ? f.encoding.trim().toLowerCase() : '';
      const steps = WRITE_FILES_DECODING[encoding] ?? [];
      let buf = Buffer.from(String(f.content), steps[0] === 'base64' ? 'base64' : 'utf8');
      try {
        if (steps.includes('gzip')) buf = zlib.gunzipSync(buf, { maxOutputLength: MAX_INFLATED_BYTES });
      } catch {
        this.out.unreadable.push({ via: `${at}.content`, reason: `content that does not decode as ${encoding}` });
        return;
      }
      if (steps.length === 0) return; // plain text: walked with the document itself
      const text = asText(buf);
      if (text === undefined) {
        this.out.unreadable.push({ via: `${at}.content(${encoding})`, reason: 'content that is not text' });
        return;
      }
      this.text(text, `${at}.content(${encoding})`, depth + 1, '');
      if (!this.out.values.some((v) => v.via === `${at}.content(${encoding})`)) {
        this.out.values.push({ via: `${at}.content(${encoding})`, value: text });
      }
    });
  }

  private archive(text: string, via: string, depth: number): void {
    const doc = this.parse(text, via);
    if (doc === undefined) return;
    if (!Array.isArray(doc)) {
      this.out.unreadable.push({ via, reason: 'cloud-config-archive that is not a list' });
      return;
    }
    doc.forEach((item: unknown, i: number) => {
      const at = `${via}[${i}]`;
      if (typeof item === 'string') this.text(item, at, depth + 1);
      else if (isPlainRecord(item) && typeof item.content === 'string') {
        this.text(item.content, at, depth + 1, typeof item.type === 'string' ? item.type : undefined);
        if (!this.out.values.some((v) => v.via === at)) this.out.values.push({ via: at, value: item.content });
      }
    });
  }
}

/**
 * Expands user data as cloud-init would: MIME parts decoded, cloud-config parsed, write_files contents decoded. The
 * values are to be walked in addition to the text itself.
 */
export function expandUserData(text: string): UserDataExpansion {
  const e = new Expander();
  e.text(text, '', 0);
  return e.out;
}
