// EKS target, for ToolJet installed with its Helm chart: the `tooljet-server` Secret (server-side-apply patch of the
// chart's Secret, or a Secret this stack owns), the `rds-ssl-cert` ConfigMap with the bundle, and server-side-apply
// patches of the ToolJet and PostgREST Deployments (render.ts). Pulumi's Kubernetes provider waits for each
// patched Deployment to roll out, so pods that cannot start fail `pulumi up`.
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import type { EksTargetConfig } from './settings';
import {
  EksTargetInput,
  renderEksCaConfigMap,
  renderEksDeploymentPatches,
  renderEksPostgrestPatch,
  renderEksSecret,
} from './render';
import { checkRender, databaseTarget, KEEP_ON_DELETE, placeholderDatabase, TargetStackArgs } from '../shared/component';

export interface EksTargetArgs extends TargetStackArgs {
  settings: EksTargetConfig;
}

/** Annotation that lets a server-side-apply patch take over fields another manager (Helm) set. */
const PATCH_FORCE = { 'pulumi.com/patchForce': 'true' };

/**
 * Outputs the state must hold encrypted. pulumi-kubernetes checkpoints the whole live object a Patch applies to, and
 * marks only a Secret's data secret on its own; ToolJet's chart puts PG_PASS, TOOLJET_DB_PASS, PGRST_JWT_SECRET and a
 * PGRST_DB_URI with the password as plain env[].value in its Deployments (ToolJet/helm-charts
 * charts/tooljet/templates/deployment.yaml, deployment-pgrst.yml), so a DeploymentPatch's `spec` would carry them in
 * clear text. `metadata` too: a kubectl-applied object's last-applied-configuration annotation repeats the whole object.
 */
const DEPLOYMENT_SECRET_OUTPUTS = ['spec', 'metadata'];
const SECRET_SECRET_OUTPUTS = ['data', 'stringData', 'metadata'];

function base64Values(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')]));
}

export class EksTarget extends pulumi.ComponentResource {
  /** Set when targets.eks.kubeconfig or .context is configured; otherwise the ambient default provider is used. */
  readonly provider?: k8s.Provider;
  readonly secret: k8s.core.v1.Secret | k8s.core.v1.SecretPatch;
  readonly caConfigMap: k8s.core.v1.ConfigMap;
  readonly deploymentPatches: k8s.apps.v1.DeploymentPatch[] = [];
  readonly patchedDeployments: string[];

