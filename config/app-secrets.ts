// The top-level Pulumi secrets ToolJet needs besides the database password (LOCKBOX_MASTER_KEY, SECRET_KEY_BASE,
// PGRST_JWT_SECRET). Optional: targets that reference existing secrets do not need them. Like dbPassword they are only
// accepted as Pulumi secrets, and their values never appear in a message or in StackConfig.
import type { Reader } from './reader';
import { APP_SECRET_KEYS, APP_SECRET_VARIABLES, AppSecretKey } from '../targets/shared/app-secrets';

const FORMATS: Readonly<Record<AppSecretKey, { test: (v: string) => boolean; rule: string }>> = {
  lockboxMasterKey: { test: (v) => /^[0-9a-fA-F]{64}$/.test(v), rule: '32 bytes written as 64 hex characters' },
  secretKeyBase: { test: (v) => /^[0-9a-fA-F]{32,}$/.test(v), rule: 'a hex string of at least 32 characters' },
  pgrstJwtSecret: { test: (v) => v.length >= 32, rule: 'at least 32 characters (PostgREST refuses shorter secrets)' },
};

/** Checks the app secrets that are set; returns which ones are. */
export function parseAppSecrets(
  r: Reader,
  raw: Readonly<Record<string, unknown>>,
  isSecret: (key: string) => boolean,
  stack: string,
): Set<AppSecretKey> {
  const present = new Set<AppSecretKey>();
  for (const key of APP_SECRET_KEYS) {
    const value = raw[key];
    if (value === undefined) continue;
    const variable = APP_SECRET_VARIABLES[key];
    if (!isSecret(key)) {
      // Never echo the value.
      r.problem(
        key,
        `is stored in plain text; make it a secret: pulumi config rm ${key} && pulumi config set --secret ${key} <${variable} value> (and rotate it if Pulumi.${stack}.yaml was shared)`,
      );
    } else if (typeof value !== 'string' || !FORMATS[key].test(value)) {
      r.problem(
        key,
        `is not a valid ${variable} (value not shown): it must be ${FORMATS[key].rule}; use the value your ToolJet runs with now`,
      );
    } else {
      present.add(key);
    }
  }
  return present;
}
