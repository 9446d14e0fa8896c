// AMI (EC2): stop = the units (nest, postgrest) stopped on every running instance of the launch template through SSM
// Run Command, with the Auto Scaling group's replacing processes suspended; start = this stack's rendered user-data
// run on those instances (re-point + restart), processes resumed (window.sh). Pure.
import { awsCliEnvironment } from '../../lib/commands';
import { baseEnvironment, ToolJetCommandBase } from '../../cutover/scripts';

export interface AmiToolJetInput extends ToolJetCommandBase {
  launchTemplateId: string;
  units: readonly string[];
  /** start: the rendered user-data (render.ts; no secret in it). */
  userData?: string;
  cli: { region?: string; profile?: string };
}

/** The Auto Scaling processes suspended while ToolJet is stopped (a new instance would start ToolJet). */
export const AMI_SUSPENDED_PROCESSES = ['Launch', 'HealthCheck', 'ReplaceUnhealthy', 'AZRebalance'] as const;

/** The tag on an Auto Scaling group that records which processes the stop suspended. */
export function amiSuspendedTag(launchTemplateId: string): string {
  return `tooljet-pg-upgrade:suspended:${launchTemplateId}`;
}

export function amiToolJetEnvironment(i: AmiToolJetInput): Record<string, string> {
  const env: Record<string, string> = {
    ...baseEnvironment(i, 5),
    TJ_LAUNCH_TEMPLATE_ID: i.launchTemplateId,
    TJ_UNITS: i.units.join(' '),
    ...awsCliEnvironment(i.cli),
  };
  if (i.action === 'start') {
    if (!i.userData) throw new Error('tooljet ami start: the rendered user-data is missing');
    env.TJ_USER_DATA_B64 = Buffer.from(i.userData, 'utf8').toString('base64');
  }
  return env;
}
