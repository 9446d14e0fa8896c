// The command that adds a launch template version with this stack's user-data (launch-template-version.sh, passed to
// `/bin/sh -c` as text), its environment and reading its output (pure; tested by running the script against a
// stand-in AWS CLI).
import * as path from 'path';
import { awsCliEnvironment } from '../../lib/commands';

export const LAUNCH_TEMPLATE_VERSION_SCRIPT = path.join(__dirname, 'launch-template-version.sh');

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
