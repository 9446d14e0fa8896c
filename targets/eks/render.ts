// EKS target, for a ToolJet installed with ToolJet's Helm chart (ToolJet/helm-charts, chart `tooljet`):
// - Secret `tooljet-server` (the chart loads it into the tooljet container with `envFrom`),
// - ConfigMap `rds-ssl-cert` with key `global-bundle.pem`,
// - a server-side-apply patch of Deployment `tooljet` (container `tooljet`): the CA volume, its read-only mount at
//   /certs, and the database/TLS variables as explicit `env` entries,
// - a patch of Deployment `tooljet-postgrest` (container `postgrest`): the mount, and PGRST_DB_URI with
//   sslmode=verify-full&sslrootcert=..., its password from the Secret through PGPASSWORD.
//
// Why the patch sets env entries and not only the Secret: the chart's Deployment lists PG_HOST, PG_PORT, PG_USER,
// PG_DB and TOOLJET_DB* under `env`, and Kubernetes gives `env` precedence over `envFrom`, so values that live only in
// the Secret would be shadowed. The patch sets plain values (never secrets) for those keys; the passwords stay where the
// chart put them (a clone restored from a snapshot keeps the source's passwords) and are also in the Secret for
// installations that read everything through envFrom. Applied with Server-Side Apply, a later `helm upgrade` puts the
// chart's values back: re-run the stack after it (or set the same values in the chart's values file).
//
// DATABASE_URL, TOOLJET_DB_URL, CA_CERT and NODE_TLS_REJECT_UNAUTHORIZED (targets/shared/unsafe-env.ts): the chart copies
// every `env:` value into the Secret, so the Secret may hold them, and a Secret patch cannot delete a key. Both the
// Secret and the Deployment env set them to "": ToolJet tests them for truthiness and Node compares with "0", so an
// empty value is the same as unset (and an `env` entry wins over `envFrom`, whatever the Secret holds).
import { postgrestUri, tooljetDatabaseEnv } from '../shared/database-env';
import { AppSecretValues, checkAppSecrets, checkPassword } from '../shared/app-secrets';
import type { CaBundle } from '../../lib/tls/ca-bundle';
import { CA_FILE_NAME, CONTAINER_CA_DIR, CONTAINER_CA_PATH, DatabaseTarget, RenderError } from '../shared/render';
import { UNSAFE_ENV_NAMES } from '../shared/unsafe-env';

export interface EksSecretValues extends AppSecretValues {
  pgPassword: string;
  tooljetDbPassword?: string;
}

export interface EksWorkload {
  deployment: string;
  container: string;
}

export interface EksTargetInput {
  database: DatabaseTarget;
  /** Values for the Secret (a Kubernetes Secret is where the chart keeps them). */
  secrets: EksSecretValues;
  /** The checked RDS CA bundle: its `pem` goes into the ConfigMap, its `pemSha256` rolls the pods when it changes. */
  caBundle: CaBundle;
  namespace?: string;
  /** Default "tooljet-server" (the chart's apps.tooljet.secret.name). */
  secretName?: string;
  /** Default "rds-ssl-cert". */
  configMapName?: string;
  /** ToolJet workloads to patch; default [{deployment: "tooljet", container: "tooljet"}]. */
  workloads?: EksWorkload[];
  /** The chart's PostgREST Deployment; default {deployment: "tooljet-postgrest", container: "postgrest"}; false to skip. */
  postgrest?: EksWorkload | false;
}

export const EKS_DEFAULTS = {
  namespace: 'tooljet',
  secretName: 'tooljet-server',
  configMapName: 'rds-ssl-cert',
  workloads: [{ deployment: 'tooljet', container: 'tooljet' }] as EksWorkload[],
  postgrest: { deployment: 'tooljet-postgrest', container: 'postgrest' } as EksWorkload,
  volumeName: 'rds-ssl-cert',
} as const;

/** Pod-template annotation carrying the bundle's SHA-256: a new bundle rolls the pods (Node reads CAs only at start). */
export const CA_HASH_ANNOTATION = 'tj-pg-upgrade/rds-ca-sha256';

const DNS1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function k8sName(field: string, v: string, max = 63): string {
  if (typeof v !== 'string' || v.length > max || !DNS1123.test(v))
    throw new RenderError(`${field} ${JSON.stringify(v)} is not a valid Kubernetes name`);
  return v;
}

interface Resolved {
  namespace: string;
  secretName: string;
  configMapName: string;
  workloads: EksWorkload[];
  postgrest: EksWorkload | false;
}

function resolve(input: EksTargetInput): Resolved {
  const workloads = input.workloads ?? EKS_DEFAULTS.workloads;
  if (workloads.length === 0) throw new RenderError('workloads must name at least the tooljet Deployment');
  for (const w of workloads) {
    k8sName('workloads.deployment', w.deployment, 253);
    k8sName('workloads.container', w.container);
  }
  const postgrest = input.postgrest === undefined ? EKS_DEFAULTS.postgrest : input.postgrest;
  if (postgrest) {
    k8sName('postgrest.deployment', postgrest.deployment, 253);
    k8sName('postgrest.container', postgrest.container);
  }
  return {
    namespace: k8sName('namespace', input.namespace ?? EKS_DEFAULTS.namespace),
    secretName: k8sName('secretName', input.secretName ?? EKS_DEFAULTS.secretName, 253),
    configMapName: k8sName('configMapName', input.configMapName ?? EKS_DEFAULTS.configMapName, 253),
    workloads,
    postgrest,
  };
}

