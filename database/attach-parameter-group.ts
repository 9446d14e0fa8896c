// What the clone's finishing command runs (attach-parameter-group.sh) and with which environment. Pure: the
// component wires it into a local.Command, and tests run the same script against a stand-in `aws` CLI.
import * as fs from 'fs';
import * as path from 'path';
import { awsCliEnvironment } from '../lib/commands';

export const ATTACH_PARAMETER_GROUP_SCRIPT = path.join(__dirname, 'attach-parameter-group.sh');

/** The script text, passed to `/bin/sh -c` (an inline create command keeps the state independent of paths). */
export function attachParameterGroupScript(): string {
  return fs.readFileSync(ATTACH_PARAMETER_GROUP_SCRIPT, 'utf8');
}

export interface AttachParameterGroupInput {
  cloneIdentifier: string;
  parameterGroupName: string;
  engineVersion: string;
  /** The RDS CA the clone must end on (the restore leaves it on the region's default: docs/design.md). */
  caCertIdentifier: string;
  /** Total time the script may wait for RDS (the clone's update timeout). */
  timeoutSeconds: number;
  pollSeconds?: number;
  /** From the stack's aws:region / aws:profile, so the CLI talks to the same account and region as the provider. */
  region?: string;
  profile?: string;
}

/** Environment of the command. Identifiers go here, never on a command line; no credentials are added. */
export function attachParameterGroupEnvironment(input: AttachParameterGroupInput): Record<string, string> {
  return {
    TJ_CLONE_ID: input.cloneIdentifier,
    TJ_PARAMETER_GROUP: input.parameterGroupName,
    TJ_ENGINE_VERSION: input.engineVersion,
    TJ_CA_CERT_IDENTIFIER: input.caCertIdentifier,
    TJ_TIMEOUT_SECONDS: String(input.timeoutSeconds),
    TJ_POLL_SECONDS: String(input.pollSeconds ?? 30),
    ...awsCliEnvironment(input),
  };
}
