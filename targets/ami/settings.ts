// targets.ami: the launch template of the ToolJet AMI instances, where they download the CA bundle from and where
// they read the database password at boot. The parser, its typed result, defaults and sub-keys (docs/targets.md
// documents each key).
import type { Reader } from '../../config/reader';
import type { TargetContext } from '../shared/kind';
import {
  defaultSecretNamePrefix,
  IAM_ROLE_ARN,
  IAM_ROLE_NAME,
  KMS_KEY_ID,
  Obj,
  readS3Object,
  readSecretRef,
  readStringList,
  requiredMatching,
  S3ObjectConfig,
  SECRET_NAME_PREFIX,
  SecretRefConfig,
  SecretSource,
} from '../shared/settings';

export type AmiCaBundleConfig = { readonly s3: S3ObjectConfig } | { readonly url: string };

export interface AmiTargetConfig {
  /** The existing launch template of the ToolJet instances (a new version is added; nothing else changes). */
  readonly launchTemplateId: string;
  /** Version the new one copies everything but the user-data from: `$Default`, `$Latest` or a number. */
  readonly sourceVersion: string;
  /** Make the new version the template's default. */
  readonly setDefaultVersion: boolean;
  readonly caBundle: AmiCaBundleConfig;
  /** PG_PASS at boot: an existing secret, or a Secrets Manager secret the component creates from dbPassword. */
  readonly pgPassword: SecretSource;
  /** TOOLJET_DB_PASS when it differs from PG_PASS. */
  readonly tooljetDbPassword?: SecretRefConfig;
  readonly secretNamePrefix: string;
  readonly secretsKmsKeyId?: string;
  /** The instances' IAM role: when set, the component allows it to read the bundle object and the secrets. */
  readonly instanceRoleName?: string;
  readonly restartUnits: readonly string[];
  readonly envFile?: string;
  readonly caFile?: string;
}

/** Every sub-key of targets.ami (nested mappings as `ami.<child>`). */
export const AMI_SUB_KEYS = {
  ami: [
    'launchTemplateId',
    'sourceVersion',
    'setDefaultVersion',
    'caBundleObject',
    'caBundleUrl',
    'pgPassword',
    'tooljetDbPassword',
    'secretNamePrefix',
    'secretsKmsKeyId',
    'instanceRoleName',
    'restartUnits',
    'envFile',
    'caFile',
  ],
  'ami.caBundleObject': ['bucket', 'key'],
} as const;

export const AMI_SETTINGS_DEFAULTS = {
  sourceVersion: '$Default',
  setDefaultVersion: true,
  caBundleKey: 'tooljet-pg-upgrade/rds-ca/global-bundle.pem',
  restartUnits: ['nest', 'postgrest'],
} as const;

const LAUNCH_TEMPLATE_ID = /^lt-[0-9a-f]{8,17}$/;
const UNIT = /^[A-Za-z0-9@_.-]+$/;
const HTTPS_URL = /^https:\/\/[A-Za-z0-9.-]+(:\d+)?\/[A-Za-z0-9._~!$&()*+,;=:@%/-]*$/;

function absolutePath(r: Reader, key: string, value: unknown, example: string): string | undefined {
  const s = r.string(key, value, `use an absolute path such as ${example}`);
  if (s === undefined) return undefined;
  if (!/^\/[A-Za-z0-9._/-]*$/.test(s) || s.includes('//') || /(^|\/)\.\.?(\/|$)/.test(s)) {
    r.problem(key, `"${s}" is not a plain absolute path; use one such as ${example}`);
    return undefined;
  }
  return s;
}

