// The ToolJet configuration of all four targets (Docker, ECS, EKS, AMI) for one database (the local clone, or the
// source for the rollback drill), rendered with lib/render exactly as the Pulumi targets render it, as a list of files.
// AWS-side names the rehearsal cannot know (account, region, secret ARNs, the S3 object of the bundle, IAM roles) are
// obvious placeholders, listed in PLACEHOLDERS; every database and TLS setting is real. Pure: no I/O except write.
import * as fs from 'fs';
import * as path from 'path';
import {
  DatabaseTarget,
  DOCKER_SECRET_KEYS,
  planDockerTarget,
  renderAmiUserData,
  renderEcsExecutionRolePolicy,
  renderEcsTaskDefinition,
  renderEcsTaskRolePolicy,
  renderEksTarget,
  writeFileAtomic,
} from '../render';
import { caBundleFromPem } from '../tls/ca-bundle';

export type TargetKind = 'docker' | 'ecs' | 'eks' | 'ami';
export const TARGETS: TargetKind[] = ['docker', 'ecs', 'eks', 'ami'];

export interface RunSecrets {
  /** PG_PASS / TOOLJET_DB_PASS of the clone (generated for the run). */
  dbPassword: string;
  lockboxMasterKey: string;
  secretKeyBase: string;
  pgrstJwtSecret: string;
}

export interface RenderedFile {
  /** Path relative to --out, with / separators. */
  path: string;
  target: TargetKind;
  text: string;
  mode: number;
  /** Holds secret values (the Docker .env, the Kubernetes Secret): mode 0600, never echoed. */
  secret: boolean;
  /** What the file is, for the results document. */
  description: string;
}

/** Stand-ins for AWS names a local run cannot know. Replace them before applying the ECS/AMI output. */
export const PLACEHOLDERS = {
  region: 'us-east-1',
  account: '123456789012',
  caBundleObject: { bucket: 'tooljet-rds-ca-bundle', key: 'global-bundle.pem' },
  tooljetHost: 'https://tooljet.example.com',
  /** The ECS example is from scratch; the Pulumi program keeps the service's own image instead. */
  tooljetImage: 'tooljet/tooljet:REPLACE-WITH-YOUR-PINNED-TAG',
} as const;

const arn = (service: string, rest: string): string => `arn:aws:${service}:${PLACEHOLDERS.region}:${PLACEHOLDERS.account}:${rest}`;
const json = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;

