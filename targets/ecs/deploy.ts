// The command that deploys the new task definition revision to the ToolJet service (deploy.sh, passed to
// `/bin/sh -c` as text) and its environment (pure; tested by running the script against a stand-in AWS CLI).
import * as path from 'path';
import { awsCliEnvironment } from '../../lib/commands';

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
