// The guard rails: one ResourceValidationPolicy per rule, all mandatory. Kept apart from index.ts (which starts the
// policy server) so that tests call each `validateResource(args, reportViolation)` directly.
//
// Type tokens are plain strings (checked against the SDK classes in tests) so that loading the pack does not load
// @pulumi/aws or @pulumi/kubernetes.

import type {
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from '@pulumi/policy';
import {
  Extraction,
  findNodeTlsRejectUnauthorized,
  findWeakSslMode,
  Finding,
  renderedText,
  TLS_KEYS,
} from './rendered-config';
import { resolveKubernetesReferences } from './kubernetes-references';
import { isPlainRecord, keysOf, read, UnknownTracker, unwrapSecret } from './values';

export const TYPES = {
  rdsInstance: 'aws:rds/instance:Instance',
  rdsParameterGroup: 'aws:rds/parameterGroup:ParameterGroup',
  ecsTaskDefinition: 'aws:ecs/taskDefinition:TaskDefinition',
  ec2LaunchTemplate: 'aws:ec2/launchTemplate:LaunchTemplate',
  ec2Instance: 'aws:ec2/instance:Instance',
  k8sConfigMap: 'kubernetes:core/v1:ConfigMap',
  k8sConfigMapPatch: 'kubernetes:core/v1:ConfigMapPatch',
  k8sSecret: 'kubernetes:core/v1:Secret',
  k8sSecretPatch: 'kubernetes:core/v1:SecretPatch',
  k8sDeployment: 'kubernetes:apps/v1:Deployment',
  k8sDeploymentPatch: 'kubernetes:apps/v1:DeploymentPatch',
  localCommand: 'command:local:Command',
} as const;

/** The tags the program puts on its clone. */
export const TAGS = {
  environment: 'tooljet:environment',
  purpose: 'tooljet:purpose',
} as const;
export const CLONE_PURPOSE = 'pg16-upgrade-clone';
export const DEFAULT_PRODUCTION_STACKS: readonly string[] = ['prod', 'production'];

/** Inputs that carry rendered configuration, per type: an unknown there at preview means it could not be vetted. */
export const CONFIG_FIELDS: Readonly<Record<string, readonly string[]>> = {
  [TYPES.ecsTaskDefinition]: ['containerDefinitions'],
  [TYPES.ec2LaunchTemplate]: ['userData'],
  [TYPES.ec2Instance]: ['userData', 'userDataBase64'],
  [TYPES.k8sConfigMap]: ['data', 'binaryData'],
  [TYPES.k8sConfigMapPatch]: ['data', 'binaryData'],
  [TYPES.k8sSecret]: ['data', 'stringData'],
  [TYPES.k8sSecretPatch]: ['data', 'stringData'],
  [TYPES.k8sDeployment]: ['spec'],
  [TYPES.k8sDeploymentPatch]: ['spec'],
  [TYPES.localCommand]: ['create', 'update', 'delete', 'environment', 'stdin'],
};

// ---------------------------------------------------------------------------------------------------------------------
// Helpers

function tagsOf(props: Record<string, unknown>, unknowns: UnknownTracker): Record<string, string> {
  const tags = unknowns.value(read(props, 'tags'), 'tags');
  if (!isPlainRecord(tags)) return {};
  const out: Record<string, string> = {};
  for (const key of keysOf(tags)) {
    const r = read(tags, key, `tags.${key}`);
    if (!r.known) {
      unknowns.note(r.error, `tags.${key}`);
      continue;
    }
    if (typeof r.value === 'string') out[key] = r.value;
  }
  return out;
}

/** The stack name, from the URN (`urn:pulumi:<stack>::<project>::<type>::<name>`). */
export function stackFromUrn(urn: string): string | undefined {
  const m = /^urn:pulumi:([^:]+)::/.exec(urn);
  return m ? m[1] : undefined;
}

function stringList(v: unknown, fallback: readonly string[]): readonly string[] {
  return Array.isArray(v) && v.every((s) => typeof s === 'string') ? (v as string[]) : fallback;
}

function formatFindings(findings: readonly Finding[], limit = 8): string {
  const shown = findings.slice(0, limit).map((f) => `${f.match} at ${f.path}`);
  if (findings.length > limit) shown.push(`and ${findings.length - limit} more`);
  return shown.join('; ');
}

// ---------------------------------------------------------------------------------------------------------------------
// RDS instances

export const rdsNotPubliclyAccessible: ResourceValidationPolicy = {
  name: 'rds-instance-not-publicly-accessible',
  description: 'RDS instances must not be publicly accessible.',
  enforcementLevel: 'mandatory',
  severity: 'critical',
  remediationSteps: 'Set publiclyAccessible: false (the default) and reach the database from inside the VPC.',
  validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
    if (args.type !== TYPES.rdsInstance) return;
    const unknowns = new UnknownTracker();
    const publiclyAccessible = unknowns.value(read(args.props, 'publiclyAccessible'), 'publiclyAccessible');
    if (publiclyAccessible === true) {
      reportViolation(
        `RDS instance "${args.name}" has publiclyAccessible: true. Set publiclyAccessible: false and reach the ` +
          'database from inside the VPC (ToolJet runs there; use a bastion or SSM port forwarding for operators).',
      );
    }
    unknowns.finish();
  },
};

