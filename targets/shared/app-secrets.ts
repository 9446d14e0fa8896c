// The application secrets ToolJet requires besides the database password: their config keys and ToolJet variables
// (config/app-secrets.ts checks the keys; the targets fill the variables), and the checks of the values shared by the
// renderers that carry secret values.
import { RenderError } from './render';

/** Top-level Pulumi secrets ToolJet needs besides the database password (only accepted as Pulumi secrets). */
export const APP_SECRET_KEYS = ['lockboxMasterKey', 'secretKeyBase', 'pgrstJwtSecret'] as const;
export type AppSecretKey = (typeof APP_SECRET_KEYS)[number];

/** The ToolJet variable each app secret fills. */
export const APP_SECRET_VARIABLES: Readonly<Record<AppSecretKey, string>> = {
  lockboxMasterKey: 'LOCKBOX_MASTER_KEY',
  secretKeyBase: 'SECRET_KEY_BASE',
  pgrstJwtSecret: 'PGRST_JWT_SECRET',
};

/** Secret values ToolJet needs besides the database passwords (Docker .env, Kubernetes Secret). */
export interface AppSecretValues {
  /** LOCKBOX_MASTER_KEY: 32 bytes as 64 hex characters (`openssl rand -hex 32`). */
  lockboxMasterKey?: string;
  /** SECRET_KEY_BASE: hex (`openssl rand -hex 64`). */
  secretKeyBase?: string;
  /** PGRST_JWT_SECRET: at least 32 characters (PostgREST's minimum). */
  pgrstJwtSecret?: string;
}

export function checkPassword(field: string, v: unknown): string {
  if (typeof v !== 'string' || v === '') throw new RenderError(`${field} is empty: give the database password`);
  return v;
}

export function checkAppSecrets(s: AppSecretValues): void {
  if (s.lockboxMasterKey !== undefined && !/^[0-9a-fA-F]{64}$/.test(s.lockboxMasterKey)) {
    throw new RenderError('LOCKBOX_MASTER_KEY must be 32 bytes written as 64 hex characters (openssl rand -hex 32)');
  }
  if (s.secretKeyBase !== undefined && !/^[0-9a-fA-F]{32,}$/.test(s.secretKeyBase)) {
    throw new RenderError('SECRET_KEY_BASE must be a hex string of at least 32 characters (openssl rand -hex 64)');
  }
  if (s.pgrstJwtSecret !== undefined && (typeof s.pgrstJwtSecret !== 'string' || s.pgrstJwtSecret.length < 32)) {
    throw new RenderError(
      'PGRST_JWT_SECRET must be at least 32 characters (PostgREST refuses shorter secrets; openssl rand -hex 32)',
    );
  }
}

export function checkTooljetHost(v: unknown): string {
  if (typeof v !== 'string' || !/^https?:\/\/[^\s'"\\]+$/.test(v)) {
    throw new RenderError(
      `TOOLJET_HOST must be the public URL of ToolJet such as https://tooljet.example.com, got ${JSON.stringify(v)}`,
    );
  }
  return v;
}
