// Docker: stop = `docker compose stop <services>`, start = `docker compose up -d` and wait for ToolJet's startup line
// (window.sh), in targets.docker.directory. Pure.
import { baseEnvironment, ToolJetCommandBase } from '../../cutover/scripts';

export interface DockerToolJetInput extends ToolJetCommandBase {
  directory: string;
  services: readonly string[];
}

export function dockerToolJetEnvironment(i: DockerToolJetInput): Record<string, string> {
  if (i.services.length === 0) throw new Error('tooljet docker: no compose service to stop or start');
  return { ...baseEnvironment(i, 5), TJ_DOCKER_DIR: i.directory, TJ_DOCKER_SERVICES: i.services.join(',') };
}
