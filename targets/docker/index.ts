// The Docker target kind (ToolJet's docker-compose-with-external-postgresql setup on the machine that runs
// `pulumi up`): its entry in the registry (targets/index.ts).
import * as path from 'path';
import type { TargetKindDefinition } from '../shared/kind';
import type { DockerOutputs, DockerTarget } from './component';
import { rehearseDocker } from './rehearse';
import { DOCKER_SUB_KEYS, DockerTargetConfig, parseDockerTarget } from './settings';
import { dockerToolJetEnvironment } from './window';

export const docker: TargetKindDefinition<'docker', DockerTargetConfig, DockerTarget, DockerOutputs> = {
  kind: 'docker',
  subKeys: DOCKER_SUB_KEYS,
  parse: parseDockerTarget,
  windowProblems(s, why) {
    return s.restart
      ? [
          [
            'restart',
            `true is refused with maintenanceWindow${why}: the start step runs docker compose up -d after the validation; remove the key (default false)`,
          ],
        ]
      : [];
  },
  deploy(args, opts) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on deploy, so the registry loads no Pulumi
    return (require('./component') as typeof import('./component')).deployDocker(args, opts);
  },
  window: {
    script: path.join(__dirname, 'window.sh'),
    timeoutSeconds: () => 900,
    environment: (s, base) => dockerToolJetEnvironment({ ...base, directory: s.directory, services: s.services }),
  },
  // Minutes. Stop: docker compose stop. Re-point: write the files (rolling: compose recreates the container).
  estimate: { stop: [1, 1], repointStopped: [1, 1], repointLive: [1, 5], start: [1, 5] },
  rehearse: rehearseDocker,
};
