// targets.eks: the ToolJet Helm release's namespace and object names, and which cluster to talk to. The parser, its
// typed result, defaults and sub-keys (docs/targets.md documents each key).
import * as fs from 'fs';
import type { Reader } from '../../config/reader';
import { APP_SECRET_KEYS } from '../shared/app-secrets';
import type { TargetContext } from '../shared/kind';
import { describe, DNS1123, isPlainObject, Obj, readLocalPath } from '../shared/settings';

export interface EksWorkloadConfig {
  readonly deployment: string;
  readonly container: string;
}

export interface EksTargetConfig {
  readonly namespace: string;
  readonly secretName: string;
  /** `patch`: server-side-apply the database/TLS keys into the Secret the chart created; `create`: own the whole Secret. */
  readonly secretMode: 'patch' | 'create';
  readonly configMapName: string;
  readonly workloads: readonly EksWorkloadConfig[];
  /** The chart's PostgREST Deployment, or false when PostgREST runs elsewhere. */
  readonly postgrest: EksWorkloadConfig | false;
  /** Absolute path of a kubeconfig file; unset: the ambient configuration (KUBECONFIG, ~/.kube/config). */
  readonly kubeconfig?: string;
  /** kubeconfig context; unset: its current context. */
  readonly context?: string;
}

/** Every sub-key of targets.eks. */
export const EKS_SUB_KEYS = {
  eks: ['namespace', 'secretName', 'secretMode', 'configMapName', 'workloads', 'postgrest', 'kubeconfig', 'context'],
} as const;

export const EKS_SETTINGS_DEFAULTS = {
  namespace: 'tooljet',
  secretName: 'tooljet-server',
  secretMode: 'patch' as const,
  configMapName: 'rds-ssl-cert',
  workloads: [{ deployment: 'tooljet', container: 'tooljet' }],
  postgrest: { deployment: 'tooljet-postgrest', container: 'postgrest' },
} as const;

const K8S_NAME_FIX =
  'use a Kubernetes name: lower-case letters, digits and -, starting and ending with a letter or digit';

function k8sName(r: Reader, key: string, value: unknown, max: number): string | undefined {
  const s = r.matching(key, value, DNS1123, K8S_NAME_FIX);
  if (s !== undefined && s.length > max) {
    r.problem(key, `"${s}" is longer than ${max} characters`);
    return undefined;
  }
  return s;
}

function readWorkload(r: Reader, key: string, value: unknown): EksWorkloadConfig | undefined {
  if (!isPlainObject(value)) {
    r.problem(key, `must be a mapping {deployment, container}, got ${describe(value)}`);
    return undefined;
  }
  r.unknownKeys(key, value, ['deployment', 'container']);
  if (value.deployment === undefined)
    r.problem(`${key}.deployment`, 'not set; name the Deployment (kubectl get deployments -n <namespace>)');
  if (value.container === undefined) r.problem(`${key}.container`, 'not set; name the container in that Deployment');
  const deployment = k8sName(r, `${key}.deployment`, value.deployment, 253);
  const container = k8sName(r, `${key}.container`, value.container, 63);
  return deployment && container ? { deployment, container } : undefined;
}

export function parseEksTarget(r: Reader, o: Obj, ctx: TargetContext): EksTargetConfig | undefined {
  const k = (sub: string) => `targets.eks.${sub}`;
  r.unknownKeys('targets.eks', o, EKS_SUB_KEYS.eks);
  const d = EKS_SETTINGS_DEFAULTS;
  let ok = true;

  const namespace = k8sName(r, k('namespace'), o.namespace, 63) ?? d.namespace;
  const secretName = k8sName(r, k('secretName'), o.secretName, 253) ?? d.secretName;
  const secretMode = r.oneOf(k('secretMode'), o.secretMode, ['patch', 'create'] as const) ?? d.secretMode;
  if (secretMode === 'create') {
    const missing = APP_SECRET_KEYS.filter((key) => !ctx.appSecrets.has(key));
    if (missing.length > 0) {
      r.problem(
        k('secretMode'),
        `"create" makes the component own the whole Secret, so it needs ${missing.join(', ')} as Pulumi secrets (the values your ToolJet uses now): pulumi config set --secret ${missing[0]} <current value>; or use "patch"`,
      );
      ok = false;
    }
  }
  const configMapName = k8sName(r, k('configMapName'), o.configMapName, 253) ?? d.configMapName;

  let workloads: EksWorkloadConfig[] = d.workloads.map((w) => ({ ...w }));
  if (o.workloads !== undefined) {
    if (!Array.isArray(o.workloads) || o.workloads.length === 0) {
      r.problem(
        k('workloads'),
        `must be a non-empty list of {deployment, container} (ToolJet's is {deployment: tooljet, container: tooljet}), got ${describe(o.workloads)}`,
      );
      ok = false;
    } else {
      const read = o.workloads.map((w, i) => readWorkload(r, `${k('workloads')}[${i}]`, w));
      if (read.every((w): w is EksWorkloadConfig => w !== undefined)) {
        workloads = read;
        const names = read.map((w) => w.deployment);
        if (new Set(names).size !== names.length) {
          r.problem(k('workloads'), 'names the same Deployment twice; list each once');
          ok = false;
        }
      } else ok = false;
    }
  }

  let postgrest: EksWorkloadConfig | false = { ...d.postgrest };
  if (o.postgrest === false || o.postgrest === 'false') postgrest = false;
  else if (o.postgrest !== undefined) {
    const p = readWorkload(r, k('postgrest'), o.postgrest);
    if (p) postgrest = p;
    else ok = false;
  }
  if (postgrest && workloads.some((w) => w.deployment === (postgrest as EksWorkloadConfig).deployment)) {
    r.problem(
      k('postgrest'),
      `Deployment "${postgrest.deployment}" is also listed in workloads; PostgREST gets its own patch, list it only here`,
    );
    ok = false;
  }

  let kubeconfig: string | undefined;
  if (o.kubeconfig !== undefined) {
    kubeconfig = readLocalPath(r, k('kubeconfig'), o.kubeconfig, ctx.baseDir, 'give the path of a kubeconfig file');
    if (kubeconfig !== undefined && !fs.existsSync(kubeconfig)) {
      r.problem(
        k('kubeconfig'),
        `${String(o.kubeconfig)} does not exist; write it with: aws eks update-kubeconfig --name <cluster> --kubeconfig ${String(o.kubeconfig)}`,
      );
      kubeconfig = undefined;
      ok = false;
    }
  }
  const context = r.matching(
    k('context'),
    o.context,
    /^[^\s'"]{1,253}$/,
    'use a context name from the kubeconfig (kubectl config get-contexts)',
  );

  if (!ok) return undefined;
  return {
    namespace,
    secretName,
    secretMode,
    configMapName,
    workloads,
    postgrest,
    ...(kubeconfig !== undefined && { kubeconfig }),
    ...(context !== undefined && { context }),
  };
}
