// What the local rehearsal writes for the EKS target: the Secret, the CA ConfigMap and the Deployment patches for
// ToolJet's Helm chart, with the run's database, CA and secrets. Pure.
import type { RehearsalInput } from '../shared/kind';
import { json, RehearsalFile } from '../shared/rehearsal';
import { renderEksTarget } from './render';

export function rehearseEks({ database, caBundle, secrets }: RehearsalInput): RehearsalFile[] {
  const eks = renderEksTarget({
    database,
    secrets: {
      pgPassword: secrets.dbPassword,
      lockboxMasterKey: secrets.lockboxMasterKey,
      secretKeyBase: secrets.secretKeyBase,
      pgrstJwtSecret: secrets.pgrstJwtSecret,
    },
    caBundle,
  });
  const files: RehearsalFile[] = [
    {
      path: 'eks/secret-tooljet-server.json',
      text: json(eks.secret),
      mode: 0o600,
      secret: true,
      description: 'Secret tooljet-server (envFrom of the chart)',
    },
    {
      path: 'eks/configmap-rds-ssl-cert.json',
      text: json(eks.caConfigMap),
      mode: 0o644,
      secret: false,
      description: 'ConfigMap rds-ssl-cert with global-bundle.pem',
    },
    ...eks.deploymentPatches.map((p) => ({
      path: `eks/patch-deployment-${p.metadata.name}.json`,
      text: json(p),
      mode: 0o644,
      secret: false,
      description: `server-side-apply patch of Deployment ${p.metadata.name}: mount, PGSSLMODE, NODE_EXTRA_CA_CERTS, database env`,
    })),
  ];
  if (eks.postgrestPatch) {
    files.push({
      path: `eks/patch-deployment-${eks.postgrestPatch.metadata.name}.json`,
      text: json(eks.postgrestPatch),
      mode: 0o644,
      secret: false,
      description: `server-side-apply patch of Deployment ${eks.postgrestPatch.metadata.name}: PGRST_DB_URI verify-full, mount`,
    });
  }
  return files;
}
