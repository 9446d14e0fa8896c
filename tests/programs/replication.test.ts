// strategy: replication in the real program (index.ts) under Pulumi mocks, which stand in for AWS only. Each phase's
// graph, read from the dependencies the engine would record (dependsOn, consumed outputs, parents: tests/helpers/graph):
//   replicate: precheck -> new 16.9 instance -> replicate setup -> replicate status
//   cutover:   stop -> catch-up -> finish (sequences) -> validate (exact) -> reverse -> re-point -> start
//   rollback:  stop -> catch-up reverse -> finish reverse -> rollback report -> re-point -> start
//   teardown:  replicate teardown only
// The new instance's properties; a source that cannot replicate refused before anything is registered; no command that
// runs with a secret environment keeps its output in plain text.
//
// What the mocks cannot tell and the program relies on (cited):
// - pulumi-command 1.2.1 marks stdout/stderr secret only when an input of that name is secret; a command with a secret
//   environment needs additionalSecretOutputs ['stdout','stderr'] (pulumi/pulumi-command #134, #260, #401).
// - A subscriber on RDS verifies its publisher with sslmode=verify-full against its own
//   /rdsdbdata/rds-metadata/server-cert.pem (AWS Knowledge Center "root-certificate-file-rds-postgresql"), hence the
//   new instance gets the source's caCertIdentifier.
// - rds.logical_replication is a static parameter (ApplyMethod pending-reboot): "pending-reboot" in
//   DescribeDBInstances' ParameterApplyStatus means it is not in effect yet.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createCertificateAuthority } from '../../lib/tls/ca';
import { SUBSCRIBER_SSLROOTCERT } from '../../replication';
import { assertChain, Graph } from '../helpers/graph';
import { fakeAws, FakeInstance, fakeInstance, plain, RecordedResource } from '../helpers/mocks';
import { programError, ProgramRun, runProgram, RunOptions, TEST_PASSWORD, testCaBundle } from '../helpers/program';

const INSTANCE = 'aws:rds/instance:Instance';
const GROUP = 'aws:rds/parameterGroup:ParameterGroup';
const COMMAND = 'command:local:Command';
const ALARM = 'aws:cloudwatch/metricAlarm:MetricAlarm';
const CUTOVER_AT = '2026-07-01T22:00:00Z';
const SOURCE = 'tooljet-prod-db';
const NEW = 'tooljet-prod-db-pg16';

let bundle4096: string | undefined;
/** The test bundle plus a root named like rds-ca-rsa4096-g1's, so a source on that CA passes. */
function bundleWith4096(): string {
  if (!bundle4096) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tj-repl-ca-'));
    const ca = createCertificateAuthority(dir, 'Amazon RDS us-east-1 Root CA RSA4096 G1', 30, { exactName: true });
    bundle4096 = path.join(dir, 'bundle.pem');
    fs.writeFileSync(bundle4096, fs.readFileSync(testCaBundle(), 'utf8') + fs.readFileSync(ca.certFile, 'utf8'));
    process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  }
  return bundle4096;
}

function replication(set: Record<string, unknown>, source: Partial<FakeInstance> = {}): RunOptions {
  return {
    stack: 'prod',
    // Pulumi.prod.yaml is strategy clone's cutover: its clone, snapshot and maintenanceWindow do not apply here.
    set: { strategy: 'replication', clone: undefined, snapshot: undefined, maintenanceWindow: undefined, ...set },
    aws: fakeAws({ instances: { [SOURCE]: fakeInstance(SOURCE, source) } }),
  };
}
const PHASES = {
  replicate: { activeDatabase: 'source' },
  cutover: { activeDatabase: 'clone' },
  rollback: { activeDatabase: 'source', cutoverAt: CUTOVER_AT },
  teardown: { activeDatabase: 'clone', replication: { teardown: true } },
} as const;

const commandNames = (run: ProgramRun) => run.ofType(COMMAND).map((c) => c.name);
const env = (c: RecordedResource) => plain<Record<string, string>>(c.inputs.environment);

