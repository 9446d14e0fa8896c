// AMI (EC2) target: the user-data of render.ts (bundle downloaded and SHA-256 checked at boot, password read
// with the instance role, .env updated in place, nest and postgrest restarted) as a new version of the ToolJet
// instances' existing launch template, the bundle uploaded to S3, a Secrets Manager secret created from dbPassword
// unless an existing one is referenced, and (with instanceRoleName) an inline policy letting the instances read them.
//
// Why a command adds the version and not aws.ec2.LaunchTemplate: the template exists already (image, instance type,
// network, instance profile, tags...). Managing it here would mean importing it and restating all of that, or
// replacing it. `create-launch-template-version --source-version` copies every setting and replaces only the
// user-data. Instances pick the version up when they are launched: roll them (ASG instance refresh) afterwards.
import * as aws from '@pulumi/aws';
import * as command from '@pulumi/command';
import * as pulumi from '@pulumi/pulumi';
import type { AmiTargetConfig } from './settings';
import { phaseLabel, PHASES, timedInterpreter } from '../../cutover/timing';
import type { S3ObjectRef } from '../shared/render';
import { AmiTargetInput, PasswordSource, renderAmiUserData } from './render';
import { caBundleObject } from '../shared/ca-bundle-object';
import { kmsDecryptStatement, PolicyStatement, secretsViaServices, serviceEndpoint } from '../shared/iam';
import {
  checkRender,
  createdSecretsKmsKeys,
  createSecret,
  CreatedSecret,
  databaseTarget,
  inlinePolicyName,
  KEEP_ON_DELETE,
  placeholderDatabase,
  referenceOf,
  s3Url,
  scriptText,
  secretValue,
  TARGET_PURPOSES,
  targetTags,
  TargetStackArgs,
} from '../shared/component';
import {
  LAUNCH_TEMPLATE_VERSION_SCRIPT,
  launchTemplateVersionEnvironment,
  parseLaunchTemplateVersion,
} from './launch-template-version';

export interface AmiTargetArgs extends TargetStackArgs {
  settings: AmiTargetConfig;
  production: boolean;
}

function passwordSource(ref: { arn: string; jsonKey?: string }): PasswordSource {
  if (ref.arn.includes(':ssm:')) return { ssmParameter: { name: ref.arn } };
  return { secretsManager: { secretId: ref.arn, ...(ref.jsonKey !== undefined && { jsonKey: ref.jsonKey }) } };
}

/**
 * The instance role's policy: the bundle object and the password secrets/parameters, nothing else; kms:Decrypt only
 * through the services that decrypt for the instance (kms:ViaService): Secrets Manager / SSM for `kmsKeyArns`, S3 for
 * the bundle object's SSE-KMS key (`bundleKmsKeyArn`, in `region`).
 */
export function amiInstanceRolePolicy(opts: {
  object?: S3ObjectRef;
  secretArns: string[];
  kmsKeyArns: string[];
  partition: string;
  region: string;
  bundleKmsKeyArn?: string;
}) {
  const Statement: PolicyStatement[] = [];
  if (opts.object) {
    const o = opts.object;
    Statement.push({
      Sid: 'ReadRdsCaBundle',
      Effect: 'Allow',
      Action: o.versionId ? ['s3:GetObject', 's3:GetObjectVersion'] : ['s3:GetObject'],
      Resource: [`arn:${opts.partition}:s3:::${o.bucket}/${o.key}`],
    });
  }
  const sm = [...new Set(opts.secretArns.filter((a) => a.includes(':secretsmanager:')))].sort();
  const ssm = [...new Set(opts.secretArns.filter((a) => a.includes(':ssm:')))].sort();
  if (sm.length)
    Statement.push({
      Sid: 'ReadToolJetDatabasePassword',
      Effect: 'Allow',
      Action: ['secretsmanager:GetSecretValue'],
      Resource: sm,
    });
  if (ssm.length)
    Statement.push({
      Sid: 'ReadToolJetDatabasePasswordParameter',
      Effect: 'Allow',
      Action: ['ssm:GetParameter'],
      Resource: ssm,
    });
  const secrets = kmsDecryptStatement('DecryptToolJetSecrets', opts.kmsKeyArns, secretsViaServices([...sm, ...ssm]));
  if (secrets) Statement.push(secrets);
  if (opts.object && opts.bundleKmsKeyArn !== undefined)
    Statement.push(
      kmsDecryptStatement(
        'DecryptRdsCaBundle',
        [opts.bundleKmsKeyArn],
        [serviceEndpoint('s3', opts.region, opts.partition)],
      )!,
    );
  return { Version: '2012-10-17' as const, Statement };
}

