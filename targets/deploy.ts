// The program's side of the targets: the component of every configured kind (registry order), all pointed at the
// active database with the RDS CA bundle wired in, and the secret-free stack outputs an operator needs. index.ts and
// the blue/green strategy call deployStackTargets; each kind's own `deploy` creates its component.
import type * as pulumi from '@pulumi/pulumi';
import type { CaBundle } from '../lib/tls/ca-bundle';
import type { AppSecretKey } from './shared/app-secrets';
import type { DatabaseInputs, TargetStackArgs } from './shared/component';
import { ComponentOf, TargetConfigs, TargetKind, TargetOutputs, TARGETS } from './index';

export type { TargetOutputs } from './index';

export interface DeployedTargets {
  /** The component of each configured kind. */
  components: { [K in TargetKind]?: ComponentOf<K> };
  /** Every target component (what the post-deploy validation and the start of ToolJet wait for). */
  all: pulumi.ComponentResource[];
  outputs: TargetOutputs;
}

export interface DeployTargetsOptions {
  /**
   * What every target waits for before it changes anything: the rollback report (rows on the clone counted before
   * the source takes writes again), and in the maintenance window the validation (cutover) or the stop (rollback).
   * Given to each component; its resources are its children and are registered only after it.
   */
  dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** Creates the component of every configured target. */
export function deployTargets(
  targets: TargetConfigs,
  args: TargetStackArgs & { production: boolean },
  options: DeployTargetsOptions = {},
): DeployedTargets {
  const out: DeployedTargets = { components: {}, all: [], outputs: {} };
  const opts: pulumi.ComponentResourceOptions =
    options.dependsOn && options.dependsOn.length > 0 ? { dependsOn: options.dependsOn } : {};
  for (const definition of TARGETS) {
    const settings = targets[definition.kind];
    if (settings === undefined) continue;
    const { component, outputs } = definition.deploy({ ...args, settings }, opts);
    (out.components as Record<string, pulumi.ComponentResource>)[definition.kind] = component;
    out.all.push(component);
    Object.assign(out.outputs, outputs);
  }
  return out;
}

/** What deployStackTargets reads of the stack configuration (LoadedStackConfig has all of it). */
export interface StackTargetsConfig {
  readonly targets: TargetConfigs;
  readonly database: { readonly username: string; readonly name: string; readonly tooljetDbName: string };
  readonly caBundle: CaBundle;
  /** ToolJet's database password (secret Output). */
  readonly dbPassword: pulumi.Output<string>;
  /** The app secrets that are set, as secret Outputs. */
  readonly appSecretValues: Readonly<Partial<Record<AppSecretKey, pulumi.Output<string>>>>;
  readonly environment: TargetStackArgs['environment'];
  readonly stack: string;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * Every configured target of the stack, pointed at `endpoint` (the clone, the source or a restored instance: the
 * only thing callers choose) with the stack's database names, CA bundle, secrets and tags.
 */
export function deployStackTargets(
  config: StackTargetsConfig,
  endpoint: Pick<DatabaseInputs, 'host' | 'port'>,
  cli: TargetStackArgs['cli'],
  options: DeployTargetsOptions = {},
): DeployedTargets {
  const db = config.database;
  return deployTargets(
    config.targets,
    {
      database: {
        host: endpoint.host,
        port: endpoint.port,
        user: db.username,
        database: db.name,
        tooljetDatabase: db.tooljetDbName,
      },
      caBundle: config.caBundle,
      dbPassword: config.dbPassword,
      appSecrets: config.appSecretValues,
      environment: config.environment,
      stack: config.stack,
      userTags: config.tags,
      cli,
      production: config.environment === 'production',
    },
    options,
  );
}
