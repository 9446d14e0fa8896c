// What the settings parsers of every kind (targets/<kind>/settings.ts) share: the types of secret references and S3
// objects, and the readers of them. Each reader reports problems through the parser's Reader (one line, naming the
// full key such as `targets.ecs.cluster`) and returns undefined instead of throwing, so every problem is collected.
// Values that may be secrets (secret references, extra environment) are never echoed in a message.
import * as path from 'path';
import { isPlainObject, kindOf as describe, Reader } from '../../config/reader';
import { AppSecretKey } from './app-secrets';

export { isPlainObject, kindOf as describe } from '../../config/reader';
export type { Obj } from '../../config/reader';

/** An existing secret, by full ARN: Secrets Manager (optionally one key of a JSON secret) or an SSM parameter. */
export interface SecretRefConfig {
  readonly arn: string;
  /** Secrets Manager only: the key of a JSON secret (e.g. "password" of an RDS-managed secret). */
  readonly jsonKey?: string;
}

/** Where a target gets a secret: an existing one (reference) or one the component creates from a Pulumi secret. */
export type SecretSource =
  | { readonly kind: 'reference'; readonly ref: SecretRefConfig }
  | { readonly kind: 'create'; readonly from: 'dbPassword' | AppSecretKey };

export interface S3ObjectConfig {
  /** An existing bucket (the component uploads the object, it never creates buckets). */
  readonly bucket: string;
  readonly key: string;
}

/** `<project>/<stack>/`: the default name prefix of created Secrets Manager secrets. */
export function defaultSecretNamePrefix(project: string, stack: string): string {
  return `${project}/${stack}/`;
}

/** Full ARN patterns ECS's `valueFrom` and IAM policies need (names are not enough there). */
export const SECRETS_MANAGER_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;
export const SSM_PARAMETER_ARN = /^arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter\/[A-Za-z0-9/_.-]+$/;
export const IAM_ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
export const IAM_ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
export { KMS_KEY_ARN } from './render';
export const KMS_KEY_ID =
  /^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[A-Za-z0-9/_-]+|alias\/[A-Za-z0-9/_-]+|[0-9a-f-]{36})$/;
export const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/**
 * An S3 key without `*` or `?`: the key becomes the Resource of the task-role and instance-role policies, where IAM reads
 * both as wildcards (`arn:aws:s3:::bucket/*` would grant every object of the bucket).
 */
