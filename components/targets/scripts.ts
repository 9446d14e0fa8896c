// The shell scripts the target commands run, read from this folder and passed to `/bin/sh -c` as text (an inline
// command keeps the state independent of where the checkout lives), and their environments (pure; tested by running
// the scripts against stand-in AWS CLIs).
import * as fs from 'fs';
import * as path from 'path';
import { awsCliEnvironment } from '../../lib/commands';

export const ECS_DEPLOY_SCRIPT = path.join(__dirname, 'ecs-deploy.sh');
export const LAUNCH_TEMPLATE_VERSION_SCRIPT = path.join(__dirname, 'launch-template-version.sh');

export function scriptText(file: string): string {
  return fs.readFileSync(file, 'utf8');
}


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

export interface LaunchTemplateVersionInput {
  launchTemplateId: string;
  sourceVersion: string;
  setDefaultVersion: boolean;
  /** The rendered user-data, base64 (what EC2 expects in LaunchTemplateData.UserData). */
  userDataBase64: string;
  description: string;
  cli: { region?: string; profile?: string };
}

export function launchTemplateVersionEnvironment(input: LaunchTemplateVersionInput): Record<string, string> {
  return {
    TJ_LAUNCH_TEMPLATE_ID: input.launchTemplateId,
    TJ_SOURCE_VERSION: input.sourceVersion,
    TJ_SET_DEFAULT_VERSION: input.setDefaultVersion ? 'true' : 'false',
    TJ_USER_DATA_B64: input.userDataBase64,
    TJ_VERSION_DESCRIPTION: input.description.slice(0, 255),
    ...awsCliEnvironment(input.cli),
  };
}

/** `launchTemplateVersion=<n>` from the script's last line (what the stack exports). */
export function parseLaunchTemplateVersion(stdout: string): number | undefined {
  const m = /launchTemplateVersion=(\d+)/.exec(stdout);
  return m ? Number(m[1]) : undefined;
}
