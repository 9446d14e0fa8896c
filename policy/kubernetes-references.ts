// Kubernetes workloads that take their TLS settings from a ConfigMap or Secret: `env[].valueFrom.configMapKeyRef` /
// `secretKeyRef` and `envFrom[].configMapRef` / `secretRef`. A resource policy sees one resource and so cannot tell
// what such a reference holds; this module resolves them against the ConfigMaps and Secrets (and their Patches) of
// the same stack, so the stack policy `kubernetes-env-references` judges the value the container will get under the
// name it gets it. What it cannot resolve is refused for the TLS variables (`TLS_KEYS`).
//
// Kubernetes rules modelled (Kubernetes API reference, Container v1 `env` / `envFrom`; "Define container environment
// variables using ConfigMap data" / "Distribute credentials securely using Secrets"):
//   - `env` takes precedence over `envFrom`: a key set in `env` is not taken from any `envFrom` source; among `envFrom`
//     sources a later one wins; `prefix` is prepended to every key of a source;
//   - a ConfigMap's `data` is text, `binaryData` base64; a Secret's `data` is base64 and `stringData` text (the API
//     server merges `stringData` into `data`, `stringData` winning);
//   - a reference without namespace is in the workload's namespace (Pulumi: the provider's default namespace when
//     neither sets one).
// A reference whose name is not known yet (an auto-named ConfigMap at preview) is matched against the ConfigMaps or
// Secrets the workload depends on. A Patch only shows the keys it sets: a key it does not set is not resolved.

import type { PolicyResource } from '@pulumi/policy';
import type { Setting } from './rendered-config';
import { TLS_KEYS } from './rendered-config';
import { isPlainRecord, read, Read, UnknownTracker } from './values';

const POD_SPEC_PATHS: Readonly<Record<string, readonly string[]>> = (() => {
  const template = ['spec', 'template', 'spec'];
  const out: Record<string, readonly string[]> = {};
  for (const t of ['apps/v1:Deployment', 'apps/v1:StatefulSet', 'apps/v1:DaemonSet', 'apps/v1:ReplicaSet']) {
    out[`kubernetes:${t}`] = template;
    out[`kubernetes:${t}Patch`] = template;
  }
  out['kubernetes:batch/v1:Job'] = template;
  out['kubernetes:batch/v1:JobPatch'] = template;
  out['kubernetes:batch/v1:CronJob'] = ['spec', 'jobTemplate', 'spec', 'template', 'spec'];
  out['kubernetes:batch/v1:CronJobPatch'] = out['kubernetes:batch/v1:CronJob'];
  out['kubernetes:core/v1:Pod'] = ['spec'];
  out['kubernetes:core/v1:PodPatch'] = ['spec'];
  return out;
})();

export const WORKLOAD_TYPES: readonly string[] = Object.keys(POD_SPEC_PATHS);

type SourceKind = 'ConfigMap' | 'Secret';

const SOURCE_TYPES: Readonly<Record<string, { kind: SourceKind; patch: boolean }>> = {
  'kubernetes:core/v1:ConfigMap': { kind: 'ConfigMap', patch: false },
  'kubernetes:core/v1:ConfigMapPatch': { kind: 'ConfigMap', patch: true },
  'kubernetes:core/v1:Secret': { kind: 'Secret', patch: false },
  'kubernetes:core/v1:SecretPatch': { kind: 'Secret', patch: true },
};

/** A value read from a source: known text, or unknown at preview. */
type Entry = { known: true; value: string } | { known: false; error: Error };

interface Source {
  resource: PolicyResource;
  kind: SourceKind;
  patch: boolean;
  /** undefined: not set (auto-named) or unknown. */
  name: string | undefined;
  namespace: string | undefined;
  entries: Map<string, Entry>;
  /** The whole data could not be read (unknown at preview). */
  unknown?: Error;
}

export interface ReferenceFinding {
  /** The workload it is about. */
  urn: string;
  workload: string;
  container: string;
  /** Resolved settings, under the name the container gets them (judged by the caller). */
  settings: Setting[];
  /** TLS variables whose value the pack cannot see, with why (one line each, never a value). */
  unseen: string[];
}

function str(r: Read): string | undefined {
  return r.known && typeof r.value === 'string' && r.value !== '' ? r.value : undefined;
}

function decodeBase64(v: string): string {
  return Buffer.from(v, 'base64').toString('utf8');
}

function readSource(resource: PolicyResource): Source | undefined {
  const t = SOURCE_TYPES[resource.type];
  if (!t) return undefined;
  const metadata = read(resource.props, 'metadata');
  const source: Source = {
    resource,
    kind: t.kind,
    patch: t.patch,
    name: str(read(metadata.known ? metadata.value : undefined, 'name')),
    namespace: str(read(metadata.known ? metadata.value : undefined, 'namespace')),
    entries: new Map(),
  };
  const fields: [string, boolean][] =
    t.kind === 'ConfigMap'
      ? [
          ['binaryData', true],
          ['data', false],
        ]
      : [
          ['data', true],
          ['stringData', false],
        ];
  for (const [field, base64] of fields) {
    const r = read(resource.props, field);
    if (!r.known) {
      source.unknown ??= r.error;
      continue;
    }
    if (!isPlainRecord(r.value)) continue;
    for (const key of Object.keys(r.value)) {
      const v = read(r.value, key, `${field}.${key}`);
      if (!v.known) source.entries.set(key, { known: false, error: v.error });
      else if (typeof v.value === 'string')
        source.entries.set(key, { known: true, value: base64 ? decodeBase64(v.value) : v.value });
    }
  }
  return source;
}

