// ECS (Fargate) target: a new task definition revision of the existing ToolJet service, based on the service's
// CURRENT task definition (looked up read-only: aws.ecs.getService -> aws.ecs.getTaskDefinition) with only this
// target's parts replaced (merge.ts: database/TLS variables, secrets, the /certs mount, the task volume,
// the init container, the PostgREST sidecar), the CA bundle uploaded to S3 for its init container, Secrets Manager
// secrets created from Pulumi secrets where no existing ARN is configured, inline policies letting the execution role
// read exactly those secrets and the task role exactly that object, and a command that deploys the revision.
//
// Why the service is updated by a command and not managed as aws.ecs.Service: the ToolJet service already exists
// (ToolJet's Terraform/CloudFormation or the console created it with its load balancer, network and scaling).
// Owning it here would mean importing it and restating every one of those settings, or fighting the tool that owns
// it. The command changes exactly one thing, the task definition, as ToolJet's runbook does, and waits until the
// service is stable on the revision (deploy.sh), so a revision whose tasks cannot start fails `pulumi up`.
//
// Why the lookup uses the provider's data sources and not the AWS CLI: they run in `pulumi preview` with the
// provider's credentials (the diff shows what changes against the running definition), and @pulumi/aws 7's
// getTaskDefinition returns the container definitions as JSON (older versions did not).
import * as aws from '@pulumi/aws';
import * as command from '@pulumi/command';
import * as pulumi from '@pulumi/pulumi';
import { phaseLabel, PHASES, timedInterpreter } from '../../cutover/timing';
import type { CaBundle } from '../../lib/tls/ca-bundle';
import { caBundleObject } from '../shared/ca-bundle-object';
import {
  checkRender,
  createdSecretsKmsKeys,
  createSecret,
  CreatedSecret,
  databaseTarget,
  inlinePolicyName,
  kebab,
  KEEP_ON_DELETE,
  placeholderDatabase,
  referenceOf,
  roleNameFromArn,
  s3Url,
  scriptText,
  secretValue,
  TARGET_PURPOSES,
  targetTags,
  TargetStackArgs,
} from '../shared/component';
import type { S3ObjectRef } from '../shared/render';
import type { SecretSource } from '../shared/settings';
import { checkDeploymentController, ecsDeployEnvironment, ECS_DEPLOY_SCRIPT } from './deploy';
import {
  checkEcsRoles,
  CurrentEcsTaskDefinition,
  currentEcsTaskDefinition,
  EcsMergeResult,
  EcsTaskDefinitionLookup,
  mergeEcsTaskDefinition,
} from './merge';
import {
  checkEcsTaskDefinitionSize,
  ContainerDefinition,
  EcsSecretRef,
  EcsSecretRefs,
  EcsTargetInput,
  ECS_DEFAULTS,
  renderEcsContainerDefinitions,
  renderEcsExecutionRolePolicy,
  renderEcsTaskRolePolicy,
} from './render';
import type { EcsSecretName, EcsTargetConfig } from './settings';

export interface EcsTargetArgs extends TargetStackArgs {
  settings: EcsTargetConfig;
  production: boolean;
}

const PLACEHOLDER_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:placeholder-AbCdEf';

/** The renderer's input minus what is only known at deployment time (database, secret ARNs, object version). */
function rendererInput(
  s: EcsTargetConfig,
  region: string,
  caBundle: CaBundle,
): Omit<EcsTargetInput, 'database' | 'secrets' | 'caBundleObject'> {
  return {
    caBundle,
    region,
    tooljetHost: s.tooljetHost,
    ...(s.containerName !== undefined && { containerName: s.containerName }),
    ...(s.tooljetImage !== undefined && { tooljetImage: s.tooljetImage }),
    ...(s.postgrestImage !== undefined && { postgrestImage: s.postgrestImage }),
    ...(s.caInitImage !== undefined && { caInitImage: s.caInitImage }),
    ...(s.logGroup !== undefined && { logGroup: s.logGroup }),
    ...(s.postgrestLogGroup !== undefined && { postgrestLogGroup: s.postgrestLogGroup }),
    ...(s.postgrestPort !== undefined && { postgrestPort: s.postgrestPort }),
    extraEnvironment: { ...s.extraEnvironment },
    extraSecrets: Object.fromEntries(Object.entries(s.extraSecrets).map(([k, v]) => [k, { ...v }])),
    extraContainers: s.extraContainers.map((c) => ({ ...c }) as ContainerDefinition),
  };
}

