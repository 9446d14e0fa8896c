// The guard-rail policies over what the aftercare adds to the real program: monitoring resources, the rollback
// report command, and strategy blue-green's imported source, postgres16 group and commands. None may violate a
// policy (TLS settings in command environments included).
import { strict as assert } from 'assert';
import { policies } from '../../policy/policies';
import { fakeAws, fakeInstance } from '../helpers/mocks';
import { ProgramRun, runProgram } from '../helpers/program';
import { runPolicy } from './harness';

const rpc = require('@pulumi/pulumi/runtime/rpc') as { specialSigKey: string; specialSecretSig: string };

/** Inputs as the engine hands them to analyzers: secrets as plaintext. */
function plain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (o[rpc.specialSigKey] === rpc.specialSecretSig) return plain(o.value);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, plain(x)]));
  }
  return v;
}

async function violations(run: ProgramRun, stack: string): Promise<string[]> {
  const out: string[] = [];
  for (const r of run.resources.filter((x) => x.custom)) {
    for (const p of policies) {
      const result = await runPolicy(p, {
        type: r.type,
        name: r.name,
        stack,
        props: plain(r.inputs) as Record<string, unknown>,
      });
      out.push(...result.violations.map((v) => `${p.name} on ${r.type} ${r.name}: ${v}`));
      assert.equal(result.advisory, undefined, `${p.name} on ${r.name}: ${result.advisory}`);
    }
  }
  return out;
}

describe('policy pack over the aftercare resources of the program', () => {
  it('staging with monitoring (alarms, topic, log group, filter, dashboard): no violation', async () => {
    const run = await runProgram({ stack: 'staging', set: { monitoring: { alarmEmails: ['dba@example.com'] } } });
    assert.ok(run.ofType('aws:cloudwatch/metricAlarm:MetricAlarm').length > 0);
    assert.deepEqual(await violations(run, 'staging'), []);
  });

  it('prod rollback with the rollback report command (URLs with verify-full, password in PGPASSWORD): no violation', async () => {
    const run = await runProgram({
      stack: 'prod',
      set: { activeDatabase: 'source', cutoverAt: '2026-07-01T22:00:00Z' },
    });
    assert.ok(run.ofType('command:local:Command').some((c) => c.name === 'rollback-report'));
    assert.deepEqual(await violations(run, 'prod'), []);
  });

  it('blue-green upgrade (imported source, postgres16 group with force_ssl, precheck/postcheck): no violation', async () => {
    const run = await runProgram({
      stack: 'prod',
      set: {
        strategy: 'blue-green',
        clone: undefined,
        activeDatabase: undefined,
        maintenanceWindow: undefined,
        blueGreen: { phase: 'upgrade' },
      },
      aws: fakeAws({ instances: { 'tooljet-prod-db': fakeInstance('tooljet-prod-db') } }),
    });
    assert.deepEqual(await violations(run, 'prod'), []);
  });

  it('blue-green on a publicly accessible source: the pack says so (the mirror does not hide it)', async () => {
    const run = await runProgram({
      stack: 'prod',
      set: { strategy: 'blue-green', clone: undefined, activeDatabase: undefined, maintenanceWindow: undefined },
      aws: fakeAws({ instances: { 'tooljet-prod-db': fakeInstance('tooljet-prod-db', { publiclyAccessible: true }) } }),
    });
    const found = await violations(run, 'prod');
    assert.equal(found.length, 1, found.join('\n'));
    assert.match(found[0], /^rds-instance-not-publicly-accessible on aws:rds\/instance:Instance blue-green-source: /);
  });
});