export const rdsStorageEncrypted: ResourceValidationPolicy = {
  name: 'rds-instance-storage-encrypted',
  description: 'RDS instances must have encrypted storage.',
  enforcementLevel: 'mandatory',
  severity: 'high',
  remediationSteps:
    'Set storageEncrypted: true (optionally kmsKeyId). A restore cannot encrypt an unencrypted snapshot: copy it ' +
    'first with aws.rds.SnapshotCopy and a kmsKeyId, then restore from the copy.',
  validateResource: (args, reportViolation) => {
    if (args.type !== TYPES.rdsInstance) return;
    const unknowns = new UnknownTracker();
    const encrypted = read(args.props, 'storageEncrypted');
    if (!encrypted.known) {
      unknowns.note(encrypted.error, 'storageEncrypted');
    } else if (encrypted.value !== true) {
      reportViolation(
        `RDS instance "${args.name}" does not set storageEncrypted: true. Set it (with kmsKeyId for a customer ` +
          'managed key). If it is restored from an unencrypted snapshot, copy the snapshot encrypted first ' +
          '(aws.rds.SnapshotCopy with kmsKeyId) and restore from the copy: a restore cannot add encryption.',
      );
    }
    unknowns.finish();
  },
};

// ---------------------------------------------------------------------------------------------------------------------
// RDS parameter groups

/** The PostgreSQL major version of an RDS parameter group family (`postgres16` -> 16), or undefined. */
export function postgresFamilyMajor(family: unknown): number | undefined {
  if (typeof family !== 'string') return undefined;
  const m = /^postgres(\d+)$/.exec(family.trim());
  return m ? Number(m[1]) : undefined;
}

export const MIN_FORCE_SSL_MAJOR = 15;

