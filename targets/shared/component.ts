// What every target component (targets/<kind>/component.ts) shares: the active database as Pulumi Outputs, the
// stack-wide inputs, secrets created from Pulumi secrets, tags, the text of a kind's script, and turning a renderer's
// RenderError into a one-line program error.
import * as aws from '@pulumi/aws';
import * as fs from 'fs';
import * as pulumi from '@pulumi/pulumi';
import { MANAGED_BY, TAG_KEYS } from '../../database/tags';
import { Environment, PROJECT } from '../../lib/stack';
import type { CaBundle } from '../../lib/tls/ca-bundle';
import type { AppSecretKey } from './app-secrets';
import { DatabaseTarget, KMS_KEY_ARN, RenderError } from './render';
import type { SecretSource } from './settings';

/** The database ToolJet points at (clone or source): host and port are Outputs of the active database. */
export interface DatabaseInputs {
  host: pulumi.Input<string>;
  port: pulumi.Input<number>;
  /** PG_USER / TOOLJET_DB_USER */
  user: string;
  /** PG_DB */
  database: string;
  /** TOOLJET_DB */
  tooljetDatabase: string;
}

/** Inputs every target gets from the stack. */
export interface TargetStackArgs {
  database: DatabaseInputs;
  caBundle: CaBundle;
  /** ToolJet's database password (secret Output). */
  dbPassword: pulumi.Output<string>;
  /** The app secrets that are configured (secret Outputs). */
  appSecrets: Readonly<Partial<Record<AppSecretKey, pulumi.Output<string>>>>;
  environment: Environment;
  stack: string;
  /** User tags (config `tags`). */
  userTags: Readonly<Record<string, string>>;
  /** From aws:region / aws:profile, for the AWS CLI in commands and for renderers that need the region. */
  cli: { region?: string; profile?: string };
}

/** The DatabaseTarget every renderer takes, once host and port are known. */
export function databaseTarget(d: DatabaseInputs): pulumi.Output<DatabaseTarget> {
  return pulumi.all([d.host, d.port]).apply(([host, port]) => ({
    host,
    port,
    user: d.user,
    database: d.database,
    tooljetDatabase: d.tooljetDatabase,
  }));
}

/** A stand-in database for rendering once at program start, so bad settings fail before anything is created. */
export function placeholderDatabase(d: DatabaseInputs): DatabaseTarget {
  return {
    host: 'placeholder.invalid',
    port: 5432,
    user: d.user,
    database: d.database,
    tooljetDatabase: d.tooljetDatabase,
  };
}

/** Runs a renderer at program start; a RenderError becomes a one-line pulumi.RunError naming the target. */
export function checkRender<T>(target: string, render: () => T): T {
  try {
    return render();
  } catch (err) {
    if (err instanceof RenderError) throw new pulumi.RunError(`${PROJECT}:targets.${target}: ${err.message}`);
    throw err;
  }
}

/**
 * Resource options for what a running ToolJet reads after `pulumi up`: the bundle object (each new ECS task and AMI
 * instance downloads it), the created secrets, the inline role policies that let it read them, the EKS ConfigMap and
 * patches. `pulumi destroy`, or removing the target from the stack, must not take them from under the ToolJet that
 * still runs with them (the ECS revision and the launch template version stay: skipDestroy / no delete command), so
 * Pulumi forgets them without deleting them. docs/targets.md "What pulumi destroy leaves" says how to remove them
 * once ToolJet no longer uses them.
 */
export const KEEP_ON_DELETE = { retainOnDelete: true } as const;

export const TARGET_PURPOSES = {
  secret: 'tooljet-target-secret',
  caBundle: 'tooljet-target-rds-ca-bundle',
  taskDefinition: 'tooljet-target-ecs-task-definition',
} as const;

/** Tags of the AWS resources a target creates (user tags first; the program's keys win). */
export function targetTags(
  args: Pick<TargetStackArgs, 'userTags' | 'environment'>,
  name: string,
  purpose: string,
): Record<string, string> {
  return {
    ...args.userTags,
    [TAG_KEYS.name]: name,
    [TAG_KEYS.purpose]: purpose,
    [TAG_KEYS.environment]: args.environment,
    [TAG_KEYS.managedBy]: MANAGED_BY,
  };
}

