// The maintenance window's stop/start script of the Docker target (targets/docker/window.sh), run for real: the same script
// text and environment the local.Commands get, through the same interpreter (/bin/sh -c via the timing wrapper),
// against a stand-in `docker` that behaves like Docker Compose (tests/targets/docker/fixtures). Stop records and zeroes, start restores, a re-run changes nothing, a
// failure exits non-zero with one line saying what to do.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { parseToolJetRecord } from '../../../cutover';
import { dockerToolJetEnvironment } from '../../../targets/docker/window';
import { assertFailed, windowHarness } from '../../helpers/window';

const FIXTURES = path.join(__dirname, 'fixtures');
const h = windowHarness(FIXTURES);

describe('targets/docker/window.sh against a stand-in docker compose', () => {
  let b: string;
  let project: string;
  const world = (over: Record<string, unknown> = {}) => ({
    directory: project,
    services: { tooljet: { running: true, id: 'c1' }, redis: { running: true, id: 'c2' } },
    nextId: 3,
    calls: [],
    ...over,
  });
  const env = (action: 'stop' | 'start', directory = project, timeoutSeconds = 60) =>
    dockerToolJetEnvironment({ action, directory, services: ['tooljet'], timeoutSeconds, pollSeconds: 0 });
  before(() => {
    b = h.binWith('docker', 'docker');
    project = fs.realpathSync(h.tmp('compose-'));
  });

  it('stop stops the ToolJet service in the compose folder; start recreates it and waits for its startup line; both again change nothing', () => {
    const f = h.stateFile(world());
    const stopped = h.runScript('docker', 'stop', f, env('stop'), b);
    assert.equal(stopped.status, 0, stopped.stderr);
    assert.equal(stopped.state.services.tooljet.running, false);
    assert.equal(stopped.state.services.redis.running, true, 'only the configured services');
    assert.ok(stopped.state.calls.every((c: { cwd: string }) => c.cwd === project));
    assert.equal(parseToolJetRecord(stopped.stdout)!.services, 'tooljet');
    assert.equal(h.runScript('docker', 'stop', f, env('stop'), b).status, 0);

    const started = h.runScript('docker', 'start', f, env('start'), b);
    assert.equal(started.status, 0, started.stderr);
    assert.equal(started.state.services.tooljet.running, true);
    assert.notEqual(started.state.services.tooljet.id, 'c1', 'a new container (new .env, new mount)');
    assert.ok(
      started.state.calls.filter((c: { args: string[] }) => c.args[1] === 'logs').length >= 2,
      'waited for the startup line',
    );

    const again = h.runScript('docker', 'start', f, env('start'), b);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(again.state.services.tooljet.id, started.state.services.tooljet.id);
    assert.ok(again.messages.some((m) => /already running/.test(m)));
  });

  it('fails clearly: wrong folder, a compose error, a container that does not stay up, no startup line in time', () => {
    assertFailed(
      h.runScript('docker', 'stop', h.stateFile(world()), env('stop', path.join(project, 'missing')), b),
      /^tooljet-docker: cannot enter targets\.docker\.directory /,
    );
    const down = { services: { tooljet: { running: false, id: 'c1' } } };
    assertFailed(
      h.runScript('docker', 'start', h.stateFile(world({ ...down, failUp: true })), env('start'), b),
      /docker compose up -d in .* failed \(error above\); ToolJet is still stopped/,
    );
    assertFailed(
      h.runScript(
        'docker',
        'start',
        h.stateFile(world({ services: { tooljet: { running: false, id: 'c1', crash: true } } })),
        env('start'),
        b,
      ),
      /service tooljet is not running after docker compose up -d/,
    );
    assertFailed(
      h.runScript(
        'docker',
        'start',
        h.stateFile(world({ services: { tooljet: { running: false, id: 'c1', neverStarts: true } } })),
        env('start', project, 2),
        b,
      ),
      /timed out after 2s waiting for "TOOLJET APPLICATION STARTED SUCCESSFULLY" in the log of tooljet/,
    );
    assertFailed(
      h.runScript('docker', 'stop', h.stateFile(world({ stuck: true })), env('stop'), b),
      /service tooljet is still running after docker compose stop/,
    );
    // A host with only docker-compose 1.x (ToolJet's guide's `docker-compose`): refused before anything is stopped.
    const v1 = world({ noComposePlugin: true });
    const state = h.stateFile(v1);
    assertFailed(
      h.runScript('docker', 'stop', state, env('stop'), b),
      /docker compose \(Compose v2, the docker-compose-plugin package\) is not available.*maintenanceWindow: false/,
    );
    const calls = (JSON.parse(fs.readFileSync(state, 'utf8')) as { calls: { args: string[] }[] }).calls;
    assert.deepEqual(
      calls.map((c) => c.args.slice(0, 2).join(' ')),
      ['compose version'],
      'nothing but the version question',
    );
  });
});