export const rdsParameterGroupForceSsl: ResourceValidationPolicy = {
  name: 'rds-parameter-group-force-ssl',
  description: 'PostgreSQL 15+ RDS parameter groups must set rds.force_ssl = 1.',
  enforcementLevel: 'mandatory',
  severity: 'high',
  remediationSteps: 'Add { name: "rds.force_ssl", value: "1" } to the parameter group\'s parameters.',
  validateResource: (args, reportViolation) => {
    if (args.type !== TYPES.rdsParameterGroup) return;
    const unknowns = new UnknownTracker();
    const familyRead = read(args.props, 'family');
    if (!familyRead.known) throw familyRead.error; // cannot tell whether the rule applies
    const family = familyRead.value;
    const major = postgresFamilyMajor(family);
    if (major === undefined || major < MIN_FORCE_SSL_MAJOR) {
      args.notApplicable(`family ${String(family)} is not PostgreSQL ${MIN_FORCE_SSL_MAJOR}+`);
    }
    const parameters = unknowns.value(read(args.props, 'parameters'), 'parameters');
    const values: string[] = [];
    const list = Array.isArray(parameters) ? parameters : [];
    for (let i = 0; i < list.length; i++) {
      const p = read(list, i, `parameters[${i}]`);
      if (!p.known) {
        unknowns.note(p.error, `parameters[${i}]`);
        continue;
      }
      const name = read(p.value, 'name', `parameters[${i}].name`);
      if (!name.known) {
        unknowns.note(name.error, `parameters[${i}].name`);
        continue;
      }
      if (typeof name.value !== 'string' || name.value.trim().toLowerCase() !== 'rds.force_ssl') continue;
      const value = read(p.value, 'value', `parameters[${i}].value`);
      if (!value.known) {
        unknowns.note(value.error, `parameters[${i}].value`);
        continue;
      }
      values.push(String(value.value).trim());
    }
    const where = `RDS parameter group "${args.name}" (family ${String(family)})`;
    if (values.some((v) => v !== '1')) {
      reportViolation(
        `${where} sets rds.force_ssl to ${values.map((v) => JSON.stringify(v)).join(', ')}. Set it to "1" so the ` +
          'database refuses unencrypted connections.',
      );
    } else if (values.length === 0 && unknowns.unknownPaths.length === 0) {
      reportViolation(
        `${where} does not set rds.force_ssl. Add { name: "rds.force_ssl", value: "1" } to its parameters so the ` +
          'database refuses unencrypted connections.',
      );
    }
    unknowns.finish();
  },
};

// ---------------------------------------------------------------------------------------------------------------------
// Deletion protection on production clones

export interface DeletionProtectionConfig {
  /** Stack names that are production. Default: prod, production. */
  productionStacks?: string[];
}

export interface ProductionVerdict {
  production: boolean;
  reasons: string[];
}

/** Decides whether a resource belongs to production: its tag, the stack's tag, or the stack's name. */
export function productionVerdict(
  urn: string,
  stackTags: ReadonlyMap<string, string>,
  tags: Record<string, string>,
  productionStacks: readonly string[],
): ProductionVerdict {
  const reasons: string[] = [];
  if (tags[TAGS.environment]?.trim().toLowerCase() === 'production') reasons.push(`tag ${TAGS.environment}=production`);
  if (stackTags.get(TAGS.environment)?.trim().toLowerCase() === 'production') {
    reasons.push(`stack tag ${TAGS.environment}=production`);
  }
  const stack = stackFromUrn(urn);
  if (stack !== undefined && productionStacks.includes(stack)) reasons.push(`stack "${stack}"`);
  return { production: reasons.length > 0, reasons };
}

