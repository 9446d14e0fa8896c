// Which database ToolJet is pointed at. `source` is the rollback, `restored` an instance restored from a snapshot:
// only these outputs (and the targets that read them) change, never the clone or the snapshot.
import * as pulumi from '@pulumi/pulumi';
import type { ActiveDatabase } from '../config/types';
import { RestoredInstance, SourceInstance } from './lookups';

export interface DatabaseEndpoint {
  readonly kind: ActiveDatabase;
  readonly identifier: pulumi.Output<string>;
  readonly address: pulumi.Output<string>;
  readonly port: pulumi.Output<number>;
  readonly endpoint: pulumi.Output<string>;
}

/** `clone` is undefined once cleanup has removed it; then only `source` can be active (config refuses the rest). */
export function selectActiveDatabase(
  kind: ActiveDatabase,
  clone:
    | {
        identifier: pulumi.Output<string>;
        address: pulumi.Output<string>;
        port: pulumi.Output<number>;
        endpoint: pulumi.Output<string>;
      }
    | undefined,
  source: SourceInstance,
  restored?: RestoredInstance,
): DatabaseEndpoint {
  if (kind === 'restored') {
    if (!restored)
      throw new Error('selectActiveDatabase: activeDatabase is restored, but no restored instance was looked up');
    return {
      kind,
      identifier: pulumi.output(restored.identifier),
      address: pulumi.output(restored.address),
      port: pulumi.output(restored.port),
      endpoint: pulumi.output(restored.endpoint),
    };
  }
  if (kind === 'clone') {
    if (!clone)
      throw new Error('selectActiveDatabase: activeDatabase is clone, but there is no clone (cleanup removed it)');
    return { kind, identifier: clone.identifier, address: clone.address, port: clone.port, endpoint: clone.endpoint };
  }
  return {
    kind,
    identifier: pulumi.output(source.identifier),
    address: pulumi.output(source.address),
    port: pulumi.output(source.port),
    endpoint: pulumi.output(source.endpoint),
  };
}