export const S3_KEY = /^[A-Za-z0-9!_.()-]+(\/[A-Za-z0-9!_.()-]+)*$/;
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Same rule as the policy pack's ecs-no-secrets-in-environment: such names belong in `secrets`. */
export const SECRET_LOOKING_NAME = /PASS|SECRET|KEY|TOKEN/i;
export const TOOLJET_HOST = /^https?:\/\/[A-Za-z0-9.-]+(:\d+)?(\/[^\s'"\\]*)?$/;
export const IMAGE = /^[a-z0-9][a-z0-9._/:@-]*$/i;
export const LOG_GROUP = /^[A-Za-z0-9_\-/.#]{1,512}$/;
export const DNS1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const SECRET_NAME_PREFIX = /^[A-Za-z0-9/_+=.@-]{0,400}$/;

const REF_FIX =
  'use the full ARN of an existing Secrets Manager secret (arn:aws:secretsmanager:<region>:<account>:secret:<name>) or ' +
  'SSM parameter (arn:aws:ssm:<region>:<account>:parameter/<name>), or {arn, jsonKey}';

/**
 * A reference to an existing secret: its ARN as a string, or `{arn, jsonKey}`. A value that is not an ARN is reported
 * without repeating it (someone may have pasted the secret itself).
 */
export function readSecretRef(r: Reader, key: string, value: unknown): SecretRefConfig | undefined {
  let arn: unknown = value;
  let jsonKey: unknown;
  if (isPlainObject(value)) {
    r.unknownKeys(key, value, ['arn', 'jsonKey']);
    arn = value.arn;
    jsonKey = value.jsonKey;
  }
  if (typeof arn !== 'string' || !(SECRETS_MANAGER_ARN.test(arn) || SSM_PARAMETER_ARN.test(arn))) {
    const what =
      typeof arn === 'string'
        ? 'is not a secret ARN (value not shown: never put a secret itself in config)'
        : `must be an ARN, got ${describe(arn)}`;
    r.problem(isPlainObject(value) ? `${key}.arn` : key, `${what}; ${REF_FIX}`);
    return undefined;
  }
  if (jsonKey !== undefined) {
    if (!SECRETS_MANAGER_ARN.test(arn)) {
      r.problem(`${key}.jsonKey`, 'applies to Secrets Manager secrets only, not SSM parameters; remove it');
      return undefined;
    }
    if (typeof jsonKey !== 'string' || !/^[A-Za-z0-9_.-]{1,256}$/.test(jsonKey)) {
      r.problem(`${key}.jsonKey`, 'must be the plain name of a key of the JSON secret, such as "password"');
      return undefined;
    }
    return { arn, jsonKey };
  }
  return { arn };
}

/** `{bucket, key}` of an S3 object; `key` has a default. */
export function readS3Object(r: Reader, key: string, value: unknown, defaultKey: string): S3ObjectConfig | undefined {
  if (!isPlainObject(value)) {
    r.problem(key, `must be a mapping {bucket, key}, got ${describe(value)}`);
    return undefined;
  }
  r.unknownKeys(key, value, ['bucket', 'key']);
  if (value.bucket === undefined) {
    r.problem(`${key}.bucket`, 'not set; name an existing S3 bucket the component may upload the RDS CA bundle to');
  }
  const bucket = r.matching(
    `${key}.bucket`,
    value.bucket,
    S3_BUCKET,
    'use an S3 bucket name (lower-case letters, digits, dots, hyphens)',
  );
  const objectKey =
    r.matching(
      `${key}.key`,
      value.key,
      S3_KEY,
      'use an S3 key of letters, digits and ! _ . ( ) - separated by / (no *: it would be a wildcard in the IAM policy)',
    ) ?? defaultKey;
  return bucket ? { bucket, key: objectKey } : undefined;
}

/** A list of strings each matching `pattern`; undefined when unset or invalid. */
export function readStringList(
  r: Reader,
  key: string,
  value: unknown,
  pattern: RegExp,
  fix: string,
  opts: { nonEmpty?: boolean } = {},
): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || (opts.nonEmpty && value.length === 0)) {
    r.problem(key, `must be a${opts.nonEmpty ? ' non-empty' : ''} list, got ${describe(value)}; ${fix}`);
    return undefined;
  }
  const out: string[] = [];
  let ok = true;
  value.forEach((v, i) => {
    const s = r.matching(`${key}[${i}]`, v, pattern, fix);
    if (s === undefined) ok = false;
    else out.push(s);
  });
  if (new Set(out).size !== out.length) {
    r.problem(key, 'lists the same entry twice; remove the duplicate');
    ok = false;
  }
  return ok ? out : undefined;
}

/** A required string: reports "not set" with `hint` when missing. */
export function requiredMatching(
  r: Reader,
  key: string,
  value: unknown,
  pattern: RegExp,
  fix: string,
  hint: string,
): string | undefined {
  if (value === undefined || value === null) {
    r.problem(key, `not set; ${hint}`);
    return undefined;
  }
  return r.matching(key, value, pattern, fix);
}

/** A path on the machine that runs Pulumi: absolute, or relative to the project directory. */
export function readLocalPath(
  r: Reader,
  key: string,
  value: unknown,
  baseDir: string,
  fix: string,
): string | undefined {
  const s = r.string(key, value, fix);
  if (s === undefined) return undefined;
  if (s.includes('\0') || s.includes('\n')) {
    r.problem(key, `is not a usable path; ${fix}`);
    return undefined;
  }
  return path.resolve(baseDir, s);
}

/** A duration like the other `*Timeout` keys, in seconds. */
export function readDuration(r: Reader, key: string, value: unknown, fallback: number): number {
  return r.duration(key, value, fallback);
}
