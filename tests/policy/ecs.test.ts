import { strict as assert } from 'assert';
import type * as aws from '@pulumi/aws';
import type { Unwrap } from '@pulumi/pulumi';
import { ecsEnvironmentIssues, ecsNoSecretsInEnvironment, TYPES } from '../../policy/policies';
import { runPolicy, secret, UNKNOWN } from './harness';

type TaskDefinitionProps = Unwrap<aws.ecs.TaskDefinitionArgs>;
type ContainerDefinition = Unwrap<aws.ecs.ContainerDefinition>;

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:tooljet';

const tooljet: ContainerDefinition = {
  name: 'tooljet',
  image: 'tooljet/tooljet:ee-lts-latest',
  essential: true,
  portMappings: [{ containerPort: 3000 }],
  environment: [
    { name: 'PG_HOST', value: 'tooljet-db-pg16.abc.eu-west-1.rds.amazonaws.com' },
    { name: 'PG_USER', value: 'tooljet' },
    { name: 'PGSSLMODE', value: 'verify-full' },
    { name: 'PGSSLROOTCERT', value: '/certs/global-bundle.pem' },
    { name: 'NODE_EXTRA_CA_CERTS', value: '/certs/global-bundle.pem' },
    { name: 'TOOLJET_HOST', value: 'https://tooljet.example.com' },
  ],
  secrets: [
    { name: 'PG_PASS', valueFrom: `${ARN}:PG_PASS::` },
    { name: 'LOCKBOX_MASTER_KEY', valueFrom: `${ARN}:LOCKBOX_MASTER_KEY::` },
    { name: 'SECRET_KEY_BASE', valueFrom: `${ARN}:SECRET_KEY_BASE::` },
  ],
};

const postgrest = (environment: ContainerDefinition['environment']): ContainerDefinition => ({
  name: 'postgrest',
  image: 'postgrest/postgrest:v12.2.0',
  essential: true,
  environment,
  secrets: [{ name: 'PGRST_DB_URI', valueFrom: `${ARN}:PGRST_DB_URI::` }],
});

function taskDefinition(containers: ContainerDefinition[]): TaskDefinitionProps {
  return {
    family: 'tooljet',
    requiresCompatibilities: ['FARGATE'],
    networkMode: 'awsvpc',
    cpu: '1024',
    memory: '2048',
    containerDefinitions: JSON.stringify(containers),
  };
}

const resource = (props: TaskDefinitionProps | Record<string, unknown>, config?: Record<string, unknown>) => ({
  type: TYPES.ecsTaskDefinition,
  props: props as Record<string, unknown>,
  name: 'tooljet',
  config,
});

describe('policy: ecs-no-secrets-in-environment', () => {
  it('passes ToolJet + PostgREST with every secret in `secrets` (valueFrom)', async () => {
    const props = taskDefinition([tooljet, postgrest([{ name: 'PGRST_DB_SCHEMAS', value: 'public' }])]);
    assert.deepEqual(await runPolicy(ecsNoSecretsInEnvironment, resource(props)), { violations: [] });
  });

  it('flags only the sidecar when the sidecar alone puts a secret in environment', async () => {
    const props = taskDefinition([
      tooljet,
      postgrest([
        { name: 'PGRST_DB_SCHEMAS', value: 'public' },
        { name: 'PGRST_JWT_SECRET', value: 's3cr3t-jwt-value' },
      ]),
    ]);
    const run = await runPolicy(ecsNoSecretsInEnvironment, resource(props));
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0],
      /container "postgrest": plain-text environment holds secret-looking names PGRST_JWT_SECRET\./,
    );
    assert.match(run.violations[0], /secrets: \[\{ name: "PGRST_JWT_SECRET", valueFrom: "<ARN>" \}\]/);
    assert.doesNotMatch(run.violations[0], /s3cr3t-jwt-value/, 'the message must not repeat the secret');
    assert.doesNotMatch(run.violations[0], /container "tooljet"/);
  });

  it('matches PASS, SECRET, KEY and TOKEN in any case, and lists them all per container', async () => {
    const props = taskDefinition([
      {
        ...tooljet,
        environment: [
          { name: 'db_password', value: 'x' },
          { name: 'Lockbox_Master_Key', value: 'x' },
          { name: 'SECRET_KEY_BASE', value: 'x' },
          { name: 'github_token', value: 'x' },
          { name: 'PG_HOST', value: 'db' },
        ],
      },
    ]);
    const run = await runPolicy(ecsNoSecretsInEnvironment, resource(props));
    assert.equal(run.violations.length, 1);
    assert.match(run.violations[0], /names db_password, Lockbox_Master_Key, SECRET_KEY_BASE, github_token\./);
  });

  it('flags a connection URI that embeds a password whatever its name, but not one without a password', async () => {
    const withPassword = postgrest([{ name: 'PGRST_DB_URI', value: 'postgres://authenticator:pw@db:5432/tooljet_db' }]);
    const run = await runPolicy(ecsNoSecretsInEnvironment, resource(taskDefinition([withPassword])));
    assert.equal(run.violations.length, 1);
    assert.match(run.violations[0], /connection URIs with an embedded password in PGRST_DB_URI/);
    assert.doesNotMatch(run.violations[0], /authenticator:pw/);
    const noPassword = postgrest([{ name: 'PGRST_DB_URI', value: 'postgres://authenticator@db:5432/tooljet_db' }]);
    assert.deepEqual(
      (await runPolicy(ecsNoSecretsInEnvironment, resource(taskDefinition([noPassword])))).violations,
      [],
    );
  });

  it('lets the policy config allow a name that only looks secret', async () => {
    const props = taskDefinition([{ ...tooljet, environment: [{ name: 'KEYCLOAK_URL', value: 'https://sso' }] }]);
    assert.equal((await runPolicy(ecsNoSecretsInEnvironment, resource(props))).violations.length, 1);
    const allowed = await runPolicy(ecsNoSecretsInEnvironment, resource(props, { allowedNames: ['KEYCLOAK_URL'] }));
    assert.deepEqual(allowed.violations, []);
  });

  it('inspects containerDefinitions marked secret', async () => {
    const defs = taskDefinition([{ ...tooljet, environment: [{ name: 'PG_PASS', value: 'x' }] }]).containerDefinitions;
    const run = await runPolicy(
      ecsNoSecretsInEnvironment,
      resource({ family: 'tooljet', containerDefinitions: secret(defs) }),
    );
    assert.equal(run.violations.length, 1);
  });

  it('refuses containerDefinitions that are not a JSON array, saying how to render them', async () => {
    const run = await runPolicy(
      ecsNoSecretsInEnvironment,
      resource({ family: 'tooljet', containerDefinitions: '{"name":' }),
    );
    assert.equal(run.violations.length, 1);
    assert.match(run.violations[0], /containerDefinitions could not be checked .*JSON\.stringify/);
  });

  it('defers containerDefinitions that are unknown at preview to `pulumi up`', async () => {
    const run = await runPolicy(
      ecsNoSecretsInEnvironment,
      resource({ family: 'tooljet', containerDefinitions: UNKNOWN.string }),
    );
    assert.deepEqual(run.violations, []);
    assert.match(run.advisory ?? '', /containerDefinitions can't be known during preview/);
  });

  it('ecsEnvironmentIssues labels unnamed containers by position', () => {
    const issues = ecsEnvironmentIssues(
      JSON.stringify([{ image: 'x', environment: [{ name: 'API_TOKEN', value: 'x' }] }]),
      [],
    );
    assert.deepEqual(issues, [{ container: '#0', names: ['API_TOKEN'], uriNames: [] }]);
  });
});