describe('strategy replication, phase replicate: the new 16.9 instance, fed while ToolJet stays on the source', () => {
  let run: ProgramRun;
  let g: Graph;
  let instance: RecordedResource;
  before(async () => {
    run = await runProgram(
      replication({ ...PHASES.replicate, caBundle: bundleWith4096() }, { caCertIdentifier: 'rds-ca-rsa4096-g1' }),
    );
    g = new Graph(run);
    instance = run.one(INSTANCE);
  });

  it('creates a NEW instance (no snapshot): PostgreSQL 16.9 pinned, private, encrypted, in the source network', () => {
    const i = instance.inputs;
    assert.equal(i.identifier, NEW);
    assert.equal(i.snapshotIdentifier, undefined, 'not a restore');
    assert.deepEqual(
      [i.engine, i.engineVersion, i.autoMinorVersionUpgrade, i.publiclyAccessible, i.storageEncrypted],
      ['postgres', '16.9', false, false, true],
    );
    assert.equal(i.dbSubnetGroupName, 'tooljet-private-db');
    assert.deepEqual(i.vpcSecurityGroupIds, ['sg-0aaaaaaaaaaaaaaa1']);
    assert.equal(i.allocatedStorage, 100, "the source's allocated storage");
    assert.equal(i.instanceClass, 'db.m6g.large', "the source's class");
    assert.equal(i.multiAz, true, "production: the source's Multi-AZ");
  });

  it("gets the source's caCertIdentifier (each subscriber verifies its publisher against its own CA file)", () => {
    assert.equal(instance.inputs.caCertIdentifier, 'rds-ca-rsa4096-g1');
  });

  it('sits on its own postgres16 group with rds.force_ssl=1 and rds.logical_replication=1', () => {
    const group = run.one(GROUP);
    assert.equal(instance.inputs.parameterGroupName, group.inputs.name);
    assert.equal(group.inputs.family, 'postgres16');
    const values = Object.fromEntries(
      (group.inputs.parameters as Array<{ name: string; value: string }>).map((p) => [p.name, p.value]),
    );
    assert.deepEqual(values, { 'rds.force_ssl': '1', 'rds.logical_replication': '1' });
  });

  it('has a secret master password (ToolJet user, dbPassword), protected in production with a final snapshot', () => {
    assert.equal(instance.inputs.username, 'tooljet');
    assert.ok(instance.options.secretInputs.includes('password'), 'the password input is a secret');
    assert.equal(plain(instance.inputs.password), TEST_PASSWORD);
    assert.ok(instance.options.additionalSecretOutputs.includes('password'));
    assert.equal(instance.options.protect, true);
    assert.deepEqual(
      [instance.inputs.deletionProtection, instance.inputs.skipFinalSnapshot, instance.inputs.finalSnapshotIdentifier],
      [true, false, `${NEW}-final`],
    );
  });

  it('runs precheck -> instance -> setup -> status, and nothing is created before the precheck', () => {
    assert.deepEqual(
      commandNames(run)
        .filter((n) => n.startsWith('replicate-'))
        .sort(),
      ['replicate-precheck', 'replicate-setup', 'replicate-status'],
    );
    const precheck = g.command('replicate-precheck');
    for (const r of [instance, run.one(GROUP), run.one('aws:cloudwatch/logGroup:LogGroup')])
      assert.ok(g.waitsFor(r, precheck), `${r.name} waits for the precheck`);
    assertChain(g, [
      ['precheck', [precheck]],
      ['instance', [instance]],
      ['setup', [g.command('replicate-setup')]],
      ['status', [g.command('replicate-status')]],
    ]);
    assert.match(String(precheck.inputs.create), /bin\/tj-pg-upgrade\.js precheck --quiet --strategy replication\n$/);
  });

  it("sets up publication and subscription from the source over verify-full with the subscriber's own CA file", () => {
    const setup = g.command('replicate-setup');
    assert.match(
      String(setup.inputs.create),
      new RegExp(
        `replicate setup --databases tooljet_production,tooljet_db --publisher-host "\\$TJ_PUBLISHER_HOST" --publisher-port "\\$TJ_PUBLISHER_PORT" --subscriber-sslrootcert "\\$TJ_SUBSCRIBER_SSLROOTCERT"\\n$`,
      ),
    );
    const e = env(setup);
    assert.match(e.TJ_PUBLISHER_HOST, /^tooljet-prod-db\.c[0-9a-f]+\.us-east-1\.rds\.amazonaws\.com$/);
    assert.equal(e.TJ_PUBLISHER_PORT, '5432');
    assert.equal(e.TJ_SUBSCRIBER_SSLROOTCERT, SUBSCRIBER_SSLROOTCERT, "on RDS: the subscriber instance's own CA file");
    assert.match(e.TJ_PG_SOURCE_URL, /^postgresql:\/\/tooljet@tooljet-prod-db\..*sslmode=verify-full&sslrootcert=/);
    assert.match(e.TJ_PG_TARGET_URL, /^postgresql:\/\/tooljet@tooljet-prod-db-pg16\..*sslmode=verify-full/);
    assert.equal(e.PGPASSWORD, TEST_PASSWORD);
    assert.ok(!String(setup.inputs.create).includes(TEST_PASSWORD));
  });

  it('keeps ToolJet on the source without a window, and exports the status only as a secret', () => {
    assert.ok(!commandNames(run).some((n) => n.startsWith('stop-tooljet') || n.startsWith('start-tooljet')));
    assert.equal(run.outputs.activeDatabase.value, 'source');
    assert.equal(run.outputs.replicationPhase.value, 'replicate');
    assert.equal(run.outputs.replicationStatus.secret, true);
    for (const [k, o] of Object.entries(run.outputs))
      if (!o.secret) assert.ok(!JSON.stringify(o.value ?? '').includes(TEST_PASSWORD), `output ${k} holds no password`);
  });

  it('alarms on slot lag, slot disk and free storage on both ends (a stalled or forgotten slot fills the storage)', () => {
    const alarms = run
      .ofType(ALARM)
      .map((a) => `${a.inputs.metricName}@${(a.inputs.dimensions as Record<string, string>).DBInstanceIdentifier}`);
    for (const id of [SOURCE, NEW])
      for (const metric of ['OldestReplicationSlotLag', 'ReplicationSlotDiskUsage', 'FreeStorageSpace'])
        assert.ok(alarms.includes(`${metric}@${id}`), `${metric} on ${id}: ${alarms.join(', ')}`);
    assert.equal(alarms.filter((a) => a === `FreeStorageSpace@${SOURCE}`).length, 1, 'not twice on the active one');
    const lag = run.ofType(ALARM).find((a) => a.inputs.metricName === 'OldestReplicationSlotLag')!;
    assert.equal(lag.inputs.threshold, 1024 * 1024 * 1024, 'monitoring.replicationSlotLag 1024 MiB, in bytes');
  });
});