/** The value behind a `create` SecretSource. */
export function secretValue(
  args: Pick<TargetStackArgs, 'dbPassword' | 'appSecrets'>,
  from: 'dbPassword' | AppSecretKey,
): pulumi.Output<string> {
  if (from === 'dbPassword') return args.dbPassword;
  const value = args.appSecrets[from];
  // parseStackConfig only yields `create` for app secrets that are set; this guards the wiring.
  if (!value) throw new pulumi.RunError(`${PROJECT}:${from}: not set; pulumi config set --secret ${from} <value>`);
  return value;
}

export interface CreatedSecret {
  secret: aws.secretsmanager.Secret;
  version: aws.secretsmanager.SecretVersion;
}

/**
 * A Secrets Manager secret holding a Pulumi secret's value. The value travels only as a secret Output (encrypted in
 * the state); the secret's ARN is what task definitions, user-data and policies reference. Kept on delete (running
 * tasks and instances read it: KEEP_ON_DELETE); the recovery window applies should the provider ever delete it.
 */
export function createSecret(
  parent: pulumi.Resource,
  resourceName: string,
  opts: {
    name: string;
    description: string;
    value: pulumi.Output<string>;
    kmsKeyId?: string;
    production: boolean;
    tags: Record<string, string>;
  },
): CreatedSecret {
  const secret = new aws.secretsmanager.Secret(
    resourceName,
    {
      name: opts.name,
      description: opts.description,
      ...(opts.kmsKeyId !== undefined && { kmsKeyId: opts.kmsKeyId }),
      recoveryWindowInDays: opts.production ? 30 : 0,
      tags: opts.tags,
    },
    { parent, ...KEEP_ON_DELETE },
  );
  const version = new aws.secretsmanager.SecretVersion(
    `${resourceName}-value`,
    { secretId: secret.id, secretString: pulumi.secret(opts.value) },
    { parent, ...KEEP_ON_DELETE },
  );
  return { secret, version };
}

/** The ARN (and JSON key) of a secret: the referenced one, or the one created for a `create` source. */
export interface ResolvedSecretRef {
  arn: pulumi.Output<string>;
  jsonKey?: string;
}

export function referenceOf(source: SecretSource, created: CreatedSecret | undefined): ResolvedSecretRef {
  if (source.kind === 'reference') {
    return {
      arn: pulumi.output(source.ref.arn),
      ...(source.ref.jsonKey !== undefined && { jsonKey: source.ref.jsonKey }),
    };
  }
  if (!created) throw new Error('internal: a created secret is missing');
  return { arn: created.secret.arn };
}

/** `tooljet-pg-upgrade/<stack>/ecs/pg-password` style names. */
export function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

/** IAM role name from a role ARN (`arn:aws:iam::123:role/path/name` -> `name`). */
export function roleNameFromArn(arn: string): string {
  const afterRole = arn.slice(arn.indexOf(':role/') + ':role/'.length);
  return afterRole.slice(afterRole.lastIndexOf('/') + 1);
}

/** Name of the inline IAM policies a stack adds to roles (one per stack and purpose, so stacks do not clash). */
export function inlinePolicyName(stack: string, purpose: string): string {
  return `${PROJECT}-${stack}-${purpose}`.slice(0, 128);
}

/** `s3://bucket/key` for outputs and messages. */
export function s3Url(o: { bucket: string; key: string }): string {
  return `s3://${o.bucket}/${o.key}`;
}

/**
 * The KMS key of the secrets a target creates, for the role policy's kms:Decrypt: only when secrets are created and
 * the key is given as a key ARN (an alias or bare id cannot be a policy Resource; then AWS's key policy must allow it).
 */
export function createdSecretsKmsKeys(secretsKmsKeyId: string | undefined, createsAny: boolean): string[] {
  return createsAny && secretsKmsKeyId !== undefined && KMS_KEY_ARN.test(secretsKmsKeyId) ? [secretsKmsKeyId] : [];
}

/** An S3 object's version id as the renderers take it (unversioned buckets report none). */
export function versionIdOf(id: string | undefined): string | undefined {
  return id && id !== 'null' ? id : undefined;
}

/**
 * The text of a script of this package. Commands pass it to `/bin/sh -c` as text (an inline command keeps the state
 * independent of where the checkout lives).
 */
export function scriptText(file: string): string {
  return fs.readFileSync(file, 'utf8');
}
