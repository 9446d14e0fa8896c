// The ECS (Fargate) target kind (an existing ToolJet service): its entry in the registry (targets/index.ts).
import * as path from 'path';
import type { TargetKindDefinition } from '../shared/kind';
import type { EcsOutputs, EcsTarget } from './component';
import { rehearseEcs } from './rehearse';
import { ECS_SUB_KEYS, EcsTargetConfig, parseEcsTarget } from './settings';
import { ecsToolJetEnvironment } from './window';

export const ecs: TargetKindDefinition<'ecs', EcsTargetConfig, EcsTarget, EcsOutputs> = {
  kind: 'ecs',
  subKeys: ECS_SUB_KEYS,
  parse: parseEcsTarget,
  windowProblems(s, why) {
    return s.updateService
      ? []
      : [
          [
            'updateService',
            `false is refused with maintenanceWindow${why}: the service must run the new revision before ToolJet starts again; remove the key (default true)`,
          ],
        ];
  },
  deploy(args, opts) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on deploy, so the registry loads no Pulumi
    return (require('./component') as typeof import('./component')).deployEcs(args, opts);
  },
  window: {
    script: path.join(__dirname, 'window.sh'),
    // The deployment's own budget (targets.ecs.deployTimeout): the start waits for the service to be stable.
    timeoutSeconds: (s) => s.deployTimeoutSeconds,
    environment: (s, base, { cli }) => ecsToolJetEnvironment({ ...base, cluster: s.cluster, service: s.service, cli }),
  },
  // Minutes. Stop: the tasks stop and the load balancer's deregistration delay (300 s by default) passes. Re-point: a
  // new revision (rolling: ECS replaces the tasks one by one). Start: ToolJet's health check grace period is 900 s.
  estimate: { stop: [1, 6], repointStopped: [1, 5], repointLive: [5, 15], start: [5, 15] },
  rehearse: rehearseEcs,
};