describe('strategy replication, phase cutover: the window in order', () => {
  let run: ProgramRun;
  let g: Graph;
  before(async () => {
    run = await runProgram(replication(PHASES.cutover));
    g = new Graph(run);
  });

  it('orders stop -> catch-up -> finish -> validate (exact) -> reverse -> re-point -> start', () => {
    assertChain(g, [
      ['setup', [g.command('replicate-setup')]],
      ['stop', [g.command('stop-tooljet-ecs')]],
      ['catch-up', [g.command('replicate-catch-up')]],
      ['finish', [g.command('replicate-finish')]],
      ['validate', [g.command('post-deploy-validate')]],
      ['reverse', [g.command('replicate-reverse')]],
      ['re-point', g.targetResources('ecs')],
      ['start', [g.command('start-tooljet-ecs')]],
    ]);
  });

  it("runs each step's command as the CLI interface says", () => {
    const create = (n: string) => String(g.command(n).inputs.create);
    assert.match(
      create('replicate-catch-up'),
      /replicate catch-up --databases tooljet_production,tooljet_db --direction forward --deadline 10m\n$/,
    );
    assert.match(
      create('replicate-finish'),
      /replicate finish --databases tooljet_production,tooljet_db --direction forward\n$/,
    );
    assert.match(
      create('replicate-reverse'),
      new RegExp(
        `replicate reverse --databases tooljet_production,tooljet_db --publisher-host "\\$TJ_PUBLISHER_HOST" --subscriber-sslrootcert "\\$TJ_SUBSCRIBER_SSLROOTCERT"\\n$`,
      ),
    );
    assert.match(create('post-deploy-validate'), /validate --expect-version 16\.9 /);
    assert.ok(!create('post-deploy-validate').includes('--live-source'), 'exact: ToolJet is stopped');
    assert.ok(!create('post-deploy-validate').includes('--fix-sequences'), 'finish set them; a lag is a failure');
  });

  it('reverses with the new instance as the publisher, and points ToolJet at it', () => {
    assert.match(env(g.command('replicate-reverse')).TJ_PUBLISHER_HOST, /^tooljet-prod-db-pg16\./);
    assert.equal(env(g.command('replicate-reverse')).TJ_SUBSCRIBER_SSLROOTCERT, SUBSCRIBER_SSLROOTCERT);
    assert.equal(run.outputs.activeDatabaseIdentifier.value, NEW);
    assert.equal(run.outputs.maintenanceWindow.value, 'cutover');
  });

  it('runs the window steps once per window: the same triggers as the stop and start', () => {
    const stopTriggers = g.command('stop-tooljet-ecs').inputs.triggers as string[];
    for (const n of ['replicate-catch-up', 'replicate-finish', 'replicate-reverse'])
      assert.deepEqual((g.command(n).inputs.triggers as string[]).slice(0, stopTriggers.length), stopTriggers, n);
  });
});

