// The thin Pulumi side of the configuration: reads this project's namespace from the running stack and hands it to
// parseStackConfig. A configuration problem ends the program with a pulumi.RunError (message only, no stack trace).
import * as pulumi from '@pulumi/pulumi';
import { ConfigError } from './errors';
import { parseStackConfig } from './parse';
import type { AppSecretKey } from '../targets/shared/app-secrets';
import { StackConfig } from './types';

export interface LoadedStackConfig extends StackConfig {
  /** ToolJet's database password, always a Pulumi secret (it is only accepted as one). */
  readonly dbPassword: pulumi.Output<string>;
  /** The app secrets that are set (StackConfig.appSecrets), as secret Outputs. */
  readonly appSecretValues: Readonly<Partial<Record<AppSecretKey, pulumi.Output<string>>>>;
  /** Strategy replication with replication.user: that role's password (a Pulumi secret, only accepted as one). */
  readonly replicationPassword?: pulumi.Output<string>;
}

// `isConfigSecret(fullKey)` reads PULUMI_CONFIG_SECRET_KEYS, the list the CLI (or setAllConfig in tests) provides.
// It is exported by @pulumi/pulumi 3.248's runtime/config module but not declared in its .d.ts.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a module @pulumi/pulumi exports but does not declare
const runtimeConfig = require('@pulumi/pulumi/runtime/config') as { isConfigSecret?: (fullKey: string) => boolean };

function isConfigSecret(fullKey: string): boolean {
  if (typeof runtimeConfig.isConfigSecret !== 'function') {
    // Fail closed: without the secret-keys list we cannot tell a secret from plain text.
    throw new pulumi.RunError(
      '@pulumi/pulumi does not provide runtime/config isConfigSecret; install the pinned version (npm ci)',
    );
  }
  return runtimeConfig.isConfigSecret(fullKey);
}

/** Reads and validates the stack configuration. `baseDir` is the project directory (relative paths start there). */
export function loadStackConfig(opts: { baseDir: string }): LoadedStackConfig {
  const project = pulumi.getProject();
  const prefix = `${project}:`;
  const raw: Record<string, string> = {};
  for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
    if (key.startsWith(prefix)) raw[key.slice(prefix.length)] = value;
  }
  let config: StackConfig;
  try {
    config = parseStackConfig(raw, {
      stack: pulumi.getStack(),
      project,
      baseDir: opts.baseDir,
      isSecret: (key) => isConfigSecret(`${prefix}${key}`),
    });
  } catch (err) {
    if (err instanceof ConfigError) throw new pulumi.RunError(err.message);
    throw err;
  }
  const stackConfig = new pulumi.Config(project);
  const appSecretValues: Partial<Record<AppSecretKey, pulumi.Output<string>>> = {};
  for (const key of config.appSecrets) appSecretValues[key] = stackConfig.requireSecret(key);
  return {
    ...config,
    dbPassword: stackConfig.requireSecret('dbPassword'),
    appSecretValues,
    ...(config.replication?.user !== undefined && {
      replicationPassword: stackConfig.requireSecret('replicationPassword'),
    }),
  };
}