export class EcsTarget extends pulumi.ComponentResource {
  readonly createdSecrets: Partial<Record<EcsSecretName, CreatedSecret>> = {};
  readonly caBundle: aws.s3.BucketObjectv2;
  /** The service's task definition the new revision is based on (read-only lookup). */
  readonly currentTaskDefinitionArn: pulumi.Output<string>;
  readonly taskDefinition: aws.ecs.TaskDefinition;
  readonly executionRolePolicy: aws.iam.RolePolicy;
  readonly taskRolePolicy: aws.iam.RolePolicy;
  /** Deploys the revision to the service (absent with updateService: false). */
  readonly deploy?: command.local.Command;
  readonly taskDefinitionArn: pulumi.Output<string>;
  readonly revision: pulumi.Output<number>;
  readonly caBundleUrl: string;

  constructor(name: string, args: EcsTargetArgs, opts?: pulumi.ComponentResourceOptions) {
    super('tooljet-pg-upgrade:targets:EcsTarget', name, {}, opts);
    const s = args.settings;
    const region = args.cli.region;
    if (!region)
      throw new pulumi.RunError('aws:region: not set; the ecs target needs it: pulumi config set aws:region <region>');
    const base = rendererInput(s, region, args.caBundle);
    const containerName = s.containerName ?? ECS_DEFAULTS.containerName;
    const placeholderRef = { arn: PLACEHOLDER_SECRET_ARN };
    const placeholderSecrets: EcsSecretRefs = {
      pgPassword: placeholderRef,
      lockboxMasterKey: placeholderRef,
      secretKeyBase: placeholderRef,
      pgrstJwtSecret: placeholderRef,
    };
    // Render once with stand-in values: bad settings fail the program now.
    checkRender('ecs', () =>
      renderEcsContainerDefinitions({
        ...base,
        database: placeholderDatabase(args.database),
        secrets: placeholderSecrets,
        caBundleObject: s.caBundleObject,
      }),
    );

    // The service's current task definition (read-only invokes; they run in preview too).
    const clusterArn = s.cluster.startsWith('arn:')
      ? pulumi.output(s.cluster)
      : aws.ecs.getClusterOutput({ clusterName: s.cluster }, { parent: this }).arn;
    const service = aws.ecs.getServiceOutput({ clusterArn, serviceName: s.service }, { parent: this });
    this.currentTaskDefinitionArn = service.taskDefinition;
    const lookup = aws.ecs.getTaskDefinitionOutput({ taskDefinition: service.taskDefinition }, { parent: this });
    const current: pulumi.Output<CurrentEcsTaskDefinition> = pulumi
      .all([lookup, service.deploymentControllers])
      .apply(([l, controllers]) =>
        checkRender('ecs', () => {
          // A CODE_DEPLOY or EXTERNAL service cannot be deployed with update-service: refused at preview already.
          checkDeploymentController(controllers, s.updateService, `service ${s.service} in cluster ${s.cluster}`);
          const c = currentEcsTaskDefinition(l satisfies EcsTaskDefinitionLookup);
          checkEcsRoles(c, { executionRoleArn: s.executionRoleArn, taskRoleArn: s.taskRoleArn });
          return c;
        }),
      );

    // Secrets Manager secrets for every secret without a configured ARN.
    const refs: Partial<Record<EcsSecretName, pulumi.Output<EcsSecretRef>>> = {};
    for (const [secretName, source] of Object.entries(s.secrets) as Array<[EcsSecretName, SecretSource]>) {
      let created: CreatedSecret | undefined;
      if (source.kind === 'create') {
        const fullName = `${s.secretNamePrefix}ecs/${kebab(secretName)}`;
        created = createSecret(this, `${name}-${kebab(secretName)}`, {
          name: fullName,
          description: `ToolJet ${secretName} for the ECS target of ${args.stack} (tooljet-pg-upgrade)`,
          value: secretValue(args, source.from),
          ...(s.secretsKmsKeyId !== undefined && { kmsKeyId: s.secretsKmsKeyId }),
          production: args.production,
          tags: targetTags(args, fullName, TARGET_PURPOSES.secret),
        });
        this.createdSecrets[secretName] = created;
      }
      const r = referenceOf(source, created);
      refs[secretName] = r.arn.apply((arn) => ({ arn, ...(r.jsonKey !== undefined && { jsonKey: r.jsonKey }) }));
    }
    const secretRefs: pulumi.Output<EcsSecretRefs> = pulumi.all(refs).apply((r) => {
      const out: EcsSecretRefs = {
        pgPassword: r.pgPassword!,
        lockboxMasterKey: r.lockboxMasterKey!,
        secretKeyBase: r.secretKeyBase!,
        pgrstJwtSecret: r.pgrstJwtSecret!,
      };
      if (r.tooljetDbPassword) out.tooljetDbPassword = r.tooljetDbPassword;
      return out;
    });

    const bundle = caBundleObject(this, `${name}-rds-ca-bundle`, {
      object: s.caBundleObject,
      pem: args.caBundle.pem,
      tags: targetTags(args, s3Url(s.caBundleObject), TARGET_PURPOSES.caBundle),
    });
    this.caBundle = bundle.resource;
    this.caBundleUrl = s3Url(s.caBundleObject);

    // The current definition with our parts replaced, size-checked (64 KB); removals are reported (never values).
    const merged: pulumi.Output<EcsMergeResult> = pulumi
      .all([current, databaseTarget(args.database), secretRefs, bundle.ref])
      .apply(
        ([cur, database, secrets, object]: [
          CurrentEcsTaskDefinition,
          EcsTargetInput['database'],
          EcsSecretRefs,
          S3ObjectRef,
        ]) =>
          checkRender('ecs', () => {
            const rendered = renderEcsContainerDefinitions({ ...base, database, secrets, caBundleObject: object });
            const m = mergeEcsTaskDefinition(cur, rendered, {
              containerName,
              reviewedEnvironmentFiles: s.reviewedEnvironmentFiles,
            });
            checkEcsTaskDefinitionSize({
              family: cur.family,
              containerDefinitions: m.containerDefinitions,
              volumes: m.volumes,
            });
            if (m.removed.length > 0) {
              pulumi.log.warn(
                `the new revision of ${cur.family} drops ${m.removed.join(', ')} from ${cur.arn}: they would turn database certificate ` +
                  'verification off or keep ToolJet on the old host (docs/targets.md "Settings that would undo verified TLS")',
                this,
              );
            }
            if (m.repointed.length > 0) {
              pulumi.log.info(
                `the new revision of ${cur.family} gives ${m.repointed.join(', ')} the database and TLS variables, passwords and /certs mount ` +
                  'of the ToolJet container too: they talk to the database (docs/targets.md "ECS")',
                this,
              );
            }
            return m;
          }),
      );
    const containers = merged.apply((m) => m.containerDefinitions);
    const pick = <K extends keyof CurrentEcsTaskDefinition>(k: K) =>
      current.apply((c) => c[k]) as pulumi.Output<NonNullable<CurrentEcsTaskDefinition[K]>>;
    const family = s.family !== undefined ? pulumi.output(s.family) : pick('family');

    const createdVersions = Object.values(this.createdSecrets).map((c) => c!.version);
    this.taskDefinition = new aws.ecs.TaskDefinition(
      `${name}-task`,
      {
        family,
        // Everything task-level comes from the current definition; cpu/memory only change when configured.
        networkMode: pick('networkMode'),
        requiresCompatibilities: pick('requiresCompatibilities'),
        cpu: s.cpu ?? pick('cpu'),
        memory: s.memory ?? pick('memory'),
        executionRoleArn: s.executionRoleArn,
        taskRoleArn: s.taskRoleArn,
        pidMode: pick('pidMode'),
        ipcMode: pick('ipcMode'),
        enableFaultInjection: pick('enableFaultInjection'),
        runtimePlatform: pick('runtimePlatform'),
        ephemeralStorage: pick('ephemeralStorage'),
        proxyConfiguration: pick('proxyConfiguration'),
        placementConstraints: pick('placementConstraints'),
        // The document mergeEcsTaskDefinition produced and checkEcsTaskDefinitionSize accepted (64 KB).
        containerDefinitions: containers.apply((c) => JSON.stringify(c)),
        // Same shapes as the resource's volumes (currentEcsTaskDefinition converted the lookup's block lists).
        volumes: merged.apply((m) => m.volumes as aws.types.input.ecs.TaskDefinitionVolume[]),
        // Keep old revisions registered: the service (and a rollback of it) may still run them.
        skipDestroy: true,
        tags: family.apply((f) => targetTags(args, f, TARGET_PURPOSES.taskDefinition)),
      },
      // The secrets must hold their values before a task that reads them can start.
      { parent: this, dependsOn: createdVersions },
    );
    this.taskDefinitionArn = this.taskDefinition.arn;
    this.revision = this.taskDefinition.revision;

    // The execution role reads exactly the secrets the containers reference; the task role exactly the bundle object.
    const executionPolicyName = inlinePolicyName(args.stack, 'ecs-secrets');
    const taskPolicyName = inlinePolicyName(args.stack, 'ecs-rds-ca-bundle');
    this.executionRolePolicy = new aws.iam.RolePolicy(
      `${name}-execution-secrets`,
      {
        role: roleNameFromArn(s.executionRoleArn),
        name: executionPolicyName,
        policy: containers.apply((c: ContainerDefinition[]) =>
          JSON.stringify(renderEcsExecutionRolePolicy(c, { kmsKeyArns: [...s.kmsKeyArns, ...createdKmsKeys(s)] })),
        ),
      },
      { parent: this, ...KEEP_ON_DELETE },
    );
    this.taskRolePolicy = new aws.iam.RolePolicy(
      `${name}-task-rds-ca-bundle`,
      {
        role: roleNameFromArn(s.taskRoleArn),
        name: taskPolicyName,
        policy: pulumi.all([bundle.ref, bundle.kmsKeyArn]).apply(([o, kmsKeyArn]) =>
          JSON.stringify(
            renderEcsTaskRolePolicy(o, {
              partition: partitionOf(s.taskRoleArn),
              region,
              ...(kmsKeyArn !== undefined && { kmsKeyArn }),
            }),
          ),
        ),
      },
      { parent: this, ...KEEP_ON_DELETE },
    );

    if (s.updateService) {
      const timeoutSeconds = s.deployTimeoutSeconds;
      const script = scriptText(ECS_DEPLOY_SCRIPT);
      this.deploy = new command.local.Command(
        `${name}-deploy`,
        {
          create: script,
          update: script,
          // /bin/sh -c through the timing wrapper: prints the measured duration (cutover/timing.ts).
          interpreter: timedInterpreter(phaseLabel(PHASES.repoint, 'ecs')),
          // The role policies the new tasks need, so the script waits for IAM to return them (eventual consistency).
          environment: pulumi
            .all([this.taskDefinitionArn, this.executionRolePolicy.policy, this.taskRolePolicy.policy])
            .apply(([taskDefinitionArn, executionPolicy, taskPolicy]) =>
              ecsDeployEnvironment({
                cluster: s.cluster,
                service: s.service,
                taskDefinitionArn,
                timeoutSeconds,
                rolePolicies: [
                  {
                    role: roleNameFromArn(s.executionRoleArn),
                    name: executionPolicyName,
                    policy: executionPolicy,
                  },
                  {
                    role: roleNameFromArn(s.taskRoleArn),
                    name: taskPolicyName,
                    policy: taskPolicy,
                  },
                ],
                cli: args.cli,
              }),
            ),
          // A new revision (new ARN) is a new deployment.
          triggers: [this.taskDefinition.arn],
          // Output is service names, ARNs and rollout states: no secrets pass through this command.
          logging: 'stdoutAndStderr',
          addPreviousOutputInEnv: false,
        },
        {
          parent: this,
          dependsOn: [
            this.taskDefinition,
            this.executionRolePolicy,
            this.taskRolePolicy,
            this.caBundle,
            ...createdVersions,
          ],
          customTimeouts: { create: `${timeoutSeconds + 300}s`, update: `${timeoutSeconds + 300}s` },
        },
      );
    }

    this.registerOutputs({
      taskDefinitionArn: this.taskDefinitionArn,
      revision: this.revision,
      caBundleUrl: this.caBundleUrl,
      currentTaskDefinitionArn: this.currentTaskDefinitionArn,
    });
  }
}

