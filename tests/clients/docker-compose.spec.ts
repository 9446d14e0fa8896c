// The compose override, checked by the real `docker-compose` 1.29 from Debian (what ToolJet's Docker guide runs; issue
// 12 item 11), merged with a docker-compose.yaml in the layout of ToolJet's
// deploy/docker/docker-compose-with-external-postgresql/ (`version: "3"`, one `tooljet` service, `env_file: .env`).
// docker-compose 1.x refuses the Compose-spec option `bind.create_host_path`: "services.tooljet.volumes contains
// unsupported option: 'create_host_path'" (docker/dev-environments #54; compose-spec PR #163 introduced it for v2).
// `docker-compose config` validates and merges the files without a Docker engine. Part of `npm run test:clients`
// (tests/clients/client.ts: `npm test` passes whatever is on PATH; .ci/run installs Debian's docker-compose and runs
// this suite): when it is missing the test fails and says how to install it.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DockerTargetInput, renderComposeOverride, writeDockerTarget } from '../../targets/docker/render';
import { CONTAINER_CA_PATH } from '../../targets/shared/render';
import { CaFixture, CLONE, fakeSecrets, makeCaBundle } from '../helpers/targets';

const yaml: { load(text: string): unknown } = require('js-yaml');

/** ToolJet's external-PostgreSQL compose file, in its layout (the keys Compose validates and merges). */
const TOOLJET_COMPOSE = `version: "3"

services:
  tooljet:
    tty: true
    stdin_open: true
    container_name: Tooljet-app
    image: tooljet/tooljet-ce:ce-lts-latest
    platform: linux/amd64
    restart: always
    env_file: .env
    ports:
      - 80:80
    environment:
      SERVE_CLIENT: "true"
      PORT: "80"
    command: npm run start:prod
`;

type Merged = { services: Record<string, { env_file?: unknown; volumes?: Array<Record<string, unknown>> }> };

/** `docker-compose <args>` in `dir`; fails the test with the install command when the binary is missing. */
function compose(dir: string, args: string[]) {
  const r = spawnSync('docker-compose', args, {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, COMPOSE_FILE: '' },
  });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT')
    assert.fail('docker-compose is not on PATH: install docker-compose (apt-get install docker-compose)');
  assert.equal(r.error, undefined, `docker-compose did not run: ${r.error?.message}`);
  return r;
}

describe('targets/docker: the compose override under the real docker-compose 1.29', () => {
  let ca: CaFixture;
  let work: string;
  before(function () {
    this.timeout(30_000);
    // Compose v2 also answers to docker-compose on some machines; it accepts what 1.29 refuses, so it cannot stand in.
    const v = compose(os.tmpdir(), ['version', '--short']);
    assert.match(
      v.stdout,
      /^1\./,
      `docker-compose on PATH is ${v.stdout.trim() || v.stderr.trim()}, not 1.x: install docker-compose (apt-get install docker-compose)`,
    );
    ca = makeCaBundle();
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'tj-compose-'));
  });
  after(() => {
    ca.cleanup();
    fs.rmSync(work, { recursive: true, force: true });
  });
  const input = (over: Partial<DockerTargetInput> = {}): DockerTargetInput => ({
    database: CLONE,
    secrets: fakeSecrets(),
    tooljetHost: 'https://tooljet.example.com',
    caBundle: ca.bundle,
    ...over,
  });
  /** A compose folder with ToolJet's docker-compose.yaml and what writeDockerTarget writes next to it. */
  function project(over: Partial<DockerTargetInput> = {}): string {
    const dir = fs.mkdtempSync(path.join(work, 'project-'));
    fs.writeFileSync(path.join(dir, 'docker-compose.yaml'), TOOLJET_COMPOSE);
    writeDockerTarget(dir, input(over));
    return dir;
  }

  it("merges with ToolJet's docker-compose.yaml (loaded by default, no -f): the bundle is a read-only bind mount", () => {
    const dir = project();
    const r = compose(dir, ['config']);
    assert.equal(r.status, 0, r.stderr);
    const merged = yaml.load(r.stdout) as Merged;
    assert.deepEqual(merged.services.tooljet.volumes, [
      {
        type: 'bind',
        source: path.join(dir, 'certs/global-bundle.pem'),
        target: CONTAINER_CA_PATH,
        read_only: true,
      },
    ]);
    // ToolJet's own settings survive the merge (the .env's values are inlined into environment by `config`).
    const tooljet = merged.services.tooljet as Record<string, unknown>;
    assert.equal(tooljet.image, 'tooljet/tooljet-ce:ce-lts-latest');
    assert.equal((tooljet.environment as Record<string, string>).PGSSLMODE, 'verify-full');
    assert.equal((tooljet.environment as Record<string, string>).NODE_EXTRA_CA_CERTS, CONTAINER_CA_PATH);
  });

  it('several services and another bundle path and override name, given with -f', () => {
    const dir = fs.mkdtempSync(path.join(work, 'two-'));
    fs.writeFileSync(
      path.join(dir, 'docker-compose.yaml'),
      TOOLJET_COMPOSE + '  postgrest:\n    image: postgrest/postgrest\n    env_file: .env\n',
    );
    writeDockerTarget(
      dir,
      input({ services: ['tooljet', 'postgrest'], bundleFile: 'tls/rds.pem', overrideFile: 'rds.yml' }),
    );
    const r = compose(dir, ['-f', 'docker-compose.yaml', '-f', 'rds.yml', 'config']);
    assert.equal(r.status, 0, r.stderr);
    const merged = yaml.load(r.stdout) as Merged;
    for (const s of ['tooljet', 'postgrest'])
      assert.equal(merged.services[s].volumes?.[0].source, path.join(dir, 'tls/rds.pem'), s);
  });

  it('refuses the Compose-v2-only create_host_path, as docker/dev-environments #54 reports (why the override has none)', () => {
    const dir = project();
    const v2Only = renderComposeOverride({}).replace(
      '        read_only: true\n',
      '        read_only: true\n        bind:\n          create_host_path: false\n',
    );
    assert.notEqual(v2Only, renderComposeOverride({}));
    fs.writeFileSync(path.join(dir, 'docker-compose.override.yml'), v2Only);
    const r = compose(dir, ['config']);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /services\.tooljet\.volumes contains unsupported option: 'create_host_path'/);
  });

  it('a directory where the bundle should be (Docker made it for a missing source) is refused before any write', () => {
    const dir = fs.mkdtempSync(path.join(work, 'dir-'));
    fs.writeFileSync(path.join(dir, 'docker-compose.yaml'), TOOLJET_COMPOSE);
    fs.writeFileSync(path.join(dir, '.env'), 'PG_HOST=old\n');
    fs.mkdirSync(path.join(dir, 'certs/global-bundle.pem'), { recursive: true });
    assert.throws(
      () => writeDockerTarget(dir, input()),
      /certs\/global-bundle\.pem is a directory, not the CA bundle .*: remove it \(rmdir .*\) and run again/,
    );
    assert.equal(fs.readFileSync(path.join(dir, '.env'), 'utf8'), 'PG_HOST=old\n');
    assert.equal(fs.existsSync(path.join(dir, 'docker-compose.override.yml')), false);
  });
});
