// The one way the program declares a local.Command that runs with a secret (a database password in its environment,
// application keys for the Docker writer): its environment is stored as a Pulumi secret, and so are its stdout and
// stderr. pulumi-command 1.2.1 (pulumi-go-provider infer/resource.go) marks an output secret only when an input of the
// same name is secret, so a command with a secret `environment` otherwise keeps what it printed (a report, an error
// quoting a connection) in plain text in the state; `additionalSecretOutputs` is the documented fix (pulumi-command
// #134, closed by design: "setting AdditionalSecretOutputs is sufficient"; #260, #401). Commands that carry no secret
// (the window's stop/start, the ECS deploy, the launch template version, the clone's finishing step) are declared
// directly: their output feeds plain stack outputs and triggers. tests/programs/command-secrets.test.ts walks every
// command the program registers and fails if one with a secret input lacks these outputs.
import * as command from '@pulumi/command';
import * as pulumi from '@pulumi/pulumi';

/** The outputs a command with a secret input must have marked secret. */
export const SECRET_COMMAND_OUTPUTS: readonly string[] = ['stdout', 'stderr'];

export interface SecretCommandArgs extends Omit<command.local.CommandArgs, 'environment'> {
  /** The command's environment; the whole map is stored as a Pulumi secret. */
  environment: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** A `command.local.Command` whose environment, stdout and stderr are Pulumi secrets. */
export function commandWithSecrets(
  name: string,
  args: SecretCommandArgs,
  opts: pulumi.CustomResourceOptions = {},
): command.local.Command {
  return new command.local.Command(
    name,
    { ...args, environment: pulumi.secret(args.environment) },
    {
      ...opts,
      additionalSecretOutputs: [...new Set([...(opts.additionalSecretOutputs ?? []), ...SECRET_COMMAND_OUTPUTS])],
    },
  );
}