export const rdsProductionCloneDeletionProtection: ResourceValidationPolicy = {
  name: 'rds-production-clone-deletion-protection',
  description:
    'The production clone (an RDS instance restored for the PostgreSQL 16 upgrade) needs deletionProtection.',
  enforcementLevel: 'mandatory',
  severity: 'high',
  remediationSteps: 'Set deletionProtection: true on the production clone.',
  configSchema: {
    properties: {
      productionStacks: {
        type: 'array',
        items: { type: 'string' },
        default: [...DEFAULT_PRODUCTION_STACKS],
        description: 'Stack names treated as production (besides the tooljet:environment=production tag).',
      },
    },
  },
  validateResource: (args, reportViolation) => {
    if (args.type !== TYPES.rdsInstance) return;
    const config = args.getConfig<DeletionProtectionConfig>();
    const productionStacks = stringList(config.productionStacks, DEFAULT_PRODUCTION_STACKS);
    const unknowns = new UnknownTracker();
    const tags = tagsOf(args.props, unknowns);

    // A clone: tagged as the upgrade clone, or restored from a snapshot (the identifier may be unknown at preview,
    // but an input that is present-and-unknown still means "restored from a snapshot").
    const purposeIsClone = tags[TAGS.purpose] === CLONE_PURPOSE;
    const snapshot = read(args.props, 'snapshotIdentifier');
    const restored = !snapshot.known || (typeof snapshot.value === 'string' && snapshot.value !== '');
    if (!purposeIsClone && !restored) {
      unknowns.finish();
      args.notApplicable('not the upgrade clone (no tooljet:purpose tag, no snapshotIdentifier)');
    }

    const verdict = productionVerdict(args.urn, args.stackTags, tags, productionStacks);
    if (!verdict.production) {
      unknowns.finish();
      args.notApplicable('not production');
    }

    const protection = read(args.props, 'deletionProtection');
    if (!protection.known) {
      unknowns.note(protection.error, 'deletionProtection');
    } else if (protection.value !== true) {
      reportViolation(
        `RDS instance "${args.name}" is the production clone (${verdict.reasons.join(', ')}) but does not set ` +
          'deletionProtection: true. Set it: rollback and inspection depend on this instance surviving a stray ' +
          'destroy or replace.',
      );
    }
    unknowns.finish();
  },
};

// ---------------------------------------------------------------------------------------------------------------------
// ECS: no secrets in plain-text environment

export const SECRET_NAME_RE = /PASS|SECRET|KEY|TOKEN/i;
/** `scheme://user:password@host`: a connection URI that embeds a password. */
export const URI_WITH_PASSWORD_RE = /[a-z][a-z0-9+.-]*:\/\/[^/:@\s]+:[^@\s/]+@/i;

export interface EcsSecretsConfig {
  /** Environment names that look secret but are not (exact names). */
  allowedNames?: string[];
}

export interface ContainerEnvIssue {
  container: string;
  names: string[];
  uriNames: string[];
}

/** Parses `containerDefinitions` (a JSON string) and lists, per container, the environment entries that hold secrets. */
export function ecsEnvironmentIssues(
  containerDefinitions: unknown,
  allowedNames: readonly string[],
): ContainerEnvIssue[] {
  const parsed = typeof containerDefinitions === 'string' ? JSON.parse(containerDefinitions) : containerDefinitions;
  if (!Array.isArray(parsed)) throw new Error('containerDefinitions is not a JSON array');
  const issues: ContainerEnvIssue[] = [];
  parsed.forEach((container: unknown, i: number) => {
    if (!isPlainRecord(container)) return;
    const label = typeof container.name === 'string' && container.name !== '' ? container.name : `#${i}`;
    const env = container.environment;
    if (!Array.isArray(env)) return;
    const names: string[] = [];
    const uriNames: string[] = [];
    for (const entry of env) {
      if (!isPlainRecord(entry) || typeof entry.name !== 'string') continue;
      if (allowedNames.includes(entry.name)) continue;
      if (SECRET_NAME_RE.test(entry.name)) names.push(entry.name);
      else if (typeof entry.value === 'string' && URI_WITH_PASSWORD_RE.test(entry.value)) uriNames.push(entry.name);
    }
    if (names.length > 0 || uriNames.length > 0) issues.push({ container: label, names, uriNames });
  });
  return issues;
}