interface Ref {
  kind: SourceKind;
  /** undefined: not known yet (an output of a resource of this stack). */
  name: string | undefined;
  optional: boolean;
}

function refOf(kind: SourceKind, obj: unknown, path: string): Ref | undefined {
  if (!isPlainRecord(obj)) return undefined;
  const name = read(obj, 'name', `${path}.name`);
  const optional = read(obj, 'optional');
  return {
    kind,
    name: name.known ? (typeof name.value === 'string' ? name.value : undefined) : undefined,
    optional: optional.known && optional.value === true,
  };
}

class Resolver {
  constructor(private readonly sources: Source[]) {}

  /** The sources a reference from `workload` (in `namespace`) may point at. */
  candidates(ref: Ref, workload: PolicyResource, namespace: string | undefined): Source[] {
    const ofKind = this.sources.filter((s) => s.kind === ref.kind);
    if (ref.name === undefined) {
      const deps = new Set(workload.dependencies.map((d) => d.urn));
      return ofKind.filter((s) => deps.has(s.resource.urn));
    }
    return ofKind.filter(
      (s) => s.name === ref.name && (s.namespace === undefined || namespace === undefined || s.namespace === namespace),
    );
  }
}

function describe(ref: Ref, namespace: string | undefined): string {
  return `${ref.kind} ${namespace ? `${namespace}/` : ''}${ref.name ?? '(name not known yet)'}`;
}

/**
 * Resolves the env references of every container of every workload in the stack. Unknown values the resolution
 * needed are noted in `unknowns` (the caller rethrows after reporting what it could check).
 */
export function resolveKubernetesReferences(
  resources: readonly PolicyResource[],
  unknowns: UnknownTracker,
): ReferenceFinding[] {
  const sources = resources.map(readSource).filter((s): s is Source => s !== undefined);
  const resolver = new Resolver(sources);
  const findings: ReferenceFinding[] = [];
  for (const workload of resources) {
    const specPath = POD_SPEC_PATHS[workload.type];
    if (!specPath) continue;
    const metadata = read(workload.props, 'metadata');
    const namespace = str(read(metadata.known ? metadata.value : undefined, 'namespace'));
    let spec: unknown = workload.props;
    let at = '';
    for (const key of specPath) {
      at = at === '' ? key : `${at}.${key}`;
      const r = read(spec, key, at);
      if (!r.known) {
        unknowns.note(r.error, at);
        spec = undefined;
        break;
      }
      spec = r.value;
    }
    if (!isPlainRecord(spec)) continue;
    for (const list of ['initContainers', 'containers']) {
      const containers = read(spec, list, `${at}.${list}`);
      if (!containers.known) {
        unknowns.note(containers.error, `${at}.${list}`);
        continue;
      }
      if (!Array.isArray(containers.value)) continue;
      containers.value.forEach((c: unknown, i: number) => {
        if (!isPlainRecord(c)) return;
        const cname = typeof c.name === 'string' ? c.name : `#${i}`;
        const finding = resolveContainer(c, `${at}.${list}[name=${cname}]`, workload, namespace, resolver, unknowns);
        if (finding.settings.length > 0 || finding.unseen.length > 0) {
          findings.push({ urn: workload.urn, workload: workload.name, container: cname, ...finding });
        }
      });
    }
  }
  return findings;
}

