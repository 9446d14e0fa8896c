// `pulumi destroy`, or removing a target from the stack, must not break the ToolJet that still runs with what the
// target set up (issue 12 item 2). Under Pulumi mocks, the real program (Pulumi.staging.yaml, all four kinds): every
// resource a running ToolJet reads carries retainOnDelete (the engine then forgets it without calling the provider's
// Delete), the ECS revision skipDestroy, and no target command runs anything on delete. What deleting a Patch would do
// instead is modelled after pulumi-kubernetes (mocks.ts relinquishPatch: RFC #2011 item 7, #2104, #2149, #2253).
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { fakeKubernetes, plain, RecordedResource, relinquishPatch } from '../../helpers/mocks';
import { ProgramRun, runProgram, stackValue } from '../../helpers/program';
import { REPO_ROOT } from '../../helpers/stack-file';

const APP_SECRETS = {
  lockboxMasterKey: 'ab'.repeat(32),
  secretKeyBase: 'cd'.repeat(64),
  pgrstJwtSecret: 'j'.repeat(40),
};

/** What each kind's running ToolJet reads after pulumi up (type::name). */
const USED_BY_TOOLJET = [
  // ECS: every new task downloads the bundle, reads the secrets with the execution role's policy.
  'aws:s3/bucketObjectv2:BucketObjectv2::ecs-rds-ca-bundle',
  'aws:secretsmanager/secret:Secret::ecs-pg-password',
  'aws:secretsmanager/secretVersion:SecretVersion::ecs-pg-password-value',
  'aws:iam/rolePolicy:RolePolicy::ecs-execution-secrets',
  'aws:iam/rolePolicy:RolePolicy::ecs-task-rds-ca-bundle',
  // AMI: every new instance does the same at boot with its role.
  'aws:s3/bucketObjectv2:BucketObjectv2::ami-rds-ca-bundle',
  'aws:secretsmanager/secret:Secret::ami-pg-password',
  'aws:secretsmanager/secretVersion:SecretVersion::ami-pg-password-value',
  'aws:iam/rolePolicy:RolePolicy::ami-instance-role',
  // EKS: the pods mount the ConfigMap and run with the patched Secret and Deployments.
  'kubernetes:core/v1:ConfigMap::eks-rds-ca-bundle',
  'kubernetes:core/v1:SecretPatch::eks-server-secret',
  'kubernetes:apps/v1:DeploymentPatch::eks-patch-tooljet',
  'kubernetes:apps/v1:DeploymentPatch::eks-patch-tooljet-postgrest',
];
const TARGET_COMPONENTS = /::tooljet-pg-upgrade:targets:(Ecs|Eks|Ami|Docker)Target::/;

describe('pulumi destroy or removing a target leaves what a running ToolJet uses (issue 12 item 2)', () => {
  let run: ProgramRun;
  before(async () => (run = await runProgram({ stack: 'staging', secrets: APP_SECRETS })));
  const id = (r: RecordedResource) => `${r.type}::${r.name}`;
  const targetResources = () => run.resources.filter((r) => r.custom && TARGET_COMPONENTS.test(r.options.parent));

  it('every resource a running ToolJet reads is retained on delete', () => {
    const retained = targetResources()
      .filter((r) => r.options.retainOnDelete)
      .map(id)
      .sort();
    assert.deepEqual(retained, [...USED_BY_TOOLJET].sort());
  });

  it('the rest deletes nothing ToolJet uses: the ECS revision stays registered, the commands run nothing on delete', () => {
    const rest = targetResources().filter((r) => !r.options.retainOnDelete);
    assert.deepEqual(rest.map(id).sort(), [
      'aws:ecs/taskDefinition:TaskDefinition::ecs-task',
      'command:local:Command::ami-launch-template-version',
      'command:local:Command::docker-write-files',
      'command:local:Command::ecs-deploy',
    ]);
    for (const r of rest) {
      if (r.type === 'aws:ecs/taskDefinition:TaskDefinition')
        assert.equal(r.inputs.skipDestroy, true, 'kept registered');
      else assert.equal(r.inputs.delete, undefined, `${r.name}: no delete command`);
    }
  });

  it('EKS secretMode create: the whole Secret the pods load is retained as well', async () => {
    const targets = { ...stackValue('staging', 'targets'), eks: { secretMode: 'create' } };
    const r = await runProgram({ stack: 'staging', secrets: APP_SECRETS, set: { targets } });
    const secret = r.resources.find((x) => x.type === 'kubernetes:core/v1:Secret' && x.name === 'eks-server-secret');
    assert.ok(secret?.options.retainOnDelete);
  });

  it('a Patch deleted without it would strip the database/TLS settings from the live Deployment; retained, they stay', () => {
    const patch = run.resources.find((r) => id(r) === 'kubernetes:apps/v1:DeploymentPatch::eks-patch-tooljet')!;
    const before = fakeKubernetes().objects['Deployment/tooljet/tooljet'];
    const live = run.mocks.aws.kubernetes.objects['Deployment/tooljet/tooljet'];
    const container = (o: any) => o.spec.template.spec.containers.find((c: { name: string }) => c.name === 'tooljet');
    const env = (o: any) =>
      Object.fromEntries((container(o).env as Array<{ name: string; value?: string }>).map((e) => [e.name, e.value]));
    // Retained: the live object as pulumi up left it.
    assert.equal(env(live).PGSSLMODE, 'verify-full');
    assert.equal(env(live).NODE_EXTRA_CA_CERTS, '/certs/global-bundle.pem');
    assert.ok(container(live).volumeMounts.some((m: { mountPath: string }) => m.mountPath === '/certs'));
    // Deleted: the Patch's field manager applies an empty object; everything it set goes.
    const gone = relinquishPatch(before, live, plain({ metadata: patch.inputs.metadata, spec: patch.inputs.spec }));
    assert.equal(env(gone).PGSSLMODE, undefined);
    assert.equal(env(gone).NODE_EXTRA_CA_CERTS, undefined);
    assert.ok('PG_HOST' in env(gone) && env(gone).PG_HOST === undefined, 'PG_HOST loses its value (forced, so ours)');
    assert.equal(container(gone).volumeMounts, undefined, 'the /certs mount is gone');
    assert.ok(!(gone.spec.template.spec.volumes ?? []).some((v: { name: string }) => v.name === 'rds-ssl-cert'));
    assert.equal(env(gone).TOOLJET_HOST, 'https://tooljet.example.com', 'what the patch never set stays');
  });

  it('docs/targets.md says what pulumi destroy leaves and how to remove it after re-pointing', () => {
    const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs/targets.md'), 'utf8');
    const start = doc.indexOf('## What `pulumi destroy` leaves');
    assert.ok(start >= 0, 'the section exists');
    const section = doc.slice(start, doc.indexOf('\n## ', start + 3));
    for (const what of [
      'retainOnDelete',
      'aws s3api delete-object',
      'aws secretsmanager delete-secret',
      'aws iam delete-role-policy',
      'kubectl -n tooljet delete configmap rds-ssl-cert',
      'skipDestroy',
      'launch template version',
      're-create',
    ])
      assert.ok(section.includes(what), what);
  });
});