export function parseAmiTarget(r: Reader, o: Obj, ctx: TargetContext): AmiTargetConfig | undefined {
  const k = (sub: string) => `targets.ami.${sub}`;
  r.unknownKeys('targets.ami', o, AMI_SUB_KEYS.ami);
  const d = AMI_SETTINGS_DEFAULTS;
  let ok = true;

  const launchTemplateId = requiredMatching(
    r,
    k('launchTemplateId'),
    o.launchTemplateId,
    LAUNCH_TEMPLATE_ID,
    'use a launch template id such as lt-0123456789abcdef0',
    'give the launch template of the ToolJet instances (aws ec2 describe-launch-templates): pulumi config set --path targets.ami.launchTemplateId lt-...',
  );

  let sourceVersion: string = d.sourceVersion;
  if (o.sourceVersion !== undefined) {
    const v = typeof o.sourceVersion === 'number' ? String(o.sourceVersion) : o.sourceVersion;
    if (typeof v === 'string' && (v === '$Default' || v === '$Latest' || /^[1-9]\d*$/.test(v))) sourceVersion = v;
    else {
      r.problem(k('sourceVersion'), 'must be "$Default", "$Latest" or a version number such as 3');
      ok = false;
    }
  }
  const setDefaultVersion = r.boolean(k('setDefaultVersion'), o.setDefaultVersion) ?? d.setDefaultVersion;

  let caBundle: AmiCaBundleConfig | undefined;
  if (o.caBundleObject !== undefined && o.caBundleUrl !== undefined) {
    r.problem(
      k('caBundleUrl'),
      'and targets.ami.caBundleObject are both set; keep one (caBundleObject: an S3 object the component uploads; caBundleUrl: an https download)',
    );
  } else if (o.caBundleObject !== undefined) {
    const s3 = readS3Object(r, k('caBundleObject'), o.caBundleObject, d.caBundleKey);
    if (s3) caBundle = { s3 };
  } else if (o.caBundleUrl !== undefined) {
    const url = r.matching(
      k('caBundleUrl'),
      o.caBundleUrl,
      HTTPS_URL,
      'use an https URL such as https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem',
    );
    if (url) caBundle = { url };
  } else {
    r.problem(
      k('caBundleObject'),
      'not set; the instances download the bundle at boot (user-data is limited to 16 KB): pulumi config set --path targets.ami.caBundleObject.bucket <existing bucket> (or set targets.ami.caBundleUrl)',
    );
  }

  let pgPassword: SecretSource = { kind: 'create', from: 'dbPassword' };
  if (o.pgPassword !== undefined) {
    const ref = readSecretRef(r, k('pgPassword'), o.pgPassword);
    if (ref) pgPassword = { kind: 'reference', ref };
    else ok = false;
  }
  let tooljetDbPassword;
  if (o.tooljetDbPassword !== undefined) {
    tooljetDbPassword = readSecretRef(r, k('tooljetDbPassword'), o.tooljetDbPassword);
    if (!tooljetDbPassword) ok = false;
  }
  const secretNamePrefix =
    r.matching(
      k('secretNamePrefix'),
      o.secretNamePrefix,
      SECRET_NAME_PREFIX,
      'use letters, digits and / _ + = . @ -',
    ) ?? defaultSecretNamePrefix(ctx.project, ctx.stack);
  const secretsKmsKeyId = r.matching(
    k('secretsKmsKeyId'),
    o.secretsKmsKeyId,
    KMS_KEY_ID,
    'use a KMS key ARN, key id or alias/<name>',
  );

  let instanceRoleName: string | undefined;
  if (typeof o.instanceRoleName === 'string' && IAM_ROLE_ARN.test(o.instanceRoleName)) {
    r.problem(k('instanceRoleName'), 'is a role ARN; give the role name (the part after role/)');
    ok = false;
  } else {
    instanceRoleName = r.matching(
      k('instanceRoleName'),
      o.instanceRoleName,
      IAM_ROLE_NAME,
      'use the IAM role name of the instance profile (aws iam get-instance-profile)',
    );
  }

  const restartUnits = readStringList(
    r,
    k('restartUnits'),
    o.restartUnits,
    UNIT,
    'use systemd unit names such as nest and postgrest',
    { nonEmpty: true },
  ) ?? [...d.restartUnits];
  const envFile = absolutePath(r, k('envFile'), o.envFile, '/home/ubuntu/app/.env');
  const caFile = absolutePath(r, k('caFile'), o.caFile, '/home/ubuntu/certs/global-bundle.pem');

  if (!ok || !launchTemplateId || !caBundle) return undefined;
  return {
    launchTemplateId,
    sourceVersion,
    setDefaultVersion,
    caBundle,
    pgPassword,
    ...(tooljetDbPassword !== undefined && { tooljetDbPassword }),
    secretNamePrefix,
    ...(secretsKmsKeyId !== undefined && { secretsKmsKeyId }),
    ...(instanceRoleName !== undefined && { instanceRoleName }),
    restartUnits,
    ...(envFile !== undefined && { envFile }),
    ...(caFile !== undefined && { caFile }),
  };
}
