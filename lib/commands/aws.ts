// The environment every local.Command that runs the AWS CLI gets: the stack's aws:region / aws:profile, so the CLI
// talks to the same account and region as the provider, and no pager (it would block a non-interactive run). Pure.

export interface AwsCliSettings {
  region?: string;
  profile?: string;
}

export function awsCliEnvironment(cli: AwsCliSettings): Record<string, string> {
  const env: Record<string, string> = { AWS_PAGER: '' };
  if (cli.region) {
    env.AWS_REGION = cli.region;
    env.AWS_DEFAULT_REGION = cli.region;
  }
  if (cli.profile) env.AWS_PROFILE = cli.profile;
  return env;
}
