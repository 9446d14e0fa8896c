// The EKS target kind (ToolJet installed with its Helm chart): its entry in the registry (targets/index.ts).
import * as path from 'path';
import type { TargetKindDefinition } from '../shared/kind';
import type { EksOutputs, EksTarget } from './component';
import { rehearseEks } from './rehearse';
import { EKS_SUB_KEYS, EksTargetConfig, parseEksTarget } from './settings';
import { eksToolJetDeployments, eksToolJetEnvironment } from './window';

export const eks: TargetKindDefinition<'eks', EksTargetConfig, EksTarget, EksOutputs> = {
  kind: 'eks',
  subKeys: EKS_SUB_KEYS,
  parse: parseEksTarget,
  deploy(args, opts) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on deploy, so the registry loads no Pulumi
    return (require('./component') as typeof import('./component')).deployEks(args, opts);
  },
  window: {
    script: path.join(__dirname, 'window.sh'),
    timeoutSeconds: () => 900,
    environment: (s, base) =>
      eksToolJetEnvironment({
        ...base,
        namespace: s.namespace,
        deployments: eksToolJetDeployments(s),
        ...(s.kubeconfig !== undefined && { kubeconfig: s.kubeconfig }),
        ...(s.context !== undefined && { context: s.context }),
      }),
  },
  // Minutes. Stop: the pods' termination grace period. Re-point: patched Deployments roll out (rolling: pod by pod).
  estimate: { stop: [1, 2], repointStopped: [1, 3], repointLive: [2, 10], start: [2, 10] },
  rehearse: rehearseEks,
};
