// What the local rehearsal writes for the Docker target: the files the component would write into the compose folder
// (render.ts's plan for a new installation), with the run's database, CA and secrets. Pure.
import type { RehearsalInput } from '../shared/kind';
import { PLACEHOLDERS, RehearsalFile } from '../shared/rehearsal';
import { planDockerTarget } from './render';

export function rehearseDocker({ database, caBundle, secrets }: RehearsalInput): RehearsalFile[] {
  const docker = planDockerTarget(
    'docker',
    {
      database,
      secrets: {
        pgPassword: secrets.dbPassword,
        lockboxMasterKey: secrets.lockboxMasterKey,
        secretKeyBase: secrets.secretKeyBase,
        pgrstJwtSecret: secrets.pgrstJwtSecret,
      },
      tooljetHost: PLACEHOLDERS.tooljetHost,
      caBundle,
    },
    undefined,
  );
  return [
    {
      path: 'docker/.env',
      text: docker.files.env.text,
      mode: docker.files.env.mode,
      secret: true,
      description: "ToolJet's .env for docker-compose-with-external-postgresql",
    },
    {
      path: 'docker/docker-compose.override.yml',
      text: docker.files.override.text,
      mode: docker.files.override.mode,
      secret: false,
      description: 'mounts the bundle read-only at /certs/global-bundle.pem',
    },
    {
      path: 'docker/certs/global-bundle.pem',
      text: docker.files.bundle.text,
      mode: docker.files.bundle.mode,
      secret: false,
      description: 'the CA bundle (here: the run CA)',
    },
  ];
}
