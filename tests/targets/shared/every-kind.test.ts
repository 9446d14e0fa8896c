// All four targets rendered from one stack-like input, the way the components will call them: the secret values
// exist (they fill Secrets Manager, the Docker .env and the Kubernetes Secret), everything else gets references.
import { strict as assert } from 'assert';
import { renderAmiUserData } from '../../../targets/ami/render';
import { planDockerTarget } from '../../../targets/docker/render';
import {
  renderEcsContainerDefinitions,
  renderEcsExecutionRolePolicy,
  renderEcsTaskDefinition,
  renderEcsTaskRolePolicy,
} from '../../../targets/ecs/render';
import { renderEksTarget } from '../../../targets/eks/render';
import { DatabaseTarget } from '../../../targets/shared/render';
import {
  assertNoSecrets,
  CaFixture,
  CLONE,
  fakeSecrets,
  FakeSecrets,
  makeCaBundle,
  SOURCE,
} from '../../helpers/targets';
import { caBundleSha256 } from '../../../lib/tls/ca-bundle';

const arn = (name: string) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}-AbCdEf`;

describe('all targets from one input', () => {
  let ca: CaFixture;
  let secrets: FakeSecrets;
  before(() => {
    ca = makeCaBundle();
    secrets = fakeSecrets();
  });
  after(() => ca.cleanup());

  function renderAll(database: DatabaseTarget) {
    const ecsInput = {
      database,
      secrets: {
        pgPassword: { arn: arn('pg') },
        tooljetDbPassword: { arn: arn('tjdb') },
        lockboxMasterKey: { arn: arn('lockbox') },
        secretKeyBase: { arn: arn('skb') },
        pgrstJwtSecret: { arn: arn('jwt') },
      },
      caBundle: ca.bundle,
      caBundleObject: { bucket: 'tooljet-rds-ca', key: 'global-bundle.pem' },
      region: 'eu-west-1',
      tooljetHost: 'https://tooljet.example.com',
      tooljetImage: 'tooljet/tooljet:ee-lts-3.16.25',
    };
    const containers = renderEcsContainerDefinitions(ecsInput);
    const docker = planDockerTarget(
      '/srv/tooljet',
      { database, secrets: { ...secrets }, tooljetHost: 'https://tooljet.example.com', caBundle: ca.bundle },
      undefined,
    );
    const eks = renderEksTarget({ database, secrets: { ...secrets }, caBundle: ca.bundle });
    return {
      public: {
        ecsTaskDefinition: renderEcsTaskDefinition(ecsInput, {
          executionRoleArn: 'arn:aws:iam::123456789012:role/exec',
          taskRoleArn: 'arn:aws:iam::123456789012:role/task',
        }),
        ecsExecutionPolicy: renderEcsExecutionRolePolicy(containers),
        ecsTaskPolicy: renderEcsTaskRolePolicy(ecsInput.caBundleObject),
        amiUserData: renderAmiUserData({
          database,
          region: 'eu-west-1',
          caBundle: ca.bundle,
          caBundleSource: { s3: ecsInput.caBundleObject },
          pgPassword: { secretsManager: { secretId: arn('pg') } },
          tooljetDbPassword: { secretsManager: { secretId: arn('tjdb') } },
        }),
        eksConfigMap: eks.caConfigMap,
        eksDeploymentPatches: eks.deploymentPatches,
        eksPostgrestPatch: eks.postgrestPatch,
        dockerOverride: docker.files.override.text,
        dockerSummary: docker.summary,
      },
      secretStores: { dockerEnv: docker.files.env.text, eksSecret: eks.secret },
    };
  }

  it('no secret value appears in task definitions, policies, user-data, ConfigMaps, patches or previews', () => {
    const all = renderAll(CLONE);
    for (const [name, artifact] of Object.entries(all.public)) assertNoSecrets(name, artifact, { ...secrets });
    // ...and the check would see them: the secret stores do contain each one.
    for (const v of Object.values(secrets)) {
      assert.ok(all.secretStores.dockerEnv.includes(v));
      assert.ok(Object.values(all.secretStores.eksSecret.stringData).includes(v));
    }
  });

  it('every target carries the same bundle: the PEM itself (Docker, EKS) or its SHA-256 (ECS, AMI)', () => {
    const all = renderAll(CLONE);
    const sha = caBundleSha256(ca.pem);
    assert.ok(JSON.stringify(all.public.ecsTaskDefinition).includes(sha));
    assert.ok(all.public.amiUserData.includes(`TJ_CA_SHA256='${sha}'`));
    assert.equal(all.public.eksConfigMap.data['global-bundle.pem'], ca.pem);
    assert.ok(all.public.dockerSummary.includes(sha));
  });

  it('flipping the active database to the source changes the host in every target and nothing else', () => {
    const clone = renderAll(CLONE);
    const source = renderAll(SOURCE);
    for (const name of Object.keys(clone.public) as Array<keyof typeof clone.public>) {
      const a = JSON.stringify(clone.public[name]);
      const b = JSON.stringify(source.public[name]);
      if (['ecsExecutionPolicy', 'ecsTaskPolicy', 'eksConfigMap', 'dockerOverride'].includes(name)) {
        assert.equal(a, b, `${name} does not depend on the database`);
        continue;
      }
      assert.ok(a.includes(CLONE.host), `${name} names the clone`);
      assert.ok(!b.includes(CLONE.host), `${name} no longer names the clone after the flip`);
      assert.equal(a.split(CLONE.host).join(SOURCE.host), b, `${name}: only the host moved`);
    }
  });
});