/** The created secrets' KMS key, when it is given as a key ARN. */
function createdKmsKeys(s: EcsTargetConfig): string[] {
  return createdSecretsKmsKeys(
    s.secretsKmsKeyId,
    Object.values(s.secrets).some((x) => x?.kind === 'create'),
  );
}

function partitionOf(arn: string): string {
  return arn.split(':')[1] ?? 'aws';
}

/** The ECS target's stack outputs (no secret). */
export interface EcsOutputs {
  ecsTaskDefinitionArn: pulumi.Output<string>;
  ecsTaskDefinitionRevision: pulumi.Output<number>;
  ecsService: string;
  ecsCaBundleObject: string;
  /** Only with targets.ecs.updateService false: the command that deploys the revision. */
  ecsDeployCommand?: pulumi.Output<string>;
}

/** The component of targets.ecs (named `ecs`) and its outputs. */
export function deployEcs(
  args: EcsTargetArgs,
  opts: pulumi.ComponentResourceOptions,
): { component: EcsTarget; outputs: EcsOutputs } {
  const s = args.settings;
  const t = new EcsTarget('ecs', args, opts);
  return {
    component: t,
    outputs: {
      ecsTaskDefinitionArn: t.taskDefinitionArn,
      ecsTaskDefinitionRevision: t.revision,
      ecsService: `${s.cluster}/${s.service}`,
      ecsCaBundleObject: t.caBundleUrl,
      ...(!s.updateService && {
        ecsDeployCommand: t.taskDefinitionArn.apply(
          (arn) => `aws ecs update-service --cluster ${s.cluster} --service ${s.service} --task-definition ${arn}`,
        ),
      }),
    },
  };
}