function resolveContainer(
  c: Record<string, unknown>,
  path: string,
  workload: PolicyResource,
  namespace: string | undefined,
  resolver: Resolver,
  unknowns: UnknownTracker,
): { settings: Setting[]; unseen: string[] } {
  const settings: Setting[] = [];
  const unseen: string[] = [];
  const setInEnv = new Set<string>();

  const env = read(c, 'env', `${path}.env`);
  if (!env.known) unknowns.note(env.error, `${path}.env`);
  const envList = env.known && Array.isArray(env.value) ? env.value : [];
  for (const e of envList) {
    if (!isPlainRecord(e)) continue;
    const nameRead = read(e, 'name');
    if (!nameRead.known || typeof nameRead.value !== 'string') continue;
    const name = nameRead.value;
    const at = `${path}.env[name=${name}]`;
    setInEnv.add(name);
    const valueFrom = read(e, 'valueFrom', `${at}.valueFrom`);
    if (!valueFrom.known) {
      if (TLS_KEYS.includes(name)) unknowns.note(valueFrom.error, `${at}.valueFrom`);
      continue;
    }
    if (!isPlainRecord(valueFrom.value)) continue; // a plain value: the resource policies judge it
    const vf = valueFrom.value;
    const cm = read(vf, 'configMapKeyRef');
    const sk = read(vf, 'secretKeyRef');
    const refObj = cm.known && cm.value ? { kind: 'ConfigMap' as const, obj: cm.value } : undefined;
    const secObj = sk.known && sk.value ? { kind: 'Secret' as const, obj: sk.value } : undefined;
    const which = refObj ?? secObj;
    if (!which) {
      // fieldRef / resourceFieldRef (the downward API) or an unknown reference: not a value the pack can see.
      if (TLS_KEYS.includes(name))
        unseen.push(`${name} comes from ${Object.keys(vf).join(', ') || 'valueFrom'} (${at})`);
      continue;
    }
    const ref = refOf(which.kind, which.obj, `${at}.valueFrom`);
    const keyRead = read(which.obj, 'key');
    if (!ref || !keyRead.known || typeof keyRead.value !== 'string') {
      if (TLS_KEYS.includes(name)) {
        if (!keyRead.known) unknowns.note(keyRead.error, `${at}.valueFrom.key`);
        else unseen.push(`${name} comes from a ${which.kind} reference without a key (${at})`);
      }
      continue;
    }
    const key = keyRead.value;
    const candidates = resolver.candidates(ref, workload, namespace);
    const values: { value: string; from: Source }[] = [];
    let unresolved = candidates.length === 0;
    for (const s of candidates) {
      const entry = s.entries.get(key);
      if (entry === undefined) {
        if (s.unknown) unknowns.note(s.unknown, `${s.resource.name}.data`);
        // A whole ConfigMap/Secret without the key: the variable is unset (or the pod does not start). A Patch
        // shows only what it sets: the live object may hold the key.
        else if (s.patch) unresolved = true;
        continue;
      }
      if (!entry.known) {
        unknowns.note(entry.error, `${s.resource.name}.${key}`);
        continue;
      }
      values.push({ value: entry.value, from: s });
    }
    for (const v of values) {
      settings.push({
        path: `${at} <- ${describe(ref, v.from.namespace ?? namespace)} key "${key}"`,
        key: name,
        value: v.value,
      });
    }
    if (unresolved && values.length === 0 && TLS_KEYS.includes(name)) {
      unseen.push(
        `${name} comes from ${describe(ref, namespace)} key "${key}", ` +
          (candidates.length === 0 ? 'which is not in this stack' : 'which no resource of this stack sets') +
          ` (${at})`,
      );
    }
  }

  const envFrom = read(c, 'envFrom', `${path}.envFrom`);
  if (!envFrom.known) unknowns.note(envFrom.error, `${path}.envFrom`);
  const fromList = envFrom.known && Array.isArray(envFrom.value) ? envFrom.value : [];
  fromList.forEach((f: unknown, i: number) => {
    if (!isPlainRecord(f)) return;
    const at = `${path}.envFrom[${i}]`;
    const prefixRead = read(f, 'prefix');
    const prefix = prefixRead.known && typeof prefixRead.value === 'string' ? prefixRead.value : '';
    const cm = read(f, 'configMapRef');
    const sk = read(f, 'secretRef');
    const which =
      cm.known && cm.value
        ? { kind: 'ConfigMap' as const, obj: cm.value }
        : sk.known && sk.value
          ? { kind: 'Secret' as const, obj: sk.value }
          : undefined;
    if (!which) return;
    const ref = refOf(which.kind, which.obj, at);
    if (!ref) return;
    const candidates = resolver.candidates(ref, workload, namespace);
    // Keys this source could set that `env` does not already set (env wins over envFrom).
    const open = TLS_KEYS.filter((k) => !setInEnv.has(k) && (prefix === '' || k.startsWith(prefix)));
    let partial = candidates.length === 0;
    for (const s of candidates) {
      if (s.unknown) unknowns.note(s.unknown, `${s.resource.name}.data`);
      if (s.patch) partial = true;
      for (const [key, entry] of s.entries) {
        const name = prefix + key;
        if (setInEnv.has(name)) continue;
        if (!entry.known) {
          if (TLS_KEYS.includes(name)) unknowns.note(entry.error, `${s.resource.name}.${key}`);
          continue;
        }
        settings.push({
          path: `${at} <- ${describe(ref, s.namespace ?? namespace)} key "${key}"`,
          key: name,
          value: entry.value,
        });
      }
    }
    if (partial) {
      const missing = open.filter((k) => !candidates.some((s) => s.entries.has(k.slice(prefix.length))));
      if (missing.length > 0) {
        unseen.push(
          `${describe(ref, namespace)} (envFrom${prefix ? `, prefix ${prefix}` : ''}) may set ${missing.join(', ')}: ` +
            `${candidates.length === 0 ? 'it is not in this stack' : 'only a patch of it is in this stack'} (${at})`,
        );
      }
    }
  });
  return { settings, unseen };
}