  constructor(name: string, args: EksTargetArgs, opts?: pulumi.ComponentResourceOptions) {
    super('tooljet-pg-upgrade:targets:EksTarget', name, {}, opts);
    const s = args.settings;
    const layout = {
      namespace: s.namespace,
      secretName: s.secretName,
      configMapName: s.configMapName,
      workloads: s.workloads.map((w) => ({ ...w })),
      postgrest: s.postgrest === false ? (false as const) : { ...s.postgrest },
    };
    const inputFor = (database: EksTargetInput['database'], secrets: EksTargetInput['secrets']): EksTargetInput => ({
      ...layout,
      database,
      secrets,
      caBundle: args.caBundle,
    });
    checkRender('eks', () => {
      const input = inputFor(placeholderDatabase(args.database), { pgPassword: 'placeholder' });
      renderEksSecret(input);
      renderEksCaConfigMap(input);
      renderEksDeploymentPatches(input);
      renderEksPostgrestPatch(input);
    });

    if (s.kubeconfig !== undefined || s.context !== undefined) {
      this.provider = new k8s.Provider(
        `${name}-cluster`,
        {
          // A path, not the file's contents: credentials stay out of the state.
          ...(s.kubeconfig !== undefined && { kubeconfig: s.kubeconfig }),
          ...(s.context !== undefined && { context: s.context }),
        },
        { parent: this },
      );
    }
    // Every object below is what the running ToolJet pods use. Deleting a Patch relinquishes its fields (the Patch's
    // field manager applies an empty object: pulumi-kubernetes RFC #2011, #2104), so the Deployments would lose PG_*,
    // the /certs volume and mount, and the Secret its keys; the ConfigMap would be deleted under the mounted volume.
    // pulumi-kubernetes keeps the fields only with retainOnDelete (#2149, #2253): kept on destroy / target removal.
    const resourceOpts = (extra: pulumi.CustomResourceOptions = {}): pulumi.CustomResourceOptions => ({
      parent: this,
      ...(this.provider && { provider: this.provider }),
      ...KEEP_ON_DELETE,
      ...extra,
    });

    const a = args.appSecrets;
    const database = databaseTarget(args.database);
    const secretData = pulumi
      .all([database, args.dbPassword, a.lockboxMasterKey, a.secretKeyBase, a.pgrstJwtSecret])
      .apply(
        ([db, pgPassword, lockboxMasterKey, secretKeyBase, pgrstJwtSecret]) =>
          renderEksSecret(
            inputFor(db, {
              pgPassword,
              ...(lockboxMasterKey !== undefined && { lockboxMasterKey }),
              ...(secretKeyBase !== undefined && { secretKeyBase }),
              ...(pgrstJwtSecret !== undefined && { pgrstJwtSecret }),
            }),
          ).stringData,
      );
    const metadata = { name: s.secretName, namespace: s.namespace };
    if (s.secretMode === 'create') {
      this.secret = new k8s.core.v1.Secret(
        `${name}-server-secret`,
        { metadata, type: 'Opaque', stringData: pulumi.secret(secretData) },
        resourceOpts({ additionalSecretOutputs: SECRET_SECRET_OUTPUTS }),
      );
    } else {
      // `data` rather than `stringData`: stringData is write-only and not tracked reliably by server-side apply.
      this.secret = new k8s.core.v1.SecretPatch(
        `${name}-server-secret`,
        { metadata: { ...metadata, annotations: PATCH_FORCE }, data: pulumi.secret(secretData.apply(base64Values)) },
        resourceOpts({ additionalSecretOutputs: SECRET_SECRET_OUTPUTS }),
      );
    }

    const cm = renderEksCaConfigMap(inputFor(placeholderDatabase(args.database), { pgPassword: 'placeholder' }));
    this.caConfigMap = new k8s.core.v1.ConfigMap(
      `${name}-rds-ca-bundle`,
      { metadata: cm.metadata, data: cm.data },
      resourceOpts(),
    );

    // Patches: plain values and secretKeyRefs only (renderEksDeploymentPatches/renderEksPostgrestPatch take no secret).
    const patches = database.apply((db) => {
      const input = inputFor(db, { pgPassword: 'unused' });
      return { workloads: renderEksDeploymentPatches(input), postgrest: renderEksPostgrestPatch(input) };
    });
    const after = { dependsOn: [this.caConfigMap, this.secret] };
    s.workloads.forEach((w, i) => {
      this.deploymentPatches.push(
        new k8s.apps.v1.DeploymentPatch(
          `${name}-patch-${w.deployment}`,
          {
            metadata: { name: w.deployment, namespace: s.namespace, annotations: PATCH_FORCE },
            spec: patches.apply(
              (p) => p.workloads[i].spec,
            ) as pulumi.Input<k8s.types.input.apps.v1.DeploymentSpecPatch>,
          },
          resourceOpts({ ...after, additionalSecretOutputs: DEPLOYMENT_SECRET_OUTPUTS }),
        ),
      );
    });
    if (s.postgrest !== false) {
      const pg = s.postgrest;
      this.deploymentPatches.push(
        new k8s.apps.v1.DeploymentPatch(
          `${name}-patch-${pg.deployment}`,
          {
            metadata: { name: pg.deployment, namespace: s.namespace, annotations: PATCH_FORCE },
            spec: patches.apply((p) => p.postgrest!.spec) as pulumi.Input<k8s.types.input.apps.v1.DeploymentSpecPatch>,
          },
          resourceOpts({ ...after, additionalSecretOutputs: DEPLOYMENT_SECRET_OUTPUTS }),
        ),
      );
    }
    this.patchedDeployments = [
      ...s.workloads.map((w) => w.deployment),
      ...(s.postgrest === false ? [] : [s.postgrest.deployment]),
    ];
    this.registerOutputs({
      namespace: s.namespace,
      secretName: s.secretName,
      configMapName: s.configMapName,
      patchedDeployments: this.patchedDeployments,
    });
  }
}

/** The EKS target's stack outputs (names only). */
export interface EksOutputs {
  eksNamespace: string;
  eksSecret: string;
  eksConfigMap: string;
  eksPatchedDeployments: string[];
}

/** The component of targets.eks (named `eks`) and its outputs. */
export function deployEks(
  args: EksTargetArgs,
  opts: pulumi.ComponentResourceOptions,
): { component: EksTarget; outputs: EksOutputs } {
  const s = args.settings;
  const t = new EksTarget('eks', args, opts);
  return {
    component: t,
    outputs: {
      eksNamespace: s.namespace,
      eksSecret: s.secretName,
      eksConfigMap: s.configMapName,
      eksPatchedDeployments: t.patchedDeployments,
    },
  };
}
