// What the EKS target leaves in the stack state (issue 12 item 4). pulumi-kubernetes checkpoints the whole live object
// a Patch applies to, and marks only a Secret's data secret by itself; ToolJet's chart keeps PG_PASS, TOOLJET_DB_PASS,
// PGRST_JWT_SECRET (and a PGRST_DB_URI with the password) as plain env[].value in its Deployments (ToolJet/helm-charts,
// charts/tooljet/templates/deployment.yaml and deployment-pgrst.yml). The mock answers a Patch with that live object
// (tests/helpers/fixtures/tooljet-chart-live.json, server-side applied) holding this stack's own passwords, as a real
// cluster installed with the same values would; `checkpoint` splits the state as the engine writes it: encrypted
// (additionalSecretOutputs, secret inputs) or clear text.
import { strict as assert } from 'assert';
import { checkpoint, fakeAws, fakeKubernetes, RecordedResource } from '../../helpers/mocks';
import { runProgram, stackValue, TEST_PASSWORD } from '../../helpers/program';
import { leakForms } from '../../helpers/targets';

const APP_SECRETS = {
  lockboxMasterKey: 'e1'.repeat(32),
  secretKeyBase: 'f2'.repeat(64),
  pgrstJwtSecret: `jwt-state-${'9'.repeat(30)}`,
};
const SECRETS: Record<string, string> = { dbPassword: TEST_PASSWORD, ...APP_SECRETS };
const chart = () =>
  fakeKubernetes({
    pgPassword: TEST_PASSWORD,
    pgrstJwtSecret: APP_SECRETS.pgrstJwtSecret,
    lockboxMasterKey: APP_SECRETS.lockboxMasterKey,
    secretKeyBase: APP_SECRETS.secretKeyBase,
  });

function leaked(value: unknown): string[] {
  const text = JSON.stringify(value);
  return Object.entries(SECRETS)
    .filter(([, v]) => leakForms(v).some((f) => text.includes(f)))
    .map(([k]) => k);
}

describe('targets/eks: no password in clear text in the stack state', () => {
  for (const secretMode of ['patch', 'create']) {
    it(`secretMode ${secretMode}: the patched Deployments' live objects hold the passwords, and the state encrypts them`, async () => {
      const eks = { ...(stackValue('staging', 'targets').eks as object), secretMode };
      const run = await runProgram({
        stack: 'staging',
        secrets: APP_SECRETS,
        aws: fakeAws({ kubernetes: chart() }),
        set: { targets: { eks } },
      });
      const k8s = run.resources.filter((r) => r.type.startsWith('kubernetes:') && r.custom);
      const patches = k8s.filter((r) => r.type === 'kubernetes:apps/v1:DeploymentPatch');
      assert.equal(patches.length, 2);
      // Like the API server: the whole live object, the chart's plain env values included (the PostgREST patch
      // replaces the chart's PGRST_DB_URI by a password-free one, but PGRST_JWT_SECRET stays).
      const state = (name: string) => patches.find((p) => p.name === name)!.state;
      assert.deepEqual(leaked(state('eks-patch-tooljet')), ['dbPassword', 'pgrstJwtSecret']);
      assert.deepEqual(leaked(state('eks-patch-tooljet-postgrest')), ['pgrstJwtSecret']);
      for (const r of k8s as RecordedResource[]) {
        const { plain, secret } = checkpoint(r);
        assert.deepEqual(
          leaked(plain),
          [],
          `${r.type}::${r.name} keeps ${leaked(plain).join(', ')} in clear text (encrypted: ${secret.join(', ')})`,
        );
      }
      for (const p of patches) assert.deepEqual(p.options.additionalSecretOutputs, ['spec', 'metadata']);
    });
  }
});