describe('strategy replication, phase rollback: back to the source with the writes made on 16.9', () => {
  let run: ProgramRun;
  let g: Graph;
  before(async () => {
    run = await runProgram(replication(PHASES.rollback));
    g = new Graph(run);
  });

  it('orders stop -> catch-up reverse -> finish reverse -> rollback report -> re-point -> start', () => {
    assertChain(g, [
      ['stop', [g.command('stop-tooljet-ecs')]],
      ['catch-up reverse', [g.command('replicate-catch-up-reverse')]],
      ['finish reverse', [g.command('replicate-finish-reverse')]],
      ['rollback report', [g.command('rollback-report')]],
      ['re-point', g.targetResources('ecs')],
      ['start', [g.command('start-tooljet-ecs')]],
    ]);
    assert.match(
      String(g.command('replicate-catch-up-reverse').inputs.create),
      /catch-up --databases tooljet_production,tooljet_db --direction reverse /,
    );
    assert.match(
      String(g.command('replicate-finish-reverse').inputs.create),
      /finish --databases tooljet_production,tooljet_db --direction reverse\n$/,
    );
  });

  it('neither validates nor reverses again; ToolJet ends on the source; the report is a secret output', () => {
    const names = commandNames(run);
    for (const n of ['post-deploy-validate', 'replicate-reverse', 'replicate-catch-up', 'replicate-finish'])
      assert.ok(!names.includes(n), n);
    assert.equal(run.outputs.activeDatabaseIdentifier.value, SOURCE);
    assert.equal(run.outputs.rollbackReport.secret, true);
    assert.equal(env(g.command('rollback-report')).TJ_CUTOVER_AT, CUTOVER_AT);
  });
});

describe('strategy replication, phase teardown', () => {
  it('runs only `replicate teardown --direction all`, keeps the instance, and warns that the rollback is gone', async () => {
    const run = await runProgram(replication(PHASES.teardown));
    assert.deepEqual(
      commandNames(run).filter((n) => !n.startsWith('ecs-')),
      ['replicate-teardown'],
    );
    assert.match(String(run.one(INSTANCE).inputs.identifier), new RegExp(NEW));
    assert.match(
      String(new Graph(run).command('replicate-teardown').inputs.create),
      /replicate teardown --databases tooljet_production,tooljet_db --direction all\n$/,
    );
    assert.ok(
      run.logs.some((l) => /warning: replication\.teardown drops the reverse replication/.test(l)),
      run.logs.join('\n'),
    );
  });
});

describe('strategy replication: no command with a secret environment keeps plain output', () => {
  for (const [phase, set] of Object.entries(PHASES)) {
    it(`phase ${phase}`, async () => {
      const run = await runProgram(replication(set));
      const secretEnv = run.ofType(COMMAND).filter((c) => c.options.secretInputs.includes('environment'));
      assert.ok(secretEnv.length > 0);
      for (const c of secretEnv)
        assert.deepEqual(
          [...c.options.additionalSecretOutputs].sort(),
          ['stderr', 'stdout'],
          `${c.name}: stdout/stderr secret (pulumi-command #134/#260/#401)`,
        );
      for (const c of run.ofType(COMMAND).filter((x) => x.name.startsWith('replicate-')))
        assert.ok(c.options.secretInputs.includes('environment'), `${c.name}: its environment is a secret`);
    });
  }
});

describe('strategy replication: a source that cannot replicate is refused before anything is registered', () => {
  const cases: Array<[string, Partial<FakeInstance>, RegExp]> = [
    [
      'rds.logical_replication=0',
      { logicalReplication: '0' },
      /parameter group tooljet-prod-postgres13 of "tooljet-prod-db" has rds\.logical_replication=0; strategy replication publishes from it: aws rds modify-db-parameter-group/,
    ],
    [
      'rds.logical_replication=1 set but pending reboot',
      { parameterApplyStatus: 'pending-reboot' },
      /rds\.logical_replication=1 is set in tooljet-prod-postgres13 but not applied to "tooljet-prod-db" \(parameter status pending-reboot\): reboot it/,
    ],
    [
      'the default parameter group',
      { dbParameterGroups: ['default.postgres13'] },
      /uses the default parameter group default\.postgres13/,
    ],
    ['a 12.x source', { engineVersion: '12.17' }, /runs PostgreSQL 12\.17, not 13\.x; strategy replication/],
    ['a read replica', { replicateSourceDb: 'tooljet-prod-primary' }, /is a read replica of "tooljet-prod-primary"/],
    [
      'a CA whose root caBundle lacks',
      { caCertIdentifier: 'rds-ca-ecc384-g1' },
      /uses the RDS CA rds-ca-ecc384-g1, which the new instance gets too .* holds no root of it/,
    ],
  ];
  for (const [name, source, pattern] of cases) {
    it(`${name} (at preview)`, async () => {
      const { error, mocks } = await programError({ ...replication(PHASES.replicate, source), preview: true });
      assert.match(error.message, pattern);
      assert.equal(error.message.split('\n').length, 1, 'one line');
      assert.deepEqual(
        mocks.resources.map((r) => r.name),
        [],
        'nothing registered',
      );
    });
  }
});
