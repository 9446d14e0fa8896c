// Reads raw configuration values and collects one-line problems instead of throwing, so that every problem of a
// stack is reported at once. Every parser of the stack configuration takes a Reader: config/parse.ts and the
// settings parser of each ToolJet target kind (targets/<kind>/settings.ts). It imports nothing else of config/, so no
// parser depends on another through it (tests/layout.test.ts checks that config/ has no import loop).
import { durationSeconds } from '../lib/durations';

export type Obj = Record<string, unknown>;

const SECRET_LOOKING = /pass(word)?|secret|token|credential/i;

/** How a value is named in messages: "a string", "a list", "a mapping", "null". */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a mapping' : `a ${typeof value}`;
}

export function isPlainObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}

/** "did you mean ...?" for a typo, when one known key is close. */
export function suggestion(key: string, known: readonly string[]): string {
  const scored = known.map((k) => ({ k, d: editDistance(k.toLowerCase(), key.toLowerCase()) })).filter((x) => x.d <= 2);
  const best = Math.min(...scored.map((x) => x.d));
  const closest = scored.filter((x) => x.d === best);
  return closest.length === 1 ? `did you mean "${closest[0].k}"? ` : '';
}

/** Collects problems; every reader returns a value or undefined and never throws. */
export class Reader {
  readonly problems: string[] = [];

  constructor(private readonly project: string) {}

  problem(key: string, message: string): void {
    this.problems.push(`${this.project}:${key}: ${message}`);
  }

  /** A top-level object value: JSON text (how Pulumi passes structured config) or an object. */
  object(key: string, value: unknown): Obj | undefined {
    if (value === undefined) return undefined;
    let v = value;
    if (typeof v === 'string') {
      try {
        v = JSON.parse(v);
      } catch {
        this.problem(key, `must be a mapping of sub-keys, got the text "${v}"; see docs/configuration.md`);
        return undefined;
      }
    }
    if (!isPlainObject(v)) {
      this.problem(key, `must be a mapping of sub-keys, got ${kindOf(v)}; see docs/configuration.md`);
      return undefined;
    }
    return v;
  }

  /** Reports keys of `obj` that are not in `known` (typos must not be ignored silently). */
  unknownKeys(key: string, obj: Obj, known: readonly string[]): void {
    for (const k of Object.keys(obj)) {
      if (known.includes(k)) continue;
      const where = key ? `${key}.${k}` : k;
      if (SECRET_LOOKING.test(k)) {
        this.problem(
          where,
          `is not a key; the database password is only accepted as the secret "dbPassword": pulumi config rm${key ? ' --path' : ''} '${where}' && pulumi config set --secret dbPassword <password>`,
        );
      } else {
        this.problem(
          where,
          `unknown key; ${suggestion(k, known)}known keys${key ? ` of ${key}` : ''}: ${known.join(', ')}`,
        );
      }
    }
  }

  string(key: string, value: unknown, fix: string): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') {
      this.problem(
        key,
        `must be a string, got ${kindOf(value)}${typeof value === 'number' ? ' (quote it in YAML)' : ''}; ${fix}`,
      );
      return undefined;
    }
    if (value.trim() !== value || value.length === 0) {
      this.problem(key, `must be a non-empty string without surrounding spaces; ${fix}`);
      return undefined;
    }
    return value;
  }

  matching(key: string, value: unknown, pattern: RegExp, fix: string): string | undefined {
    const s = this.string(key, value, fix);
    if (s === undefined) return undefined;
    if (!pattern.test(s)) {
      this.problem(key, `"${s}" is not valid; ${fix}`);
      return undefined;
    }
    return s;
  }

  named(key: string, value: unknown, check: (v: string) => string | undefined, what: string): string | undefined {
    const s = this.string(key, value, `set it to a valid ${what}`);
    if (s === undefined) return undefined;
    const problem = check(s);
    if (problem) {
      this.problem(key, `"${s}" ${problem}; set it to a valid ${what}`);
      return undefined;
    }
    return s;
  }

  oneOf<T extends string>(key: string, value: unknown, allowed: readonly T[]): T | undefined {
    if (value === undefined) return undefined;
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
    this.problem(
      key,
      `${typeof value === 'string' ? `"${value}"` : kindOf(value)} is not allowed; use one of: ${allowed.join(', ')}`,
    );
    return undefined;
  }

  boolean(key: string, value: unknown): boolean | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === 'false') return value === 'true';
    this.problem(key, `must be true or false, got ${kindOf(value)}`);
    return undefined;
  }

  integer(key: string, value: unknown, min: number, max: number): number | undefined {
    if (value === undefined || value === null) return undefined;
    const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
      this.problem(
        key,
        `must be a whole number from ${min} to ${max}, got ${typeof value === 'number' || typeof value === 'string' ? JSON.stringify(value) : kindOf(value)}`,
      );
      return undefined;
    }
    return n;
  }

  /** A duration like "4h", "90m" or "2h30m", resolved to whole seconds (`fallback`, in seconds, when unset or bad). */
  duration(key: string, value: unknown, fallback: number): number {
    const s = this.string(key, value, 'use a duration like "4h", "90m" or "2h30m"');
    if (s === undefined) return fallback;
    const seconds = durationSeconds(s);
    if (seconds === undefined) {
      this.problem(key, `"${s}" is not a duration; use a duration like "4h", "90m" or "2h30m"`);
      return fallback;
    }
    return seconds;
  }
}