/** Renders every target for `database`; the bundle is `caBundlePem` (the run's CA standing in for global-bundle.pem). */
export function renderTargetConfigs(database: DatabaseTarget, caBundlePem: string, secrets: RunSecrets): RenderedFile[] {
  const caBundle = caBundleFromPem(caBundlePem);
  const files: RenderedFile[] = [];
  const docker = planDockerTarget('docker', {
    database,
    secrets: {
      pgPassword: secrets.dbPassword,
      lockboxMasterKey: secrets.lockboxMasterKey,
      secretKeyBase: secrets.secretKeyBase,
      pgrstJwtSecret: secrets.pgrstJwtSecret,
    },
    tooljetHost: PLACEHOLDERS.tooljetHost,
    caBundle,
  }, undefined);
  files.push(
    { path: 'docker/.env', target: 'docker', text: docker.files.env.text, mode: docker.files.env.mode, secret: true, description: "ToolJet's .env for docker-compose-with-external-postgresql" },
    { path: 'docker/docker-compose.override.yml', target: 'docker', text: docker.files.override.text, mode: docker.files.override.mode, secret: false, description: 'mounts the bundle read-only at /certs/global-bundle.pem' },
    { path: 'docker/certs/global-bundle.pem', target: 'docker', text: docker.files.bundle.text, mode: docker.files.bundle.mode, secret: false, description: 'the CA bundle (here: the run CA)' },
  );

  const sm = (name: string) => ({ arn: arn('secretsmanager', `secret:tooljet/${name}-AbCdEf`) });
  const ecsInput = {
    database,
    secrets: { pgPassword: sm('pg-password'), lockboxMasterKey: sm('lockbox-master-key'), secretKeyBase: sm('secret-key-base'), pgrstJwtSecret: sm('pgrst-jwt-secret') },
    caBundle,
    caBundleObject: PLACEHOLDERS.caBundleObject,
    region: PLACEHOLDERS.region,
    tooljetHost: PLACEHOLDERS.tooljetHost,
    tooljetImage: PLACEHOLDERS.tooljetImage,
  };
  const td = renderEcsTaskDefinition(ecsInput, {
    executionRoleArn: `arn:aws:iam::${PLACEHOLDERS.account}:role/tooljet-task-execution`,
    taskRoleArn: `arn:aws:iam::${PLACEHOLDERS.account}:role/tooljet-task`,
  });
  files.push(
    { path: 'ecs/task-definition.json', target: 'ecs', text: json(td), mode: 0o644, secret: false, description: 'RegisterTaskDefinition input: init container, tooljet, postgrest' },
    { path: 'ecs/execution-role-policy.json', target: 'ecs', text: json(renderEcsExecutionRolePolicy(td.containerDefinitions)), mode: 0o644, secret: false, description: 'execution role: read exactly the referenced secrets' },
    { path: 'ecs/task-role-policy.json', target: 'ecs', text: json(renderEcsTaskRolePolicy(PLACEHOLDERS.caBundleObject)), mode: 0o644, secret: false, description: 'task role: read the bundle object' },
  );

  const eks = renderEksTarget({
    database,
    secrets: { pgPassword: secrets.dbPassword, lockboxMasterKey: secrets.lockboxMasterKey, secretKeyBase: secrets.secretKeyBase, pgrstJwtSecret: secrets.pgrstJwtSecret },
    caBundle,
  });
  files.push(
    { path: 'eks/secret-tooljet-server.json', target: 'eks', text: json(eks.secret), mode: 0o600, secret: true, description: 'Secret tooljet-server (envFrom of the chart)' },
    { path: 'eks/configmap-rds-ssl-cert.json', target: 'eks', text: json(eks.caConfigMap), mode: 0o644, secret: false, description: 'ConfigMap rds-ssl-cert with global-bundle.pem' },
    ...eks.deploymentPatches.map((p) => ({
      path: `eks/patch-deployment-${p.metadata.name}.json`, target: 'eks' as const, text: json(p), mode: 0o644, secret: false,
      description: `server-side-apply patch of Deployment ${p.metadata.name}: mount, PGSSLMODE, NODE_EXTRA_CA_CERTS, database env`,
    })),
  );
  if (eks.postgrestPatch) {
    files.push({
      path: `eks/patch-deployment-${eks.postgrestPatch.metadata.name}.json`, target: 'eks', text: json(eks.postgrestPatch), mode: 0o644, secret: false,
      description: `server-side-apply patch of Deployment ${eks.postgrestPatch.metadata.name}: PGRST_DB_URI verify-full, mount`,
    });
  }

  files.push({
    path: 'ami/user-data.sh',
    target: 'ami',
    text: renderAmiUserData({
      database,
      region: PLACEHOLDERS.region,
      caBundle,
      caBundleSource: { s3: PLACEHOLDERS.caBundleObject },
      pgPassword: { secretsManager: { secretId: 'tooljet/pg-password' } },
    }),
    mode: 0o644,
    secret: false,
    description: 'EC2 user-data: installs the bundle, rewrites the database keys of /home/ubuntu/app/.env, restarts nest and postgrest',
  });
  return files;
}

/** Writes the files under `outDir` (atomically, with their modes). */
export function writeConfigs(outDir: string, files: RenderedFile[]): void {
  for (const f of files) {
    const abs = path.join(outDir, ...f.path.split('/'));
    fs.mkdirSync(path.dirname(abs), { recursive: true, mode: 0o755 });
    writeFileAtomic(abs, f.text, f.mode);
  }
}

/** Keys whose values are secrets, in any target (for hiding values in diffs). */
export const SECRET_KEYS = new Set<string>([...DOCKER_SECRET_KEYS, 'PG_PASS', 'TOOLJET_DB_PASS']);
/** Keys (env names, user-data settings) that name the database endpoint; a rollback may change exactly these. */
export const ENDPOINT_KEYS = new Set<string>([
  'PG_HOST', 'PG_PORT', 'PG_USER', 'TOOLJET_DB_HOST', 'TOOLJET_DB_PORT', 'TOOLJET_DB_USER', 'PGRST_DB_URI',
  'TJ_PG_HOST', 'TJ_PG_PORT', 'TJ_PG_USER', 'TJ_TOOLJET_DB_HOST', 'TJ_TOOLJET_DB_PORT', 'TJ_TOOLJET_DB_USER',
]);
