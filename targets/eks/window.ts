// EKS: stop = every ToolJet Deployment (the workloads and PostgREST) scaled to 0 (replicas recorded in an annotation),
// start = scaled back (window.sh). Pure.
import type { EksTargetConfig } from './settings';
import { baseEnvironment, ToolJetCommandBase } from '../../cutover/scripts';

export interface EksToolJetInput extends ToolJetCommandBase {
  namespace: string;
  deployments: readonly string[];
  kubeconfig?: string;
  context?: string;
}

/** The annotation on each Deployment that holds its replica count while ToolJet is stopped. */
export const EKS_REPLICAS_ANNOTATION = 'tooljet-pg-upgrade/replicas-before-stop';

/** The Deployments that talk to the database: the configured workloads and PostgREST. */
export function eksToolJetDeployments(s: Pick<EksTargetConfig, 'workloads' | 'postgrest'>): string[] {
  return [
    ...new Set([...s.workloads.map((w) => w.deployment), ...(s.postgrest === false ? [] : [s.postgrest.deployment])]),
  ];
}

export function eksToolJetEnvironment(i: EksToolJetInput): Record<string, string> {
  if (i.deployments.length === 0) throw new Error('tooljet eks: no Deployment to stop or start');
  const env: Record<string, string> = {
    ...baseEnvironment(i, 5),
    TJ_K8S_NAMESPACE: i.namespace,
    TJ_K8S_DEPLOYMENTS: i.deployments.join(' '),
  };
  if (i.kubeconfig !== undefined) env.TJ_KUBECONFIG = i.kubeconfig;
  if (i.context !== undefined) env.TJ_KUBE_CONTEXT = i.context;
  return env;
}