/** Secret `tooljet-server`: the database variables (passwords included), the TLS variables and the app secrets given. */
export function renderEksSecret(input: EksTargetInput) {
  const r = resolve(input);
  const s = input.secrets ?? ({} as EksSecretValues);
  const pgPass = checkPassword('secrets.pgPassword (PG_PASS)', s.pgPassword);
  const tjPass = checkPassword('secrets.tooljetDbPassword (TOOLJET_DB_PASS)', s.tooljetDbPassword ?? s.pgPassword);
  checkAppSecrets(s);
  const stringData: Record<string, string> = {
    ...tooljetDatabaseEnv(input.database, CONTAINER_CA_PATH),
    PG_PASS: pgPass,
    TOOLJET_DB_PASS: tjPass,
    ...unsafeBlanks(),
  };
  if (s.lockboxMasterKey !== undefined) stringData.LOCKBOX_MASTER_KEY = s.lockboxMasterKey;
  if (s.secretKeyBase !== undefined) stringData.SECRET_KEY_BASE = s.secretKeyBase;
  if (s.pgrstJwtSecret !== undefined) stringData.PGRST_JWT_SECRET = s.pgrstJwtSecret;
  return {
    apiVersion: 'v1' as const,
    kind: 'Secret' as const,
    metadata: { name: r.secretName, namespace: r.namespace },
    type: 'Opaque' as const,
    stringData,
  };
}

/** DATABASE_URL, TOOLJET_DB_URL, CA_CERT, NODE_TLS_REJECT_UNAUTHORIZED set to "" (unset for ToolJet and Node). */
function unsafeBlanks(): Record<string, string> {
  return Object.fromEntries(UNSAFE_ENV_NAMES.map((k) => [k, '']));
}

/** ConfigMap `rds-ssl-cert`, key `global-bundle.pem` = the bundle (a ConfigMap holds up to 1 MiB). */
export function renderEksCaConfigMap(input: Pick<EksTargetInput, 'caBundle' | 'namespace' | 'configMapName'>) {
  const namespace = k8sName('namespace', input.namespace ?? EKS_DEFAULTS.namespace);
  const name = k8sName('configMapName', input.configMapName ?? EKS_DEFAULTS.configMapName, 253);
  if (Buffer.byteLength(input.caBundle.pem) > 1024 * 1024 - 4096)
    throw new RenderError('caBundle is too large for a ConfigMap (1 MiB)');
  return {
    apiVersion: 'v1' as const,
    kind: 'ConfigMap' as const,
    metadata: { name, namespace },
    data: { [CA_FILE_NAME]: input.caBundle.pem },
  };
}

function caVolume(configMapName: string) {
  return {
    name: EKS_DEFAULTS.volumeName,
    configMap: { name: configMapName, items: [{ key: CA_FILE_NAME, path: CA_FILE_NAME }], defaultMode: 0o644 },
  };
}

const caMount = () => ({ name: EKS_DEFAULTS.volumeName, mountPath: CONTAINER_CA_DIR, readOnly: true });

function deploymentPatch(
  namespace: string,
  deployment: string,
  container: Record<string, unknown>,
  configMapName: string,
  caHash: string,
) {
  return {
    apiVersion: 'apps/v1' as const,
    kind: 'Deployment' as const,
    metadata: {
      name: deployment,
      namespace,
      // The chart's Helm release owns these env fields; Server-Side Apply needs force to take them over.
      annotations: { 'pulumi.com/patchForce': 'true' },
    },
    spec: {
      template: {
        metadata: { annotations: { [CA_HASH_ANNOTATION]: caHash } },
        spec: {
          containers: [container],
          volumes: [caVolume(configMapName)],
        },
      },
    },
  };
}

/**
 * Server-side-apply patches (one per workload) adding the CA volume and read-only mount and setting the database/TLS
 * variables as plain env values (and the unsafe ones to ""). No secret values: the passwords are not part of the patch.
 */
export function renderEksDeploymentPatches(input: EksTargetInput) {
  const r = resolve(input);
  const caHash = input.caBundle.pemSha256;
  const dbEnv = tooljetDatabaseEnv(input.database, CONTAINER_CA_PATH);
  return r.workloads.map((w) =>
    deploymentPatch(
      r.namespace,
      w.deployment,
      {
        name: w.container,
        env: Object.entries({ ...dbEnv, ...unsafeBlanks() }).map(([name, value]) => ({ name, value })),
        volumeMounts: [caMount()],
      },
      r.configMapName,
      caHash,
    ),
  );
}

/**
 * The PostgREST Deployment patch: PGRST_DB_URI (no password; verify-full against the mounted bundle) as a plain value,
 * PGPASSWORD from the Secret's TOOLJET_DB_PASS, and the read-only mount. Undefined when `postgrest` is false.
 * Assumes the chart runs with tooljetdb_external_postgresql.enabled (RDS), where PGRST_DB_URI is a plain value.
 */
export function renderEksPostgrestPatch(input: EksTargetInput) {
  const r = resolve(input);
  if (!r.postgrest) return undefined;
  return deploymentPatch(
    r.namespace,
    r.postgrest.deployment,
    {
      name: r.postgrest.container,
      env: [
        { name: 'PGRST_DB_URI', value: postgrestUri(input.database, { caPath: CONTAINER_CA_PATH }) },
        { name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: r.secretName, key: 'TOOLJET_DB_PASS' } } },
      ],
      volumeMounts: [caMount()],
    },
    r.configMapName,
    input.caBundle.pemSha256,
  );
}

/** Everything for the EKS target. */
export function renderEksTarget(input: EksTargetInput) {
  return {
    secret: renderEksSecret(input),
    caConfigMap: renderEksCaConfigMap(input),
    deploymentPatches: renderEksDeploymentPatches(input),
    postgrestPatch: renderEksPostgrestPatch(input),
  };
}
