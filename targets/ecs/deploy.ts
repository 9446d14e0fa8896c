// The command that deploys the new task definition revision to the ToolJet service (deploy.sh, passed to
// `/bin/sh -c` as text) and its environment (pure; tested by running the script against a stand-in AWS CLI).
import * as path from 'path';
import { awsCliEnvironment } from '../../lib/commands';
import { RenderError } from '../shared/render';

export const ECS_DEPLOY_SCRIPT = path.join(__dirname, 'deploy.sh');

export interface EcsDeployInput {
  cluster: string;
  service: string;
  taskDefinitionArn: string;
  timeoutSeconds: number;
  pollSeconds?: number;
  cli: { region?: string; profile?: string };
}

export function ecsDeployEnvironment(input: EcsDeployInput): Record<string, string> {
  return {
    TJ_ECS_CLUSTER: input.cluster,
    TJ_ECS_SERVICE: input.service,
    TJ_TASK_DEFINITION: input.taskDefinitionArn,
    TJ_TIMEOUT_SECONDS: String(input.timeoutSeconds),
    TJ_POLL_SECONDS: String(input.pollSeconds ?? 15),
    ...awsCliEnvironment(input.cli),
  };
}

/**
 * At preview, from the service lookup (aws.ecs.getService `deploymentControllers`; empty means ECS's default): refuses a
 * service whose task definition update-service cannot change, when this stack is to deploy it. CODE_DEPLOY: "only the
 * desired count, deployment configuration, health check grace period, task placement constraints and strategies, enable
 * ECS managed tags option, and propagate tags can be updated using this API"; EXTERNAL deploys task sets (CreateTaskSet)
 * (ECS API reference, UpdateService). deploy.sh checks the same again when it runs.
 */
export function checkDeploymentController(
  controllers: ReadonlyArray<{ type?: string }> | undefined,
  updateService: boolean,
  where: string,
): void {
  const type = controllers?.[0]?.type || 'ECS';
  if (type === 'ECS' || !updateService) return;
  const how =
    type === 'CODE_DEPLOY'
      ? 'whose task definition only CodeDeploy deploys (update-service cannot change it)'
      : type === 'EXTERNAL'
        ? 'which deploys task sets (aws ecs create-task-set), not update-service'
        : 'which this deploy does not know';
  throw new RenderError(
    `${where} uses the ${type} deployment controller, ${how}: set targets.ecs.updateService false and deploy the stack output ecsTaskDefinitionArn with your deployment tool`,
  );
}