export const ecsNoSecretsInEnvironment: ResourceValidationPolicy = {
  name: 'ecs-no-secrets-in-environment',
  description:
    'ECS container environment must not hold secrets (names with PASS, SECRET, KEY or TOKEN, or URIs with a ' +
    'password): they belong in `secrets` (valueFrom Secrets Manager or SSM).',
  enforcementLevel: 'mandatory',
  severity: 'critical',
  remediationSteps:
    'Move each listed variable from `environment` to `secrets: [{ name, valueFrom: <Secrets Manager or SSM ARN> }]`.',
  configSchema: {
    properties: {
      allowedNames: {
        type: 'array',
        items: { type: 'string' },
        default: [],
        description: 'Exact environment names that look secret but are not.',
      },
    },
  },
  validateResource: (args, reportViolation) => {
    if (args.type !== TYPES.ecsTaskDefinition) return;
    const allowed = stringList(args.getConfig<EcsSecretsConfig>().allowedNames, []);
    const defs = read(args.props, 'containerDefinitions');
    if (!defs.known) throw defs.error; // the server reports "can't run during preview"; `pulumi up` checks it
    let issues: ContainerEnvIssue[];
    try {
      issues = ecsEnvironmentIssues(unwrapSecret(defs.value), allowed);
    } catch (e) {
      reportViolation(
        `ECS task definition "${args.name}": containerDefinitions could not be checked (${(e as Error).message}). ` +
          'Render it with JSON.stringify / pulumi.jsonStringify of an array of container definitions.',
      );
      return;
    }
    for (const issue of issues) {
      const parts: string[] = [];
      if (issue.names.length > 0) parts.push(`secret-looking names ${issue.names.join(', ')}`);
      if (issue.uriNames.length > 0)
        parts.push(`connection URIs with an embedded password in ${issue.uriNames.join(', ')}`);
      const all = [...issue.names, ...issue.uriNames];
      reportViolation(
        `ECS task definition "${args.name}", container "${issue.container}": plain-text environment holds ` +
          `${parts.join(' and ')}. Move them to secrets: [${all.map((n) => `{ name: "${n}", valueFrom: "<ARN>" }`).join(', ')}] ` +
          '(Secrets Manager secret or SSM SecureString ARN; the task execution role needs read access).',
      );
    }
  },
};

// ---------------------------------------------------------------------------------------------------------------------
// Rendered config: no NODE_TLS_REJECT_UNAUTHORIZED value, nothing short of verify-full (any resource)

function scanRendered(
  args: ResourceValidationArgs,
  find: (extraction: Extraction) => Finding[],
  report: (findings: Finding[]) => void,
): void {
  const extraction = renderedText(args.type, args.props);
  const findings = find(extraction);
  if (findings.length > 0) report(findings);
  // Unknown config fields could not be vetted at preview: say so (advisory). Other unknowns (ARNs, ids) are skipped.
  // Either way `pulumi up` runs the policy again with the values known and blocks a violation there.
  const configFields = CONFIG_FIELDS[args.type] ?? [];
  const inConfigField = (path: string) =>
    configFields.some((f) => path === f || path.startsWith(`${f}.`) || path.startsWith(`${f}[`));
  const unknownConfig = extraction.unknowns.find((u) => inConfigField(u.path));
  if (unknownConfig) throw unknownConfig.error;
}

export const noNodeTlsRejectUnauthorized: ResourceValidationPolicy = {
  name: 'no-node-tls-reject-unauthorized',
  description:
    'No NODE_TLS_REJECT_UNAUTHORIZED with a value in any rendered configuration ("0" turns off TLS verification in Node).',
  enforcementLevel: 'mandatory',
  severity: 'critical',
  remediationSteps:
    'Remove NODE_TLS_REJECT_UNAUTHORIZED (or leave it empty). Trust the RDS CA instead: PGSSLMODE=verify-full, ' +
    'NODE_EXTRA_CA_CERTS=<path of global-bundle.pem> for the ToolJet server and PGSSLROOTCERT=<same path> for libpq.',
  validateResource: (args, reportViolation) => {
    scanRendered(args, findNodeTlsRejectUnauthorized, (findings) =>
      reportViolation(
        `${args.type} "${args.name}" renders NODE_TLS_REJECT_UNAUTHORIZED with a value (${formatFindings(findings)}). Remove ` +
          'it: "0" disables certificate verification for every TLS connection of the process. Trust the RDS CA with ' +
          'PGSSLMODE=verify-full, NODE_EXTRA_CA_CERTS=<path of global-bundle.pem> and PGSSLROOTCERT=<same path> instead.',
      ),
    );
  },
};

