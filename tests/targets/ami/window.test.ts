// The maintenance window's stop/start script of the AMI target (targets/ami/window.sh), run for real: the same script
// text and environment the local.Commands get, through the same interpreter (/bin/sh -c via the timing wrapper),
// against a stand-in `aws` that behaves like EC2 + Auto Scaling + SSM (the SSM commands really run) (tests/targets/ami/fixtures). Stop records and zeroes, start restores, a re-run changes nothing, a
// failure exits non-zero with one line saying what to do.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { parseToolJetRecord } from '../../../cutover';
import { amiSuspendedTag, amiToolJetEnvironment } from '../../../targets/ami/window';
import { assertFailed, windowHarness } from '../../helpers/window';

const FIXTURES = path.join(__dirname, 'fixtures');
const h = windowHarness(FIXTURES);

describe('targets/ami/window.sh against stand-in EC2, Auto Scaling and SSM (the SSM commands really run)', () => {
  const LT = 'lt-0123456789abcdef0';
  const IDS = ['i-0aaaaaaaaaaaaaaa1', 'i-0bbbbbbbbbbbbbbb2'];
  // What a rendered user-data does on the instance, in small: rewrite the .env, restart the units.
  const USER_DATA =
    '#!/bin/bash\nset -euo pipefail\nprintf "PG_HOST=%s\\n" "tooljet-prod-db-pg16.example" >"$INSTANCE_ROOT/.env"\nsystemctl restart nest\nsystemctl restart postgrest\n';
  let b: string;
  const world = (over: Record<string, unknown> = {}) => {
    const root = h.tmp('instances-');
    for (const id of IDS) {
      fs.mkdirSync(path.join(root, id, 'units'), { recursive: true });
      for (const u of ['nest', 'postgrest']) fs.writeFileSync(path.join(root, id, 'units', u), 'active\n');
      fs.writeFileSync(path.join(root, id, '.env'), 'PG_HOST=tooljet-prod-db.example\n');
    }
    return {
      root,
      instanceBin: path.join(FIXTURES, 'instance-bin'),
      launchTemplateId: LT,
      instances: IDS.map((id) => ({ id, group: 'tooljet-asg' })),
      groups: { 'tooljet-asg': { suspended: ['AZRebalance'], tags: {} } },
      commands: [],
      calls: [],
      ...over,
    };
  };
  const env = (action: 'stop' | 'start', extra: { launchTemplateId?: string } = {}) =>
    amiToolJetEnvironment({
      action,
      launchTemplateId: extra.launchTemplateId ?? LT,
      units: ['nest', 'postgrest'],
      ...(action === 'start' && { userData: USER_DATA }),
      timeoutSeconds: 60,
      pollSeconds: 0,
      cli: { region: 'eu-west-1' },
    });
  const unit = (root: string, id: string, u: string) => fs.readFileSync(path.join(root, id, 'units', u), 'utf8').trim();
  before(() => {
    b = h.binWith('aws-ec2-ssm', 'aws');
  });

  it('stop suspends the replacing Auto Scaling processes (recording which), then stops nest and postgrest on every instance', () => {
    const w = world();
    const f = h.stateFile(w);
    const stopped = h.runScript('ami', 'stop', f, env('stop'), b);
    assert.equal(stopped.status, 0, stopped.stderr);
    const g = stopped.state.groups['tooljet-asg'];
    assert.deepEqual(g.suspended.sort(), ['AZRebalance', 'HealthCheck', 'Launch', 'ReplaceUnhealthy']);
    assert.equal(
      g.tags[amiSuspendedTag(LT)],
      'Launch HealthCheck ReplaceUnhealthy',
      'AZRebalance was suspended before: not ours to resume',
    );
    for (const id of IDS)
      for (const u of ['nest', 'postgrest']) assert.equal(unit(w.root, id, u), 'inactive', `${id} ${u}`);
    const suspendAt = stopped.state.calls.findIndex((c: { args: string[] }) => c.args[1] === 'suspend-processes');
    const sendAt = stopped.state.calls.findIndex((c: { args: string[] }) => c.args[1] === 'send-command');
    assert.ok(suspendAt >= 0 && suspendAt < sendAt, 'no instance can be replaced while ToolJet is being stopped');
    const rec = parseToolJetRecord(stopped.stdout)!;
    assert.equal(rec.instances, IDS.join(','));
    assert.equal(rec.autoScalingGroups, 'tooljet-asg');

    const again = h.runScript('ami', 'stop', f, env('stop'), b);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(
      again.state.groups['tooljet-asg'].tags[amiSuspendedTag(LT)],
      'Launch HealthCheck ReplaceUnhealthy',
      'the record is kept',
    );

    // start: the user-data re-points the running instances and restarts the units; the recorded processes resume.
    const started = h.runScript('ami', 'start', f, env('start'), b);
    assert.equal(started.status, 0, started.stderr);
    for (const id of IDS) {
      assert.equal(unit(w.root, id, 'nest'), 'active');
      assert.equal(unit(w.root, id, 'postgrest'), 'active');
      assert.equal(
        fs.readFileSync(path.join(w.root, id, '.env'), 'utf8'),
        'PG_HOST=tooljet-prod-db-pg16.example\n',
        'the running instance now points at the clone',
      );
    }
    const after = started.state.groups['tooljet-asg'];
    assert.deepEqual(after.suspended, ['AZRebalance'], 'exactly what the stop suspended is resumed');
    assert.deepEqual(after.tags, {});
    assert.equal(parseToolJetRecord(started.stdout)!.resumedAutoScalingGroups, 'tooljet-asg');

    const twice = h.runScript('ami', 'start', f, env('start'), b);
    assert.equal(twice.status, 0, twice.stderr);
    assert.deepEqual(twice.state.groups['tooljet-asg'].suspended, ['AZRebalance']);
    assert.equal(
      twice.state.calls
        .slice(started.state.calls.length)
        .filter((c: { args: string[] }) => c.args[1] === 'resume-processes').length,
      0,
    );
  });

  it('fails clearly: no instance from the launch template, an instance SSM cannot reach, no permission to record', () => {
    assertFailed(
      h.runScript('ami', 'stop', h.stateFile(world()), env('stop', { launchTemplateId: 'lt-0fffffffffffffff0' }), b),
      /^tooljet-ami: no pending or running instance was launched from lt-0fffffffffffffff0 .*check targets\.ami\.launchTemplateId/,
    );
    const unreachable = world();
    (unreachable.instances[1] as any).unmanaged = true;
    assertFailed(
      h.runScript('ami', 'stop', h.stateFile(unreachable), env('stop'), b),
      /^tooljet-ami: stop nest postgrest failed on i-0bbbbbbbbbbbbbbb2 \(Undeliverable\); read its output: aws ssm get-command-invocation --command-id cmd-1 --instance-id i-0bbbbbbbbbbbbbbb2$/,
    );
    const denied = world({ denyTags: true });
    const r = h.runScript('ami', 'stop', h.stateFile(denied), env('stop'), b);
    assertFailed(r, /could not record the suspended processes on Auto Scaling group tooljet-asg .*nothing was stopped/);
    assert.equal(unit(denied.root, IDS[0], 'nest'), 'active');
  });
});
