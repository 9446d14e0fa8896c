// What the target parsers need to know about the rest of the stack configuration.
import type { Environment } from '../types';
import { AppSecretKey } from './types';

export interface TargetContext {
  readonly project: string;
  readonly stack: string;
  readonly environment: Environment;
  /** Project directory: relative paths (kubeconfig, docker directory) start there. */
  readonly baseDir: string;
  /** Which app secrets are configured as Pulumi secrets (their values are never seen here). */
  readonly appSecrets: ReadonlySet<AppSecretKey>;
}
