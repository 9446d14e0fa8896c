// The command that deploys the new task definition revision to the ToolJet service (deploy.sh, passed to
// `/bin/sh -c` as text) and its environment (pure; tested by running the script against a stand-in AWS CLI).
import * as path from 'path';
import { awsCliEnvironment } from '../../lib/commands';
import { RenderError } from '../shared/render';

export const ECS_DEPLOY_SCRIPT = path.join(__dirname, 'deploy.sh');

/** An inline role policy this stack wrote, and the resources it grants (what deploy.sh waits to see). */
export interface RolePolicyCheck {
  role: string;
  name: string;
  /** The policy document (JSON) as written. */
  policy: string;
}

export interface EcsDeployInput {
  cluster: string;
  service: string;
  taskDefinitionArn: string;
  timeoutSeconds: number;
  pollSeconds?: number;
  /**
   * The execution-role and task-role policies the new tasks need: before deploying, deploy.sh waits until IAM returns
   * each with every resource it grants, then `iamSettleSeconds` more (default 10) for IAM to propagate them.
   */
  rolePolicies?: RolePolicyCheck[];
  iamSettleSeconds?: number;
  cli: { region?: string; profile?: string };
}

/** `<role> <policy> <resource>...` per line: every Resource of the document (names and ARNs hold no spaces). */
export function rolePolicyLines(policies: readonly RolePolicyCheck[]): string {
  return policies
    .map((p) => {
      const doc = JSON.parse(p.policy) as { Statement: Array<{ Resource: string | string[] }> };
      const resources = [...new Set(doc.Statement.flatMap((st) => [st.Resource].flat()))];
      for (const x of [p.role, p.name, ...resources])
        if (/\s/.test(x) || x === '') throw new RenderError(`role policy ${p.name}: ${JSON.stringify(x)} has a space`);
      return [p.role, p.name, ...resources].join(' ');
    })
    .join('\n');
}

export function ecsDeployEnvironment(input: EcsDeployInput): Record<string, string> {
  return {
    TJ_ECS_CLUSTER: input.cluster,
    TJ_ECS_SERVICE: input.service,
    TJ_TASK_DEFINITION: input.taskDefinitionArn,
    TJ_TIMEOUT_SECONDS: String(input.timeoutSeconds),
    TJ_POLL_SECONDS: String(input.pollSeconds ?? 15),
    TJ_ROLE_POLICIES: rolePolicyLines(input.rolePolicies ?? []),
    TJ_IAM_SETTLE_SECONDS: String(input.iamSettleSeconds ?? 10),
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
