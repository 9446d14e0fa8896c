// ECS: stop = desired count 0 (the count recorded in a tag on the service) with the service's Application Auto Scaling
// suspended (its previous state recorded in a second tag), start = the recorded count and scaling state back
// (window.sh). Pure.
import { awsCliEnvironment } from '../../lib/commands';
import { baseEnvironment, ToolJetCommandBase } from '../../cutover/scripts';

export interface EcsToolJetInput extends ToolJetCommandBase {
  cluster: string;
  service: string;
  cli: { region?: string; profile?: string };
}

/** The tag on the service that holds the desired count while ToolJet is stopped. */
export const ECS_DESIRED_COUNT_TAG = 'tooljet-pg-upgrade:desired-count';

/**
 * The tag on the service that holds its Application Auto Scaling target's suspended state from before the stop
 * (`in=<bool>/out=<bool>/scheduled=<bool>`); absent when the service has no scalable target.
 */
export const ECS_SCALING_SUSPENDED_TAG = 'tooljet-pg-upgrade:scaling-suspended';

export function ecsToolJetEnvironment(i: EcsToolJetInput): Record<string, string> {
  return {
    ...baseEnvironment(i, 15),
    TJ_ECS_CLUSTER: i.cluster,
    TJ_ECS_SERVICE: i.service,
    ...awsCliEnvironment(i.cli),
  };
}
