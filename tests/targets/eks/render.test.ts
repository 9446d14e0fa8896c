import { strict as assert } from 'assert';
import { CA_HASH_ANNOTATION, EksTargetInput, renderEksTarget } from '../../../targets/eks/render';
import {
  assertNoSecrets,
  CaFixture,
  CLONE,
  fakeSecrets,
  FakeSecrets,
  makeCaBundle,
  onlyHostMoves,
} from '../../helpers/targets';
import { caBundleSha256 } from '../../../lib/tls/ca-bundle';

describe('targets/eks/render: Secret, CA ConfigMap and Deployment patches for the ToolJet Helm chart', () => {
  let ca: CaFixture;
  let secrets: FakeSecrets;
  before(() => {
    ca = makeCaBundle();
    secrets = fakeSecrets();
  });
  after(() => ca.cleanup());

  const input = (over: Partial<EksTargetInput> = {}): EksTargetInput => ({
    database: CLONE,
    secrets: { ...secrets },
    caBundle: ca.bundle,
    ...over,
  });

  type Patch = ReturnType<typeof renderEksTarget>['deploymentPatches'][number];
  const container = (p: Patch) =>
    p.spec.template.spec.containers[0] as {
      name: string;
      env: Array<{ name: string; value?: string; valueFrom?: unknown }>;
      volumeMounts: unknown[];
    };
  const envOf = (p: Patch) => Object.fromEntries(container(p).env.map((e) => [e.name, e.value ?? e.valueFrom]));

  it("uses the chart's names by default: Secret tooljet-server, ConfigMap rds-ssl-cert, Deployments tooljet and tooljet-postgrest", () => {
    const t = renderEksTarget(input());
    assert.deepEqual(t.secret.metadata, { name: 'tooljet-server', namespace: 'tooljet' });
    assert.deepEqual(t.caConfigMap.metadata, { name: 'rds-ssl-cert', namespace: 'tooljet' });
    assert.deepEqual(
      t.deploymentPatches.map((p) => [p.metadata.name, container(p).name]),
      [['tooljet', 'tooljet']],
    );
    assert.deepEqual(
      [t.postgrestPatch!.metadata.name, container(t.postgrestPatch!).name],
      ['tooljet-postgrest', 'postgrest'],
    );
  });

  it('puts the bundle in the ConfigMap under global-bundle.pem, byte for byte', () => {
    const { caConfigMap } = renderEksTarget(input());
    assert.deepEqual(Object.keys(caConfigMap.data), ['global-bundle.pem']);
    assert.equal(caConfigMap.data['global-bundle.pem'], ca.pem);
  });

  it('patches the tooljet container: volume, read-only mount at /certs, PGSSLMODE and NODE_EXTRA_CA_CERTS', () => {
    const [p] = renderEksTarget(input()).deploymentPatches;
    assert.deepEqual(p.spec.template.spec.volumes, [
      {
        name: 'rds-ssl-cert',
        configMap: {
          name: 'rds-ssl-cert',
          items: [{ key: 'global-bundle.pem', path: 'global-bundle.pem' }],
          defaultMode: 0o644,
        },
      },
    ]);
    assert.deepEqual(container(p).volumeMounts, [{ name: 'rds-ssl-cert', mountPath: '/certs', readOnly: true }]);
    const env = envOf(p);
    assert.equal(env.PGSSLMODE, 'verify-full');
    assert.equal(env.NODE_EXTRA_CA_CERTS, '/certs/global-bundle.pem', 'mountPath + ConfigMap key');
    assert.equal(env.PGSSLROOTCERT, '/certs/global-bundle.pem');
    // The chart sets these under `env`, which beats the Secret's envFrom: the patch must set them too.
    assert.equal(env.PG_HOST, CLONE.host);
    assert.equal(env.TOOLJET_DB_HOST, CLONE.host);
    assert.equal(
      p.spec.template.metadata.annotations[CA_HASH_ANNOTATION],
      caBundleSha256(ca.pem),
      'a new bundle rolls the pods',
    );
    assert.equal(p.metadata.annotations['pulumi.com/patchForce'], 'true');
  });

  it('points PostgREST at the bundle with a password-free URI and PGPASSWORD from the Secret', () => {
    const p = renderEksTarget(input()).postgrestPatch!;
    assert.deepEqual(container(p).env, [
      {
        name: 'PGRST_DB_URI',
        value: `postgres://tooljet_app@${CLONE.host}:5432/tooljet_db?sslmode=verify-full&sslrootcert=/certs/global-bundle.pem`,
      },
      { name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: 'tooljet-server', key: 'TOOLJET_DB_PASS' } } },
    ]);
    assert.deepEqual(container(p).volumeMounts, [{ name: 'rds-ssl-cert', mountPath: '/certs', readOnly: true }]);
    assert.equal(renderEksTarget(input({ postgrest: false })).postgrestPatch, undefined);
  });

  it('keeps secret values in the Secret only: none in the ConfigMap or the patches', () => {
    const t = renderEksTarget(input());
    assertNoSecrets('ConfigMap', t.caConfigMap, { ...secrets });
    for (const p of [...t.deploymentPatches, t.postgrestPatch!])
      assertNoSecrets(`patch ${p.metadata.name}`, p, { ...secrets });
    const sd = t.secret.stringData;
    assert.equal(sd.PG_PASS, secrets.pgPassword);
    assert.equal(sd.TOOLJET_DB_PASS, secrets.tooljetDbPassword);
    assert.equal(sd.LOCKBOX_MASTER_KEY, secrets.lockboxMasterKey);
    assert.equal(sd.SECRET_KEY_BASE, secrets.secretKeyBase);
    assert.equal(sd.PGRST_JWT_SECRET, secrets.pgrstJwtSecret);
    assert.equal(sd.PGSSLMODE, 'verify-full');
    assert.equal(sd.NODE_EXTRA_CA_CERTS, '/certs/global-bundle.pem');
  });

  it('blanks DATABASE_URL, TOOLJET_DB_URL, CA_CERT and NODE_TLS_REJECT_UNAUTHORIZED in the Secret and the tooljet env', () => {
    // The chart copies every `env:` value into the Secret, and a Secret patch cannot delete a key: "" is unset for
    // ToolJet (truthiness tests) and Node (compares with "0"); the env entry also wins over envFrom.
    const t = renderEksTarget(input());
    for (const k of ['DATABASE_URL', 'TOOLJET_DB_URL', 'CA_CERT', 'NODE_TLS_REJECT_UNAUTHORIZED']) {
      assert.equal(t.secret.stringData[k], '', `Secret ${k}`);
      assert.equal(envOf(t.deploymentPatches[0])[k], '', `env ${k}`);
    }
  });

  it("takes namespace, names and extra workloads (e.g. the chart's worker) from the input", () => {
    const t = renderEksTarget(
      input({
        namespace: 'apps',
        secretName: 'tj-env',
        configMapName: 'rds-ca',
        workloads: [
          { deployment: 'tooljet', container: 'tooljet' },
          { deployment: 'tooljet-worker-deployment', container: 'tooljet' },
        ],
        postgrest: { deployment: 'tj-postgrest', container: 'postgrest' },
      }),
    );
    assert.deepEqual(
      t.deploymentPatches.map((p) => p.metadata.name),
      ['tooljet', 'tooljet-worker-deployment'],
    );
    for (const p of [...t.deploymentPatches, t.postgrestPatch!]) {
      assert.equal(p.metadata.namespace, 'apps');
      assert.equal((p.spec.template.spec.volumes[0] as { configMap: { name: string } }).configMap.name, 'rds-ca');
    }
    assert.deepEqual(container(t.postgrestPatch!).env[1].valueFrom, {
      secretKeyRef: { name: 'tj-env', key: 'TOOLJET_DB_PASS' },
    });
    assert.throws(
      () => renderEksTarget(input({ namespace: 'Bad_NS' })),
      /namespace "Bad_NS" is not a valid Kubernetes name/,
    );
  });

  it('re-points only the host when the active database flips from clone to source', () => {
    assert.ok(onlyHostMoves((database) => renderEksTarget(input({ database }))) >= 5);
  });
});
