// The clone's finishing step, run for real: the same script text and environment the local.Command gets, through
// /bin/sh -c, against a stand-in `aws` CLI that behaves like RDS (modify -> applying -> pending-reboot; reboot ->
// rebooting -> in-sync). The clone starts on the region's default CA, as a restore through the provider leaves it
// (terraform-provider-aws #33572 "ca_cert_identifier not applied when creating from a snapshot", #35711): the step
// moves it to the expected CA (the source's) in the same modify as the group, and verifies it.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  attachParameterGroupEnvironment,
  attachParameterGroupScript,
  ATTACH_PARAMETER_GROUP_SCRIPT,
} from '../../database';

const CLONE = 'test-db-pg13-clone';
const GROUP = 'test-db-pg13-clone-postgres16';
/** What RDS gives a restored instance when the restore does not name a CA (us-east-1's default since 2024). */
const REGION_DEFAULT_CA = 'rds-ca-rsa2048-g1';
/** The source's CA: what the clone must end on. */
const SOURCE_CA = 'rds-ca-ecc384-g1';

interface FakeState {
  instance: { id: string; status: string; version: string; group: string; apply: string; ca: string };
  groups: string[];
  queue: Record<string, string>[];
  rebootSyncs: boolean;
  /** false: RDS accepts the CA change but the instance stays on its CA. */
  caSticks: boolean;
  calls: { args: string[]; region?: string; profile?: string; pager?: string }[];
}

