// One redactor for everything a command prints: secrets are registered once, by value (as a parser extracted them,
// never found by a pattern over the text), and redact() replaces every form a secret may be printed in: as written,
// percent-decoded, percent-encoded (either case of hex digits), escaped inside a JSON string, and escaped inside a
// quoted keyword/value string. Pure; imports nothing but the percent-encoder.
import { percentEncode } from './percent-encode';

export const MASK = '***';

/** Secrets shorter than this are not registered: masking one or two characters everywhere would garble the text. */
export const MIN_SECRET_LENGTH = 3;

/** Every form in which `secret` may appear in printed text. */
export function secretForms(secret: string): string[] {
  const base = new Set<string>([secret]);
  try {
    base.add(decodeURIComponent(secret));
  } catch {
    /* not percent-decodable: the raw form is the only one */
  }
  for (const s of [...base]) {
    base.add(encodeURIComponent(s));
    base.add(percentEncode(s));
    base.add(percentEncode(s).replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()));
  }
  const out = new Set<string>();
  for (const s of base) {
    out.add(s);
    out.add(JSON.stringify(s).slice(1, -1));
    out.add(s.replace(/[\\']/g, '\\$&'));
  }
  return [...out].filter((f) => f.length >= MIN_SECRET_LENGTH);
}

export class Redactor {
  private readonly forms = new Set<string>();

  /** Registers a secret (undefined and empty are ignored); returns this for chaining. */
  add(secret: string | undefined): this {
    if (secret) for (const f of secretForms(secret)) this.forms.add(f);
    return this;
  }

  /** True when at least one secret is registered. */
  get size(): number {
    return this.forms.size;
  }

  /** `text` with every registered form of every secret replaced by ***, longest forms first. */
  redact(text: string): string {
    let out = text;
    for (const f of [...this.forms].sort((a, b) => b.length - a.length)) out = out.split(f).join(MASK);
    return out;
  }
}