export class AmiTarget extends pulumi.ComponentResource {
  readonly createdPassword?: CreatedSecret;
  readonly caBundle?: aws.s3.BucketObjectv2;
  readonly instanceRolePolicy?: aws.iam.RolePolicy;
  readonly launchTemplateVersion: command.local.Command;
  /** The user-data (no secrets in it). */
  readonly userData: pulumi.Output<string>;
  readonly version: pulumi.Output<number>;
  readonly caBundleSource: string;

  constructor(name: string, args: AmiTargetArgs, opts?: pulumi.ComponentResourceOptions) {
    super('tooljet-pg-upgrade:targets:AmiTarget', name, {}, opts);
    const s = args.settings;
    const region = args.cli.region;
    if (!region)
      throw new pulumi.RunError('aws:region: not set; the ami target needs it: pulumi config set aws:region <region>');
    const placeholderPassword: PasswordSource = {
      secretsManager: { secretId: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:placeholder-AbCdEf' },
    };
    const base = (
      database: AmiTargetInput['database'],
      pgPassword: PasswordSource,
      caBundleSource: AmiTargetInput['caBundleSource'],
    ): AmiTargetInput => ({
      database,
      region,
      // The instance hashes what it downloads: with a URL that is the file as published, not the normalised PEM.
      caBundle: args.caBundle,
      caBundleSource,
      pgPassword,
      ...(s.tooljetDbPassword !== undefined && { tooljetDbPassword: passwordSource(s.tooljetDbPassword) }),
      restartUnits: [...s.restartUnits],
      ...(s.envFile !== undefined && { envFile: s.envFile }),
      ...(s.caFile !== undefined && { caFile: s.caFile }),
    });
    const staticSource = 's3' in s.caBundle ? { s3: s.caBundle.s3 } : { url: s.caBundle.url };
    checkRender('ami', () =>
      renderAmiUserData(base(placeholderDatabase(args.database), placeholderPassword, staticSource)),
    );

    if (s.pgPassword.kind === 'create') {
      const fullName = `${s.secretNamePrefix}ami/pg-password`;
      this.createdPassword = createSecret(this, `${name}-pg-password`, {
        name: fullName,
        description: `ToolJet database password read at boot by the AMI instances of ${args.stack} (tooljet-pg-upgrade)`,
        value: secretValue(args, s.pgPassword.from),
        ...(s.secretsKmsKeyId !== undefined && { kmsKeyId: s.secretsKmsKeyId }),
        production: args.production,
        tags: targetTags(args, fullName, TARGET_PURPOSES.secret),
      });
    }
    const pgRef = referenceOf(s.pgPassword, this.createdPassword);

    let objectRef: pulumi.Output<S3ObjectRef | undefined> = pulumi.output(undefined);
    let bundleKmsKeyArn: pulumi.Output<string | undefined> = pulumi.output(undefined);
    if ('s3' in s.caBundle) {
      const bundle = caBundleObject(this, `${name}-rds-ca-bundle`, {
        object: s.caBundle.s3,
        pem: args.caBundle.pem,
        tags: targetTags(args, s3Url(s.caBundle.s3), TARGET_PURPOSES.caBundle),
      });
      this.caBundle = bundle.resource;
      objectRef = bundle.ref;
      bundleKmsKeyArn = bundle.kmsKeyArn;
      this.caBundleSource = s3Url(s.caBundle.s3);
    } else {
      this.caBundleSource = s.caBundle.url;
    }

    this.userData = pulumi
      .all([databaseTarget(args.database), pgRef.arn, objectRef])
      .apply(([database, arn, object]) =>
        renderAmiUserData(
          base(
            database,
            passwordSource({ arn, ...(pgRef.jsonKey !== undefined && { jsonKey: pgRef.jsonKey }) }),
            object ? { s3: object } : { url: (s.caBundle as { url: string }).url },
          ),
        ),
      );

    const dependsOn: pulumi.Resource[] = [];
    if (this.caBundle) dependsOn.push(this.caBundle);
    if (this.createdPassword) dependsOn.push(this.createdPassword.version);
    if (s.instanceRoleName !== undefined) {
      const kms = createdSecretsKmsKeys(s.secretsKmsKeyId, s.pgPassword.kind === 'create');
      this.instanceRolePolicy = new aws.iam.RolePolicy(
        `${name}-instance-role`,
        {
          role: s.instanceRoleName,
          name: inlinePolicyName(args.stack, 'ami-tooljet'),
          policy: pulumi.all([pgRef.arn, objectRef, bundleKmsKeyArn]).apply(([arn, object, keyArn]) =>
            JSON.stringify(
              amiInstanceRolePolicy({
                ...(object && { object }),
                secretArns: [arn, ...(s.tooljetDbPassword ? [s.tooljetDbPassword.arn] : [])],
                kmsKeyArns: kms,
                partition: arn.split(':')[1] || 'aws',
                region,
                ...(keyArn !== undefined && { bundleKmsKeyArn: keyArn }),
              }),
            ),
          ),
        },
        { parent: this, ...KEEP_ON_DELETE },
      );
      dependsOn.push(this.instanceRolePolicy);
    }

    const script = scriptText(LAUNCH_TEMPLATE_VERSION_SCRIPT);
    const caSha = args.caBundle.pemSha256.slice(0, 12);
    this.launchTemplateVersion = new command.local.Command(
      `${name}-launch-template-version`,
      {
        create: script,
        update: script,
        // /bin/sh -c through the timing wrapper: prints the measured duration (cutover/timing.ts).
        interpreter: timedInterpreter(phaseLabel(PHASES.repoint, 'ami')),
        environment: pulumi.all([this.userData, pulumi.output(args.database.host)]).apply(([userData, host]) =>
          launchTemplateVersionEnvironment({
            launchTemplateId: s.launchTemplateId,
            sourceVersion: s.sourceVersion,
            setDefaultVersion: s.setDefaultVersion,
            userDataBase64: Buffer.from(userData, 'utf8').toString('base64'),
            description: `tooljet-pg-upgrade ${args.stack}: ToolJet on ${host}, RDS CA ${caSha}`,
            cli: args.cli,
          }),
        ),
        // No secret passes through: the user-data references the password, it never holds it.
        logging: 'stdoutAndStderr',
        addPreviousOutputInEnv: false,
      },
      { parent: this, dependsOn },
    );
    this.version = this.launchTemplateVersion.stdout.apply((out) => {
      const v = parseLaunchTemplateVersion(out);
      if (v === undefined) throw new Error(`launch-template-version printed no version: ${out}`);
      return v;
    });
    this.registerOutputs({ version: this.version, caBundleSource: this.caBundleSource });
  }
}

/** The AMI target's stack outputs (no secret). */
export interface AmiOutputs {
  amiLaunchTemplateId: string;
  amiLaunchTemplateVersion: pulumi.Output<number>;
  amiCaBundleSource: string;
}

/** The component of targets.ami (named `ami`) and its outputs. */
export function deployAmi(
  args: AmiTargetArgs,
  opts: pulumi.ComponentResourceOptions,
): { component: AmiTarget; outputs: AmiOutputs } {
  const t = new AmiTarget('ami', args, opts);
  return {
    component: t,
    outputs: {
      amiLaunchTemplateId: args.settings.launchTemplateId,
      amiLaunchTemplateVersion: t.version,
      amiCaBundleSource: t.caBundleSource,
    },
  };
}
