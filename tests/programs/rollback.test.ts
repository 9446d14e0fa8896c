// Rollback = activeDatabase: source + `pulumi up`. The clone must not be replaced or deleted, the alarms follow
// ToolJet back to the source, and (after a recorded cutover) the rollback report runs once, read-only, with the
// password only in its secret environment.
import { strict as assert } from 'assert';
import { rollbackReportScript } from '../../validation/rollback-report';
import { PHASES, timedInterpreter } from '../../cutover/timing';
import { RecordedResource } from '../helpers/mocks';
import { ProgramRun, runProgram, TEST_PASSWORD, testCaBundle } from '../helpers/program';

// How the SDK marks a secret value inside resource inputs (internal module of @pulumi/pulumi 3.x).
const rpc = require('@pulumi/pulumi/runtime/rpc') as { specialSigKey: string; specialSecretSig: string };
const SECRET_SIG = rpc.specialSigKey;
const SECRET_VALUE = rpc.specialSecretSig;

const CUTOVER = '2026-07-01T22:00:00Z';
const COMMAND = 'command:local:Command';
const report = (run: ProgramRun): RecordedResource | undefined =>
  run.ofType(COMMAND).find((c) => c.name === 'rollback-report');

describe('rollback (Pulumi.prod.yaml): clone -> source after a recorded cutover', () => {
  let onClone: ProgramRun;
  let rolledBack: ProgramRun;
  before(async () => {
    onClone = await runProgram({ stack: 'prod', set: { activeDatabase: 'clone', cutoverAt: CUTOVER } });
    rolledBack = await runProgram({ stack: 'prod', set: { activeDatabase: 'source', cutoverAt: CUTOVER } });
  });

  it('keeps the clone exactly as it is: same resource, same inputs, still protected (no replace, no delete)', () => {
    const [a, b] = [onClone.one('aws:rds/instance:Instance'), rolledBack.one('aws:rds/instance:Instance')];
    assert.equal(b.urn, a.urn);
    assert.deepEqual(b.inputs, a.inputs);
    assert.deepEqual(b.options, a.options);
    assert.equal(b.options.protect, true);
    assert.equal(b.inputs.deletionProtection, true);
    for (const type of [
      'aws:rds/snapshot:Snapshot',
      'aws:rds/parameterGroup:ParameterGroup',
      'aws:cloudwatch/logGroup:LogGroup',
    ]) {
      assert.deepEqual(rolledBack.one(type).inputs, onClone.one(type).inputs, type);
    }
  });

  it('moves every alarm from the clone to the source; names stay (updated in place, not replaced)', () => {
    const byName = (run: ProgramRun) =>
      new Map(run.ofType('aws:cloudwatch/metricAlarm:MetricAlarm').map((x) => [x.inputs.name as string, x.inputs]));
    const [before, after] = [byName(onClone), byName(rolledBack)];
    for (const [name, inputs] of after) {
      assert.ok(before.has(name), name);
      if (inputs.namespace === 'AWS/RDS') {
        assert.deepEqual(before.get(name)!.dimensions, { DBInstanceIdentifier: 'tooljet-prod-db-pg16' });
        assert.deepEqual(inputs.dimensions, { DBInstanceIdentifier: 'tooljet-prod-db' });
      }
    }
    assert.equal(after.size, 5, 'the source exports no log: no connection-failure alarm on it');
  });

  it('runs the rollback report once per cutover (triggers), never on the cutover itself', () => {
    assert.equal(report(onClone), undefined);
    const r = report(rolledBack)!;
    assert.ok(r, 'a rollback-report command');
    assert.equal(r.inputs.create, rollbackReportScript());
    assert.deepEqual(
      r.inputs.interpreter,
      timedInterpreter(PHASES.rollbackReport),
      '/bin/sh -c through the timing wrapper',
    );
    const clone = rolledBack.one('aws:rds/instance:Instance');
    assert.deepEqual(r.inputs.triggers, [CUTOVER, clone.state.resourceId]);
  });

  it('compares the source with the clone over verify-full; the password is only in the (secret) environment', () => {
    const r = report(rolledBack)!;
    const wrapped = r.inputs.environment as Record<string, unknown>;
    assert.equal(wrapped[SECRET_SIG], SECRET_VALUE, 'the whole environment is a Pulumi secret');
    const env = wrapped.value as Record<string, string>;
    const source = rolledBack.outputs.sourceEndpoint.value as string;
    const clone = rolledBack.outputs.cloneEndpoint.value as string;
    const ca = testCaBundle(); // lib/commands keeps "/" in sslrootcert (percent-encodes everything else)
    assert.equal(
      env.TJ_PG_SOURCE_URL,
      `postgresql://tooljet@${source}/tooljet_production?sslmode=verify-full&sslrootcert=${ca}`,
    );
    assert.equal(
      env.TJ_PG_TARGET_URL,
      `postgresql://tooljet@${clone}/tooljet_production?sslmode=verify-full&sslrootcert=${ca}`,
    );
    assert.equal(env.TJ_CUTOVER_AT, CUTOVER);
    assert.equal(env.TJ_TOOLJET_DB, 'tooljet_db');
    assert.equal(env.PGPASSWORD, TEST_PASSWORD);
    assert.ok(!String(r.inputs.create).includes(TEST_PASSWORD));
    assert.equal(
      rolledBack.outputs.rollbackReport.secret,
      true,
      'the report output is a secret (it ran with the password)',
    );
    assert.equal(rolledBack.outputs.activeDatabaseEndpoint.value, source);
  });

  it('without a recorded cutoverAt there is nothing to report (the clone never took writes from ToolJet)', async () => {
    // (without the maintenance window: a window rollback needs cutoverAt, tests/programs/cutover.test.ts)
    const run = await runProgram({ stack: 'prod', set: { activeDatabase: 'source', maintenanceWindow: false } });
    assert.equal(report(run), undefined);
  });
});
