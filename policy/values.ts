// Reading resource inputs the way the policy server hands them over.
//
// During `pulumi preview` an input that depends on a resource not created yet is *unknown*: the server wraps the props
// in a proxy that throws `UnknownValueError` when such a value is read, and turns that error into an advisory
// "can't run policy during preview" message. Secret inputs arrive as plain values for validation (the server unwraps
// them), but a `Secret` wrapper can appear in other code paths, so it is unwrapped here too.
//
// `read` never throws for an unknown: it reports it, so a policy can check everything that is known first and decide
// what an unknown means for it (see `UnknownTracker`).

import * as policySdk from '@pulumi/policy';

type UnknownValueErrorClass = new (sentinel: string, props: string[]) => Error;

// @pulumi/policy exports `UnknownValueError` at run time (index.js) but its .d.ts drops it (marked @internal).
const UnknownValueError = (policySdk as unknown as { UnknownValueError?: UnknownValueErrorClass }).UnknownValueError;

// The sentinels the engine sends for unknown values, as the policy server itself knows them.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a module @pulumi/policy exports but does not declare
const proxyModule = require('@pulumi/policy/proxy') as Record<string, unknown>;
const UNKNOWN_SENTINELS: ReadonlySet<string> = new Set(
  Object.entries(proxyModule)
    .filter(([k, v]) => /^unknown[A-Za-z]*Value$/.test(k) && typeof v === 'string')
    .map(([, v]) => v as string),
);

export type Read = { known: true; value: unknown } | { known: false; error: Error };

/** True for the error the policy server's proxy throws when an unknown value is read. */
export function isUnknownValueError(e: unknown): e is Error {
  return UnknownValueError !== undefined && e instanceof UnknownValueError;
}

/** True for a raw unknown sentinel (seen only where values are not behind the server's proxy). */
export function isUnknownSentinel(v: unknown): v is string {
  return typeof v === 'string' && UNKNOWN_SENTINELS.has(v);
}

function unknownError(sentinel: string, path: string): Error {
  if (UnknownValueError) return new UnknownValueError(sentinel, [path]);
  return new Error(`value at .${path} can't be known during preview`);
}

// The wire form of a secret (@pulumi/pulumi sdk/nodejs/runtime/rpc.ts `specialSigKey` / `specialSecretSig`). The policy
// server unpacks it before a policy runs; a caller that hands over inputs as the program registered them (tests over
// a mocked program) may still pass it.
export const SECRET_SIG_KEY = '4dabf18193072939515e22adb298388d';
export const SECRET_SIG = '1b47061264138c4ac30d75fd1eb44270';

function isWireSecret(v: unknown): v is { value: unknown } {
  return v !== null && typeof v === 'object' && (v as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG;
}

/** Unwraps `Secret` wrappers and wire-form secrets (the plaintext is inspected, never printed). */
export function unwrapSecret(v: unknown): unknown {
  let value = v;
  while (value instanceof policySdk.Secret || isWireSecret(value)) value = value.value;
  return value;
}

/**
 * Reads `container[key]`, unwrapping secrets. An unknown value (proxy error or raw sentinel) comes back as
 * `{ known: false }` instead of throwing; any other error is rethrown.
 */
export function read(container: unknown, key: string | number, path = String(key)): Read {
  if (container === null || typeof container !== 'object') return { known: true, value: undefined };
  let value: unknown;
  try {
    value = unwrapSecret((container as Record<string | number, unknown>)[key]);
  } catch (e) {
    if (isUnknownValueError(e)) return { known: false, error: e };
    throw e;
  }
  if (isUnknownSentinel(value)) return { known: false, error: unknownError(value, path) };
  return { known: true, value };
}

/** Own enumerable keys; the server's proxy passes these through without checking unknowns. */
export function keysOf(v: unknown): string[] {
  return v !== null && typeof v === 'object' ? Object.keys(v) : [];
}

export function isPlainRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Collects the unknown values a policy needed. `finish()` rethrows the first one so the policy server reports an
 * advisory "can't run during preview" for this resource; call it after every known value was checked and every
 * violation reported (violations reported before it stand).
 */
export class UnknownTracker {
  private first: Error | undefined;
  private readonly paths: string[] = [];

  /** Returns the value when known, `undefined` (and remembers the unknown) otherwise. */
  value(r: Read, path: string): unknown {
    if (r.known) return r.value;
    this.note(r.error, path);
    return undefined;
  }

  note(error: Error, path: string): void {
    this.first ??= error;
    this.paths.push(path);
  }

  get unknownPaths(): readonly string[] {
    return this.paths;
  }

  finish(): void {
    if (this.first) throw this.first;
  }
}
