// targets.docker through parseStackConfig (targets/docker/settings.ts): defaults, every key typed, and one clear line per
// bad value (naming the full key, never echoing a secret).
import { strict as assert } from 'assert';
import * as path from 'path';
import { oneProblem, parse, problems } from '../../helpers/settings';
import { REPO_ROOT } from '../../helpers/stack-file';

describe('targets/docker/settings: targets.docker through parseStackConfig', () => {
  it('defaults everything but the folder; a relative folder is resolved against the project directory', () => {
    const c = parse({ targets: { docker: { directory: 'deploy/docker' } } });
    assert.deepEqual(c.targets.docker, {
      directory: path.join(REPO_ROOT, 'deploy/docker'),
      services: ['tooljet'],
      bundleFile: 'certs/global-bundle.pem',
      overrideFile: 'docker-compose.override.yml',
      restart: false,
    });
  });

  it('types every key', () => {
    const c = parse({
      targets: {
        docker: {
          directory: '/srv/tj',
          tooljetHost: 'https://tj.example.com',
          services: ['tooljet', 'worker'],
          bundleFile: 'tls/rds.pem',
          overrideFile: 'rds.override.yaml',
          restart: true,
        },
      },
    });
    assert.deepEqual(c.targets.docker, {
      directory: '/srv/tj',
      tooljetHost: 'https://tj.example.com',
      services: ['tooljet', 'worker'],
      bundleFile: 'tls/rds.pem',
      overrideFile: 'rds.override.yaml',
      restart: true,
    });
  });

  it('needs the folder', () => {
    oneProblem(
      { targets: { docker: {} } },
      /^tooljet-pg-upgrade:targets\.docker\.directory: not set; give the folder that holds ToolJet's docker-compose\.yaml/,
    );
  });

  it("refuses a bundle outside the folder, ToolJet's own files as override, bad services, typos", () => {
    const p = problems({
      targets: {
        docker: {
          directory: '/srv',
          bundleFile: '../etc/ca.pem',
          overrideFile: 'docker-compose.yaml',
          services: [],
          restat: true,
        },
      },
    });
    assert.deepEqual(p.map((l) => l.split(': ')[0]).sort(), [
      'tooljet-pg-upgrade:targets.docker.bundleFile',
      'tooljet-pg-upgrade:targets.docker.overrideFile',
      'tooljet-pg-upgrade:targets.docker.restat',
      'tooljet-pg-upgrade:targets.docker.services',
    ]);
    assert.ok(p.some((l) => /restat: unknown key; did you mean "restart"\?/.test(l)));
  });
});
