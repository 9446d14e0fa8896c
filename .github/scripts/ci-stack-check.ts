// What a stack needs from CI before `pulumi preview`/`up` runs it on a throw-away GitHub runner (issue 12, item 10).
// Run by .github/actions/prepare-pulumi after `npm ci`:
//
//   node -r ts-node/register/transpile-only .github/scripts/ci-stack-check.ts <stack>
//
// It reads Pulumi.<stack>.yaml with the repository's YAML reader (policy/yaml.ts) and
//   - refuses a `targets.docker` target: that target writes /opt/tooljet and runs docker compose on the machine that
//     runs Pulumi (docs/targets.md, Docker), which in CI is a runner that is thrown away afterwards;
//   - for a `targets.eks` target, says where the kubeconfig goes and which context to name, for the next step's
//     `aws eks update-kubeconfig` (the deploy role's credentials; EKS_CLUSTER_NAME names the cluster): the stack's
//     `targets.eks.kubeconfig` when set (a path inside the repository), else $RUNNER_TEMP/kubeconfig exported as
//     KUBECONFIG; `targets.eks.context` when set becomes the alias, else the cluster ARN (update-kubeconfig's default).
// Output: `key=value` lines for $GITHUB_OUTPUT (eks, kubeconfig, context). Errors: one line on stderr, exit 1.
import * as fs from 'fs';
import * as path from 'path';
import { parseYaml } from '../../policy/yaml';

const PROJECT = 'tooljet-pg-upgrade';

export interface StackCiPlan {
  eks: boolean;
  /** Where update-kubeconfig writes (absolute), and whether the job must export it as KUBECONFIG. */
  kubeconfig?: string;
  exportKubeconfig?: boolean;
  /** The context name the stack selects, if any (update-kubeconfig --alias). */
  context?: string;
}

export class StackCiError extends Error {}

function record(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

export function planStackForCi(
  root: string,
  stack: string,
  env: Readonly<Record<string, string | undefined>>,
): StackCiPlan {
  const file = `Pulumi.${stack}.yaml`;
  const full = path.join(root, file);
  if (!/^[A-Za-z0-9_.-]+$/.test(stack) || !fs.existsSync(full)) {
    throw new StackCiError(`${file} does not exist: the workflow names a stack this repository has no file for`);
  }
  const doc = record(parseYaml(fs.readFileSync(full, 'utf8'), file));
  const targets = record(record(doc?.config)?.[`${PROJECT}:targets`]) ?? {};
  if ('docker' in targets) {
    throw new StackCiError(
      `${file}: targets.docker writes /opt/tooljet and runs docker compose on the machine that runs Pulumi, and a CI ` +
        `runner is thrown away afterwards: remove targets.docker from this stack and run the Docker host's stack there ` +
        `(pulumi up --stack <stack> --policy-pack policy on the Docker host)`,
    );
  }
  if (!('eks' in targets)) return { eks: false };
  const eks = record(targets.eks) ?? {};
  const cluster = env.EKS_CLUSTER_NAME ?? '';
  if (!/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/.test(cluster)) {
    throw new StackCiError(
      `${file}: targets.eks needs Kubernetes credentials in CI: set the variable EKS_CLUSTER_NAME (the EKS cluster ` +
        `name) in this job's environment, and give the job's AWS role an EKS access entry for the namespace`,
    );
  }
  const context = typeof eks.context === 'string' && eks.context !== '' ? eks.context : undefined;
  for (const [key, value] of [
    ['context', context],
    ['kubeconfig', eks.kubeconfig],
  ] as const) {
    if (typeof value === 'string' && /[\r\n]/.test(value)) {
      throw new StackCiError(`${file}: targets.eks.${key} holds a line break: give it on one line`);
    }
  }
  if (typeof eks.kubeconfig === 'string' && eks.kubeconfig !== '') {
    const rel = eks.kubeconfig;
    if (path.isAbsolute(rel) || rel.split(/[\\/]/).includes('..')) {
      throw new StackCiError(
        `${file}: targets.eks.kubeconfig ${rel} is outside the repository, where a CI job cannot write it: use a path ` +
          `under certs/ (git-ignored), e.g. certs/kubeconfig-${stack}, or leave it unset (KUBECONFIG)`,
      );
    }
    return { eks: true, kubeconfig: path.join(root, rel), exportKubeconfig: false, ...(context && { context }) };
  }
  const runnerTemp = env.RUNNER_TEMP ?? '';
  if (runnerTemp === '') throw new StackCiError('RUNNER_TEMP is not set: run this inside a GitHub Actions job');
  return {
    eks: true,
    kubeconfig: path.join(runnerTemp, 'kubeconfig'),
    exportKubeconfig: true,
    ...(context && { context }),
  };
}

export function formatPlan(plan: StackCiPlan): string {
  const lines = [`eks=${plan.eks}`];
  if (plan.kubeconfig) lines.push(`kubeconfig=${plan.kubeconfig}`);
  if (plan.exportKubeconfig !== undefined) lines.push(`export-kubeconfig=${plan.exportKubeconfig}`);
  if (plan.context) lines.push(`context=${plan.context}`);
  return lines.join('\n') + '\n';
}

if (require.main === module) {
  const stack = process.argv[2] ?? '';
  try {
    process.stdout.write(formatPlan(planStackForCi(process.cwd(), stack, process.env)));
  } catch (e) {
    process.stderr.write(`ci-stack-check: ${(e as Error).message}\n`);
    process.exit(1);
  }
}
