// Docker target: writes ToolJet's .env (merged in place, mode 600), docker-compose.override.yml (the bundle mounted
// read-only at /certs/global-bundle.pem) and the bundle into the compose folder, through a local.Command that runs
// targets/docker/write-cli.js on the machine that runs `pulumi up` (see write.ts for why).
import * as command from '@pulumi/command';
import * as path from 'path';
import * as pulumi from '@pulumi/pulumi';
import type { DockerTargetConfig } from './settings';
import { phaseLabel, PHASES, timedInterpreter } from '../../cutover/timing';
import { renderComposeOverride, renderDockerEnvEntries } from './render';
import { checkRender, databaseTarget, placeholderDatabase, TargetStackArgs } from '../shared/component';
import { DOCKER_WRITE_COMMAND, dockerWriteEnvironment } from './write';
import { commandWithSecrets } from '../../lib/commands/secret-command';

export interface DockerTargetArgs extends TargetStackArgs {
  settings: DockerTargetConfig;
}

export class DockerTarget extends pulumi.ComponentResource {
  readonly write: command.local.Command;
  /** Where the files land (on the machine that runs `pulumi up`). */
  readonly envFile: string;
  readonly overrideFile: string;
  readonly bundleFile: string;

  constructor(name: string, args: DockerTargetArgs, opts?: pulumi.ComponentResourceOptions) {
    super('tooljet-pg-upgrade:targets:DockerTarget', name, {}, opts);
    const s = args.settings;
    // Render once with stand-in values: a setting the renderer refuses fails the program now, not halfway through up.
    checkRender('docker', () => {
      renderComposeOverride({ services: [...s.services], bundleFile: s.bundleFile });
      renderDockerEnvEntries({
        database: placeholderDatabase(args.database),
        secrets: { pgPassword: 'placeholder' },
        ...(s.tooljetHost !== undefined && { tooljetHost: s.tooljetHost }),
        caBundle: args.caBundle,
      });
    });
    this.envFile = path.join(s.directory, '.env');
    this.overrideFile = path.join(s.directory, s.overrideFile);
    this.bundleFile = path.join(s.directory, s.bundleFile);

    const a = args.appSecrets;
    const environment = pulumi
      .all([databaseTarget(args.database), args.dbPassword, a.lockboxMasterKey, a.secretKeyBase, a.pgrstJwtSecret])
      .apply(([database, pgPassword, lockboxMasterKey, secretKeyBase, pgrstJwtSecret]) =>
        dockerWriteEnvironment({
          directory: s.directory,
          services: s.services,
          bundleFile: s.bundleFile,
          overrideFile: s.overrideFile,
          restart: s.restart,
          ...(s.tooljetHost !== undefined && { tooljetHost: s.tooljetHost }),
          database,
          secrets: {
            pgPassword,
            ...(lockboxMasterKey !== undefined && { lockboxMasterKey }),
            ...(secretKeyBase !== undefined && { secretKeyBase }),
            ...(pgrstJwtSecret !== undefined && { pgrstJwtSecret }),
          },
        }),
      );

    this.write = commandWithSecrets(
      `${name}-write-files`,
      {
        create: DOCKER_WRITE_COMMAND,
        // /bin/sh -c through the timing wrapper: prints the measured duration (cutover/timing.ts).
        interpreter: timedInterpreter(phaseLabel(PHASES.repoint, 'docker')),
        // Runs in the project directory (where the engine starts the command provider), checked by the command
        // itself; no `dir`, so the state holds no machine-specific path of this checkout (lib/commands/cli.ts).
        environment,
        stdin: args.caBundle.pem,
        // The script prints only the plan summary (secrets as "value hidden"); errors are redacted too.
        logging: 'stdoutAndStderr',
        addPreviousOutputInEnv: false,
      },
      { parent: this },
    );

    this.registerOutputs({ envFile: this.envFile, overrideFile: this.overrideFile, bundleFile: this.bundleFile });
  }
}

/** The Docker target's stack outputs (paths on the machine that runs `pulumi up`; no secret). */
export interface DockerOutputs {
  dockerEnvFile: string;
  dockerComposeOverrideFile: string;
  dockerCaBundleFile: string;
}

/** The component of targets.docker (named `docker`) and its outputs. */
export function deployDocker(
  args: DockerTargetArgs,
  opts: pulumi.ComponentResourceOptions,
): { component: DockerTarget; outputs: DockerOutputs } {
  const t = new DockerTarget('docker', args, opts);
  return {
    component: t,
    outputs: { dockerEnvFile: t.envFile, dockerComposeOverrideFile: t.overrideFile, dockerCaBundleFile: t.bundleFile },
  };
}
