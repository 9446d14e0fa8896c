// loadStackConfig: the thin pulumi.Config side, with the runtime's own config and secret-keys list.
import { strict as assert } from 'assert';
import * as pulumi from '@pulumi/pulumi';
import { loadStackConfig } from '../../config';
import { installMocks, RecordingMocks, settle } from '../helpers/mocks';
import { PROJECT, TEST_PASSWORD, testCaBundle } from '../helpers/program';
import { readStackFile, REPO_ROOT } from '../helpers/stack-file';
import { inspect, unwrap } from '../helpers/unwrap';

function useStack(
  stack: string,
  change: (config: Record<string, string>, secretKeys: string[]) => void = () => undefined,
): void {
  const file = readStackFile(stack);
  const config = { ...file.config, [`${PROJECT}:caBundle`]: testCaBundle(), [`${PROJECT}:dbPassword`]: TEST_PASSWORD };
  const secretKeys = [`${PROJECT}:dbPassword`];
  change(config, secretKeys);
  pulumi.runtime.setAllConfig(config, secretKeys);
  installMocks(new RecordingMocks(), PROJECT, stack, false);
}

describe('config/load: loadStackConfig', () => {
  afterEach(() => settle());

  it("reads only this project's namespace (aws:region is not an unknown key) and returns dbPassword as a secret Output", async () => {
    useStack('staging');
    const config = loadStackConfig({ baseDir: REPO_ROOT });
    assert.equal(config.stack, 'staging');
    assert.equal(config.project, PROJECT);
    assert.equal(config.clone.identifier, 'test-db-pg13-clone');
    const password = await inspect(config.dbPassword);
    assert.equal(password.secret, true);
    assert.equal(await unwrap(config.dbPassword), TEST_PASSWORD);
    assert.ok(!JSON.stringify({ ...config, dbPassword: undefined }).includes(TEST_PASSWORD));
  });

  it("tells a plain-text password from a secret with the runtime's secret-keys list", () => {
    useStack('prod', (_config, secretKeys) => secretKeys.splice(0));
    assert.throws(
      () => loadStackConfig({ baseDir: REPO_ROOT }),
      (err: unknown) =>
        pulumi.RunError.isInstance(err) &&
        /^tooljet-pg-upgrade:dbPassword: is stored in plain text/.test((err as Error).message),
    );
  });

  it('turns configuration problems into a pulumi.RunError (message only, no stack trace)', () => {
    useStack('staging', (config) => {
      config[`${PROJECT}:clone`] = JSON.stringify({ engineVersion: '17.1' });
    });
    assert.throws(
      () => loadStackConfig({ baseDir: REPO_ROOT }),
      (err: unknown) =>
        pulumi.RunError.isInstance(err) &&
        (err as Error).message ===
          'tooljet-pg-upgrade:clone.engineVersion: "17.1" is not PostgreSQL 16; this program upgrades 13 to 16 only: use "16.9"',
    );
  });
});
