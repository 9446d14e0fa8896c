// targets.eks through parseStackConfig (targets/eks/settings.ts): defaults, every key typed, and one clear line per
// bad value (naming the full key, never echoing a secret).
import { strict as assert } from 'assert';
import { JWT, LOCKBOX, oneProblem, parse, problems, SKB } from '../../helpers/settings';
import { writeTempFile } from '../../helpers/program';

describe('targets/eks/settings: targets.eks through parseStackConfig', () => {
  it("{} means the Helm chart's names in namespace tooljet, patch mode, the ambient kubeconfig", () => {
    const c = parse({ targets: { eks: {} } });
    assert.deepEqual(c.targets.eks, {
      namespace: 'tooljet',
      secretName: 'tooljet-server',
      secretMode: 'patch',
      configMapName: 'rds-ssl-cert',
      workloads: [{ deployment: 'tooljet', container: 'tooljet' }],
      postgrest: { deployment: 'tooljet-postgrest', container: 'postgrest' },
    });
  });

  it('types every key; kubeconfig is resolved and must exist', () => {
    const kubeconfig = writeTempFile('config', 'apiVersion: v1\n');
    const c = parse({
      targets: {
        eks: {
          namespace: 'apps',
          secretName: 'tj',
          configMapName: 'ca',
          workloads: [
            { deployment: 'tj', container: 'server' },
            { deployment: 'tj-worker', container: 'worker' },
          ],
          postgrest: false,
          kubeconfig,
          context: 'arn:aws:eks:eu-west-1:123456789012:cluster/x',
        },
      },
    });
    assert.deepEqual(c.targets.eks, {
      namespace: 'apps',
      secretName: 'tj',
      secretMode: 'patch',
      configMapName: 'ca',
      workloads: [
        { deployment: 'tj', container: 'server' },
        { deployment: 'tj-worker', container: 'worker' },
      ],
      postgrest: false,
      kubeconfig,
      context: 'arn:aws:eks:eu-west-1:123456789012:cluster/x',
    });
    oneProblem(
      { targets: { eks: { kubeconfig: 'certs/missing-kubeconfig' } } },
      /targets\.eks\.kubeconfig: certs\/missing-kubeconfig does not exist; write it with: aws eks update-kubeconfig --name <cluster> --kubeconfig certs\/missing-kubeconfig$/,
    );
  });

  it('secretMode create needs the three app secrets as Pulumi secrets', () => {
    oneProblem(
      { targets: { eks: { secretMode: 'create' } } },
      /targets\.eks\.secretMode: "create" makes the component own the whole Secret, so it needs lockboxMasterKey, secretKeyBase, pgrstJwtSecret as Pulumi secrets/,
    );
    const c = parse(
      {
        lockboxMasterKey: LOCKBOX,
        secretKeyBase: SKB,
        pgrstJwtSecret: JWT,
        targets: { eks: { secretMode: 'create' } },
      },
      ['dbPassword', 'lockboxMasterKey', 'secretKeyBase', 'pgrstJwtSecret'],
    );
    assert.equal(c.targets.eks!.secretMode, 'create');
  });

  it('refuses names Kubernetes refuses and a PostgREST Deployment also listed as a workload', () => {
    const p = problems({
      targets: {
        eks: { namespace: 'Tool_Jet', workloads: [{ deployment: 'tooljet-postgrest', container: 'postgrest' }] },
      },
    });
    assert.equal(p.length, 2, p.join('\n'));
    assert.match(p[0], /targets\.eks\.namespace: "Tool_Jet" is not valid; use a Kubernetes name/);
    assert.match(p[1], /targets\.eks\.postgrest: Deployment "tooljet-postgrest" is also listed in workloads/);
  });
});