describe('database/attach-parameter-group.sh (the finishing command) against a stand-in AWS CLI', () => {
  let dir: string;
  let bin: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tj-attach-'));
    bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    fs.copyFileSync(path.join(__dirname, 'fixtures', 'aws'), path.join(bin, 'aws'));
    fs.chmodSync(path.join(bin, 'aws'), 0o755);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  function run(
    instance: Partial<FakeState['instance']>,
    opts: {
      rebootSyncs?: boolean;
      timeout?: number;
      path?: string;
      groups?: string[];
      caSticks?: boolean;
      expectCa?: string;
    } = {},
  ) {
    const stateFile = path.join(dir, `state-${Math.random().toString(16).slice(2)}.json`);
    const state: FakeState = {
      // What the provider leaves behind: upgraded to 16.9, on the default group RDS swapped in.
      instance: {
        id: CLONE,
        status: 'available',
        version: '16.9',
        group: 'default.postgres16',
        apply: 'in-sync',
        ca: REGION_DEFAULT_CA,
        ...instance,
      },
      groups: opts.groups ?? [GROUP],
      queue: [],
      rebootSyncs: opts.rebootSyncs ?? true,
      caSticks: opts.caSticks ?? true,
      calls: [],
    };
    fs.writeFileSync(stateFile, JSON.stringify(state));
    const env = attachParameterGroupEnvironment({
      cloneIdentifier: CLONE,
      parameterGroupName: GROUP,
      engineVersion: '16.9',
      caCertIdentifier: opts.expectCa ?? SOURCE_CA,
      timeoutSeconds: opts.timeout ?? 60,
      pollSeconds: 0,
      region: 'eu-west-1',
      profile: 'tooljet-admin',
    });
    const r = spawnSync('/bin/sh', ['-c', attachParameterGroupScript()], {
      env: { ...env, PATH: opts.path ?? `${bin}:${process.env.PATH}`, FAKE_AWS_STATE: stateFile },
      encoding: 'utf8',
      timeout: 30_000,
    });
    const after = JSON.parse(fs.readFileSync(stateFile, 'utf8')) as FakeState;
    const commands = after.calls.map((c) => c.args[1]);
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, after, commands };
  }

  it("attaches the postgres16 group to a freshly upgraded clone, moves it to the source's CA, reboots it and ends verified in-sync", () => {
    const r = run({});
    assert.equal(r.status, 0, r.stderr);
    assert.equal(
      r.stdout,
      `clone=${CLONE} engine=16.9 parameterGroup=${GROUP} parameterApplyStatus=in-sync ca=${SOURCE_CA}\n`,
    );
    assert.deepEqual(r.after.instance, {
      id: CLONE,
      status: 'available',
      version: '16.9',
      group: GROUP,
      apply: 'in-sync',
      ca: SOURCE_CA,
    });
    assert.equal(r.commands.filter((c) => c === 'modify-db-instance').length, 1);
    assert.equal(r.commands.filter((c) => c === 'reboot-db-instance').length, 1);
    // modify before reboot, and the reboot only once the group is pending-reboot
    assert.ok(r.commands.indexOf('modify-db-instance') < r.commands.indexOf('reboot-db-instance'));
    const modify = r.after.calls.find((c) => c.args[1] === 'modify-db-instance')!;
    assert.ok(modify.args.includes('--apply-immediately'));
    assert.equal(modify.args[modify.args.indexOf('--db-parameter-group-name') + 1], GROUP);
    // the CA in the same call as the group: one restart for both
    assert.equal(modify.args[modify.args.indexOf('--ca-certificate-identifier') + 1], SOURCE_CA);
    assert.ok(!modify.args.includes('--engine-version'), "the version change is the provider's job, not this step's");
    assert.match(r.stderr, /moving test-db-pg13-clone to the RDS CA rds-ca-ecc384-g1 \(now on rds-ca-rsa2048-g1/);
  });

  it('a clone already on the group but on the region default CA: one modify of the CA only, no reboot, verified', () => {
    const r = run({ group: GROUP });
    assert.equal(r.status, 0, r.stderr);
    const modifies = r.after.calls.filter((c) => c.args[1] === 'modify-db-instance');
    assert.equal(modifies.length, 1);
    assert.deepEqual(modifies[0].args.slice(2), [
      '--db-instance-identifier',
      CLONE,
      '--ca-certificate-identifier',
      SOURCE_CA,
      '--apply-immediately',
    ]);
    assert.ok(!r.commands.includes('reboot-db-instance'));
    assert.equal(r.after.instance.ca, SOURCE_CA);
    assert.match(r.stdout, / ca=rds-ca-ecc384-g1\n$/);
  });

  it('fails with one line naming both CAs when the clone does not end on the expected CA', () => {
    const r = run({ group: GROUP }, { caSticks: false, timeout: 5 });
    assert.equal(r.status, 1);
    const failure = r.stderr
      .split('\n')
      .filter((l) => !/^attach-parameter-group: (moving|attaching|rebooting)/.test(l));
    assert.deepEqual(
      failure.filter((l) => l !== ''),
      [
        'attach-parameter-group: timed out after 5s waiting for test-db-pg13-clone to be on parameter group test-db-pg13-clone-postgres16 and CA rds-ca-ecc384-g1; now status=available engine=16.9 parameter-group=test-db-pg13-clone-postgres16 (in-sync) ca=rds-ca-rsa2048-g1. Raise clone.timeouts.update if RDS is just slow, then run pulumi up again',
      ],
    );
  });

  it('fails with the AWS error when RDS does not know the CA', () => {
    const r = run({ group: GROUP }, { expectCa: 'rds-ca-nope' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /CertificateNotFound/);
    assert.match(r.stderr, /modify-db-instance test-db-pg13-clone --ca-certificate-identifier rds-ca-nope failed/);
  });

  it('passes the stack region and profile to the AWS CLI through the environment, with the pager off', () => {
    const r = run({});
    assert.equal(r.status, 0, r.stderr);
    for (const c of r.after.calls) {
      assert.equal(c.region, 'eu-west-1');
      assert.equal(c.profile, 'tooljet-admin');
      assert.equal(c.pager, '');
    }
  });

  it('is idempotent: a clone already on the group and in-sync is only verified', () => {
    const r = run({ group: GROUP, ca: SOURCE_CA });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual([...new Set(r.commands)], ['describe-db-instances']);
  });

  it('finishes a half-done run: group attached but still pending-reboot -> reboot only', () => {
    const r = run({ group: GROUP, apply: 'pending-reboot', ca: SOURCE_CA });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(!r.commands.includes('modify-db-instance'));
    assert.equal(r.commands.filter((c) => c === 'reboot-db-instance').length, 1);
    assert.equal(r.after.instance.apply, 'in-sync');
  });

  it('fails loudly, without touching the clone, when it is not on the expected version (upgrade did not happen)', () => {
    const r = run({ version: '13.20', group: 'default.postgres13' });
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      /clone test-db-pg13-clone runs PostgreSQL 13\.20, not 16\.9: the major version upgrade did not complete/,
    );
    assert.deepEqual([...new Set(r.commands)], ['describe-db-instances']);
  });

  it('fails with the RDS state when the group never gets in-sync within the time budget', () => {
    const r = run({}, { rebootSyncs: false, timeout: 5 });
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      /timed out after 5s waiting for test-db-pg13-clone to be in-sync with test-db-pg13-clone-postgres16; now status=available engine=16\.9 parameter-group=test-db-pg13-clone-postgres16 \(pending-reboot\) ca=rds-ca-ecc384-g1/,
    );
  });

  it('fails when the parameter group does not exist, with the AWS error', () => {
    const r = run({}, { groups: [] });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /DBParameterGroupNotFound/);
    assert.match(
      r.stderr,
      /modify-db-instance test-db-pg13-clone --db-parameter-group-name test-db-pg13-clone-postgres16 --ca-certificate-identifier rds-ca-ecc384-g1 failed/,
    );
  });

  it('fails when the clone cannot be described', () => {
    const r = run({ id: 'some-other-instance' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /DBInstanceNotFound/);
    assert.match(r.stderr, /describe-db-instances for test-db-pg13-clone failed/);
  });

  it('says how to fix a missing AWS CLI', () => {
    const empty = fs.mkdtempSync(path.join(dir, 'empty-'));
    const r = run({}, { path: empty });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /the AWS CLI \(aws\) is not on PATH; install AWS CLI v2/);
  });

  it('passes shellcheck as POSIX sh', () => {
    const r = spawnSync('shellcheck', ['-s', 'sh', ATTACH_PARAMETER_GROUP_SCRIPT], { encoding: 'utf8' });
    assert.equal(r.error, undefined, 'shellcheck must be installed (.ci/run installs it)');
    assert.equal(r.status, 0, r.stdout);
  });
});
