// What every kind's rehearsal rendering (targets/<kind>/rehearse.ts) shares: the run's secrets, the file it returns,
// and the stand-ins for AWS names a local run cannot know (account, region, secret ARNs, the S3 object of the bundle).
// Every database and TLS setting is real; the placeholders are obvious and listed here. Pure.

export interface RehearsalSecrets {
  /** PG_PASS / TOOLJET_DB_PASS of the clone (generated for the run). */
  dbPassword: string;
  lockboxMasterKey: string;
  secretKeyBase: string;
  pgrstJwtSecret: string;
}

export interface RehearsalFile {
  /** Path relative to --out, with / separators, starting with `<kind>/`. */
  path: string;
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

/** An ARN in the placeholder account and region. */
export const placeholderArn = (service: string, rest: string): string =>
  `arn:aws:${service}:${PLACEHOLDERS.region}:${PLACEHOLDERS.account}:${rest}`;

/** A rendered document as the rehearsal writes it. */
export const json = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;