export const noWeakSslMode: ResourceValidationPolicy = {
  name: 'no-weak-sslmode',
  description:
    'No database TLS short of verify-full in any rendered configuration: sslmode/PGSSLMODE disable, allow, prefer, ' +
    'require, verify-ca or no-verify, and no ToolJet DATABASE_URL, TOOLJET_DB_URL or CA_CERT with a value.',
  enforcementLevel: 'mandatory',
  severity: 'critical',
  remediationSteps:
    'Use sslmode=verify-full&sslrootcert=<path of global-bundle.pem> in libpq URIs (PostgREST); for the ToolJet server ' +
    'PGSSLMODE=verify-full with NODE_EXTRA_CA_CERTS and PGSSLROOTCERT=<path of global-bundle.pem>, its database in ' +
    'PG_HOST/PG_PORT/PG_USER/PG_PASS/PG_DB and TOOLJET_DB_*, and no DATABASE_URL, TOOLJET_DB_URL or CA_CERT (with ' +
    'either of DATABASE_URL/CA_CERT ToolJet connects with rejectUnauthorized: false).',
  validateResource: (args, reportViolation) => {
    scanRendered(args, findWeakSslMode, (findings) =>
      reportViolation(
        `${args.type} "${args.name}" renders database TLS settings that allow unencrypted or unverified connections ` +
          `(${formatFindings(findings)}). Use sslmode=verify-full&sslrootcert=<path of global-bundle.pem> in libpq URIs ` +
          '(PostgREST) and PGSSLMODE=verify-full with NODE_EXTRA_CA_CERTS and PGSSLROOTCERT for the ToolJet server; ' +
          'remove DATABASE_URL, TOOLJET_DB_URL and CA_CERT (ToolJet then skips certificate verification) and give PG_HOST & co.',
      ),
    );
  },
};

/**
 * What the pack cannot read, as findings: TLS variables set by reference, and sources of settings it cannot see.
 * ECS environment files listed in `reviewed` (the policy's reviewedEnvironmentFiles, the same list as the stack's
 * targets.ecs.reviewedEnvironmentFiles) were checked by a person and are accepted by their exact ARN.
 */
function findUnreadable(extraction: Extraction, reviewed: readonly string[] = []): Finding[] {
  return extraction.unreadable
    .filter((u) => u.key === undefined || TLS_KEYS.includes(u.key))
    .filter((u) => u.ref === undefined || !reviewed.includes(u.ref))
    .map((u) => ({ path: u.path, match: u.key === undefined ? u.what : `${u.key} from ${u.what}` }));
}

export const noUnreadableTlsConfig: ResourceValidationPolicy = {
  name: 'no-unreadable-tls-config',
  description:
    'Every setting that can undo verified database TLS must be visible to the pack: no ECS environment files, no ECS ' +
    `secrets for ${TLS_KEYS.join(', ')}, no user data it cannot decode and no URLs cloud-init downloads at boot.`,
  enforcementLevel: 'mandatory',
  severity: 'critical',
  remediationSteps:
    'Put the variables in the container definition itself: `environment` for PGSSLMODE=verify-full (never in an ' +
    'environment file or a secret), `secrets` only for passwords and keys; write user data the pack can read ' +
    '(plain or base64/gzip text, cloud-config write_files with encoding b64/gzip+b64, no #include or source URLs). ' +
    "An environment file you have checked sets none of the TLS variables: list its ARN in this policy's " +
    "reviewedEnvironmentFiles (policy config) as in the stack's targets.ecs.reviewedEnvironmentFiles.",
  configSchema: {
    properties: {
      reviewedEnvironmentFiles: {
        type: 'array',
        items: { type: 'string' },
        default: [],
        description:
          'S3 object ARNs of ECS environment files a person checked (none sets a TLS variable): accepted by exact ARN.',
      },
    },
  },
  validateResource: (args, reportViolation) => {
    const reviewed = stringList(args.getConfig<{ reviewedEnvironmentFiles?: unknown }>().reviewedEnvironmentFiles, []);
    scanRendered(
      args,
      (e) => findUnreadable(e, reviewed),
      (findings) =>
        reportViolation(
          `${args.type} "${args.name}" takes configuration from where the policy pack cannot read it ` +
            `(${formatFindings(findings)}): ECS reads secrets and environment files when the task starts, cloud-init ` +
            'downloads included URLs at boot, so the pack cannot tell whether TLS to the database stays verified. Put ' +
            `${TLS_KEYS.join(', ')} in the definition itself as plain values (PGSSLMODE=verify-full; secrets only for ` +
            'passwords and keys) and move other variables from environment files into `environment`/`secrets`; write ' +
            'user data the pack can decode (no #include, no write_files source URLs).',
        ),
    );
  },
};

