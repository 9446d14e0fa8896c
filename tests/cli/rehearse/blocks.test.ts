// The rehearsal's pure building blocks, without servers: the rollback comparison must catch what a broken rollback
// would look like (a target left on the clone, a secret or the bundle changed, a file missing), never print a secret
// value, and the --out rules must protect foreign directories while replacing an earlier rehearsal's output.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { renderTargetConfigs, RenderedFile, RunSecrets } from '../../../cli/rehearse/configs';
import { checkOutDir, OUT_MARKER, prepareOutDir, RehearsalUsageError } from '../../../cli/rehearse/outdir';
import { compareRenderings } from '../../../cli/rehearse/rollback';
import { containerEnv, splitUriPassword } from '../../../cli/rehearse/tooljet-connection';
import { TARGET_KINDS } from '../../../targets';
import { CLONE, fakeSecrets, makeCaBundle, SOURCE } from '../../helpers/targets';

describe('cli/rehearse building blocks', () => {
  const ca = makeCaBundle();
  const f = fakeSecrets();
  const secrets: RunSecrets = {
    dbPassword: f.pgPassword,
    lockboxMasterKey: f.lockboxMasterKey,
    secretKeyBase: f.secretKeyBase,
    pgrstJwtSecret: f.pgrstJwtSecret,
  };
  const clone = renderTargetConfigs(CLONE, ca.pem, secrets);
  const source = renderTargetConfigs(SOURCE, ca.pem, secrets);
  after(() => ca.cleanup());

  const edit = (files: RenderedFile[], p: string, fn: (t: string) => string): RenderedFile[] =>
    files.map((x) => (x.path === p ? { ...x, text: fn(x.text) } : x));

  it('rollback comparison: the real re-rendering moves only the endpoint in all four targets', () => {
    const r = compareRenderings(clone, source, CLONE, SOURCE);
    assert.deepEqual(r.problems, []);
    assert.deepEqual(Object.keys(r.endpointSettings).sort(), [...TARGET_KINDS].sort());
    // host settings: docker 3 (PG_HOST, TOOLJET_DB_HOST, PGRST_DB_URI), ecs 3, eks 5, ami 2 + the comment naming the host
    assert.equal(r.changes.length, 14, JSON.stringify(r.changes, null, 1));
    for (const c of r.changes) assert.ok(c.to.includes(SOURCE.host), JSON.stringify(c));
  });

  it('rollback comparison: flags a target left on the clone, a changed secret or bundle, a missing file; never shows a secret', () => {
    const stale = edit(source, 'ecs/task-definition.json', (t) =>
      t.replace(`"value": "${SOURCE.host}"`, `"value": "${CLONE.host}"`),
    );
    assert.match(
      compareRenderings(clone, stale, CLONE, SOURCE).problems.join('\n'),
      /does not point at the source: ecs\/task-definition\.json containerDefinitions\[name=tooljet\]\.environment\[name=PG_HOST\]\.value = tooljet-pg16-clone/,
    );

    const otherKey = 'b'.repeat(64);
    const rekeyed = edit(source, 'docker/.env', (t) => t.replace(f.lockboxMasterKey, otherKey));
    const p = compareRenderings(clone, rekeyed, CLONE, SOURCE).problems.join('\n');
    assert.match(
      p,
      /changed although it does not name the database: docker\/\.env LOCKBOX_MASTER_KEY: \(secret, hidden\) -> \(secret, hidden\)/,
    );
    assert.ok(!p.includes(f.lockboxMasterKey) && !p.includes(otherKey), 'secret values are never shown');

    const bundle = edit(source, 'eks/configmap-rds-ssl-cert.json', (t) =>
      t.replace(JSON.stringify(ca.pem), JSON.stringify(ca.otherPem)),
    );
    assert.match(
      compareRenderings(clone, bundle, CLONE, SOURCE).problems.join('\n'),
      /changed although it does not name the database: eks\/configmap-rds-ssl-cert\.json data\.global-bundle\.pem/,
    );

    const missing = source.filter((x) => x.path !== 'ami/user-data.sh');
    assert.match(compareRenderings(clone, missing, CLONE, SOURCE).problems.join('\n'), /the set of files differs/);
  });

  it('the .env as the container sees it: the bundle path mapped to the host file, also inside the PostgREST URI', () => {
    const dotenv = clone.find((x) => x.path === 'docker/.env')!.text;
    const host = '/srv/out dir/docker/certs/global-bundle.pem';
    const env = containerEnv(dotenv, host);
    assert.equal(env.NODE_EXTRA_CA_CERTS, host);
    assert.equal(env.PGSSLROOTCERT, host);
    assert.match(env.PGRST_DB_URI, /sslrootcert=\/srv\/out%20dir\/docker\/certs\/global-bundle\.pem$/);
    const { uri, password } = splitUriPassword(env.PGRST_DB_URI);
    assert.equal(password, f.pgPassword);
    assert.ok(!uri.includes(f.pgPassword) && uri.startsWith(`postgres://${CLONE.user}@${CLONE.host}:`));
  });

  it('--out: new, empty or an earlier rehearsal (replaced); anything else refused', () => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'tj-outdir-'));
    try {
      assert.deepEqual(checkOutDir(path.join(base, 'new')), { dir: path.join(base, 'new'), replaces: false });
      const prev = path.join(base, 'prev');
      prepareOutDir(checkOutDir(prev));
      fs.mkdirSync(path.join(prev, 'docker'));
      fs.writeFileSync(path.join(prev, 'docker', '.env'), 'PG_PASS=old\n');
      const state = checkOutDir(prev);
      assert.equal(state.replaces, true);
      prepareOutDir(state);
      assert.deepEqual(fs.readdirSync(prev), [OUT_MARKER], 'the earlier output is gone, nothing merged into it');
      const foreign = path.join(base, 'foreign');
      fs.mkdirSync(foreign);
      fs.writeFileSync(path.join(foreign, 'a'), '');
      assert.throws(
        () => checkOutDir(foreign),
        (e: Error) => e instanceof RehearsalUsageError && /holds other files \(a\)/.test(e.message),
      );
    } finally {
      fs.rmSync(base, { recursive: true, force: true });
    }
  });
});