export const kubernetesEnvReferences: StackValidationPolicy = {
  name: 'kubernetes-env-references',
  description:
    'Kubernetes containers that take TLS settings from a ConfigMap or Secret (env valueFrom, envFrom) get the ' +
    'values judged under the name they get them; references the pack cannot resolve in this stack are refused for ' +
    `${TLS_KEYS.join(', ')}.`,
  enforcementLevel: 'mandatory',
  severity: 'critical',
  remediationSteps:
    'Give PGSSLMODE=verify-full (and no NODE_TLS_REJECT_UNAUTHORIZED, DATABASE_URL, TOOLJET_DB_URL, CA_CERT) as plain ' +
    '`env` values, or manage the ConfigMap/Secret they come from in this stack. `env` wins over `envFrom`.',
  validateStack: (args, reportViolation) => {
    const unknowns = new UnknownTracker();
    for (const f of resolveKubernetesReferences(args.resources, unknowns)) {
      const scanned = { fragments: [], settings: f.settings };
      const findings = [...findWeakSslMode(scanned), ...findNodeTlsRejectUnauthorized(scanned)];
      const where = `Kubernetes workload "${f.workload}", container "${f.container}"`;
      if (findings.length > 0) {
        reportViolation(
          `${where} gets database TLS settings that allow unverified connections through a ConfigMap or Secret ` +
            `(${formatFindings(findings)}). Set PGSSLMODE=verify-full, drop NODE_TLS_REJECT_UNAUTHORIZED, ` +
            'DATABASE_URL, TOOLJET_DB_URL and CA_CERT, and give PGRST_DB_URI sslmode=verify-full&sslrootcert=<bundle>.',
          f.urn,
        );
      }
      if (f.unseen.length > 0) {
        reportViolation(
          `${where}: the policy pack cannot see ${f.unseen.join('; ')}. Set these variables as plain \`env\` values ` +
            '(PGSSLMODE=verify-full; an `env` entry wins over `envFrom`) or manage that ConfigMap/Secret in this stack.',
          f.urn,
        );
      }
    }
    unknowns.finish();
  },
};

/** Every resource guard rail, in the order they are documented. */
export const policies: ResourceValidationPolicy[] = [
  rdsNotPubliclyAccessible,
  rdsStorageEncrypted,
  rdsParameterGroupForceSsl,
  rdsProductionCloneDeletionProtection,
  ecsNoSecretsInEnvironment,
  noNodeTlsRejectUnauthorized,
  noWeakSslMode,
  noUnreadableTlsConfig,
];

/**
 * The stack guard rails: they see every resource of the stack, after all are registered. `pulumi preview` runs them
 * before anything changes; `pulumi up` runs them at the end (pulumi/pulumi-policy docs, "Stack validation policies are
 * run after all stack resources are registered and thus do not block an out-of-compliance resource from being
 * created or modified": pulumi/docs #2179, #15367), so every `up` here is preceded by a preview with the pack.
 */
export const stackPolicies: StackValidationPolicy[] = [kubernetesEnvReferences];
