// The AMI user-data fails closed (issue 12 item 3) and keeps the .env private (issue 14 item 7), run for real with
// bash in a scratch root (AmiSandbox: stub aws, curl and systemctl that record their calls; every other command is
// the real one). Why fail closed: ToolJet's AMI enables its `nest` unit with Restart=always, so it starts at boot with
// the .env baked into the image (the old database) whatever cloud-init does; a user-data that gives up must stop it.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AmiTargetInput, renderAmiUserData } from '../../../targets/ami/render';
import { AMI_CA_PATH } from '../../../targets/shared/render';
import { AmiSandbox, CaFixture, CLONE, makeCaBundle } from '../../helpers/targets';

const FIXTURE = fs.readFileSync(path.join(__dirname, 'fixtures', 'ami.env'), 'utf8');
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:tooljet/rds-master-AbCdEf';
const STOPPED = [
  'systemctl stop nest',
  'systemctl disable nest',
  'systemctl stop postgrest',
  'systemctl disable postgrest',
];

describe('targets/ami/user-data.sh: fails closed, .env mode 600', () => {
  let ca: CaFixture;
  let work: string;
  before(() => {
    ca = makeCaBundle();
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'tj-ami-ud-'));
  });
  after(() => {
    ca.cleanup();
    fs.rmSync(work, { recursive: true, force: true });
  });
  const input = (): AmiTargetInput => ({
    database: CLONE,
    region: 'eu-west-1',
    caBundle: ca.bundle,
    caBundleSource: { s3: { bucket: 'tooljet-rds-ca', key: 'bundles/global-bundle.pem' } },
    pgPassword: { secretsManager: { secretId: SECRET_ARN, jsonKey: 'password' } },
  });
  const secret = JSON.stringify({ username: CLONE.user, password: 'pw-1', engine: 'postgres' });
  const stops = (b: AmiSandbox) => b.calls().filter((c) => /^systemctl (stop|disable)/.test(c));

  /** Runs a failing case; asserts exit 1, nest and postgrest stopped and disabled, why logged, the .env untouched. */
  function failsClosed(
    b: AmiSandbox,
    userData: string,
    why: RegExp,
    opts: { bundle?: string; env?: Record<string, string>; envUnchanged?: boolean } = {},
  ) {
    const r = b.run(userData, { bundle: opts.bundle ?? ca.pem, secret }, opts.env);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, why);
    assert.match(
      r.stderr,
      /ERROR: pointing ToolJet at the database did not finish.*: stopping and disabling nest postgrest so this instance does not serve ToolJet against the database in the AMI's own \.env/,
    );
    assert.deepEqual(stops(b), STOPPED, 'nest and postgrest stopped, then disabled (no start at the next boot)');
    if (opts.envUnchanged !== false) assert.equal(fs.readFileSync(b.envFile, 'utf8'), FIXTURE);
    return r;
  }

  const ENABLED_AND_RESTARTED = [
    'systemctl enable nest',
    'systemctl restart nest',
    'systemctl enable postgrest',
    'systemctl restart postgrest',
  ];

  it('on success stops nothing: it enables and restarts nest and postgrest', () => {
    const b = new AmiSandbox(work, FIXTURE);
    const r = b.run(renderAmiUserData(input()), { bundle: ca.pem, secret });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(stops(b), []);
    assert.deepEqual(
      b.calls().filter((c) => c.startsWith('systemctl')),
      ENABLED_AND_RESTARTED,
    );
  });

  it('after a failed run, a run that succeeds enables the units again (they start at the next boot)', () => {
    const b = new AmiSandbox(work, FIXTURE);
    failsClosed(b, renderAmiUserData(input()), /AccessDeniedException/, { env: { STUB_FAIL_SECRET: '1' } });
    const r = b.run(renderAmiUserData(input()), { bundle: ca.pem, secret });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(
      b.calls().filter((c) => c.startsWith('systemctl')),
      [...STOPPED, ...ENABLED_AND_RESTARTED],
    );
  });

  it('a bundle whose SHA-256 differs', () => {
    failsClosed(new AmiSandbox(work, FIXTURE), renderAmiUserData(input()), /refusing to install it/, {
      bundle: ca.otherPem,
    });
  });

  it('an S3/KMS denial downloading the bundle', () => {
    const b = new AmiSandbox(work, FIXTURE);
    failsClosed(
      b,
      renderAmiUserData(input()),
      /cannot download the CA bundle s3:\/\/tooljet-rds-ca\/bundles\/global-bundle\.pem \(the instance role needs s3:GetObject on it, and kms:Decrypt/,
      {
        env: { STUB_FAIL_S3: '1' },
      },
    );
    assert.equal(fs.existsSync(b.at(AMI_CA_PATH)), false, 'no bundle installed');
    assert.deepEqual(fs.readdirSync(path.dirname(b.at(AMI_CA_PATH))), [], 'the partial download was removed');
  });

  it('a Secrets Manager denial reading the password', () => {
    failsClosed(new AmiSandbox(work, FIXTURE), renderAmiUserData(input()), /AccessDeniedException/, {
      env: { STUB_FAIL_SECRET: '1' },
    });
  });

  it("no AWS CLI on the image (ToolJet's AMI build installs none)", () => {
    failsClosed(
      new AmiSandbox(work, FIXTURE, { withAws: false }),
      renderAmiUserData(input()),
      /aws is not installed or not on PATH/,
    );
  });

  it('a restart that fails: both units stopped and disabled, not left half-started', () => {
    const b = new AmiSandbox(work, FIXTURE);
    failsClosed(b, renderAmiUserData(input()), /systemctl restart nest failed: see journalctl -u nest/, {
      env: { STUB_SYSTEMCTL_FAIL: 'restart nest' },
      envUnchanged: false,
    });
  });

  it('a command failing under set -e that no check foresaw: the log names the command and its line', () => {
    const b = new AmiSandbox(work, FIXTURE);
    // The certificates' folder cannot be created: a file is where the directory should be.
    fs.mkdirSync(path.dirname(path.dirname(b.at(AMI_CA_PATH))), { recursive: true });
    fs.writeFileSync(path.dirname(b.at(AMI_CA_PATH)), 'not a directory');
    failsClosed(b, renderAmiUserData(input()), /failed at line \d+: mkdir -p .* \(exit 1\)\)/);
  });

  it('a failure before the unit names are known stops the defaults, nest and postgrest', () => {
    const ud = renderAmiUserData({ ...input(), restartUnits: ['tooljet-api'] }).replace(/^TJ_RESTART_UNITS=.*\n/m, '');
    failsClosed(new AmiSandbox(work, FIXTURE), ud, /TJ_RESTART_UNITS: unbound variable/);
  });

  it('a signal (systemd stopping cloud-final, an operator) also fails closed', async () => {
    const b = new AmiSandbox(work, FIXTURE);
    // The secret read hangs (a stub that sleeps); the run is terminated with SIGTERM to its process group.
    fs.writeFileSync(path.join(b.bin, 'aws'), '#!/bin/bash\nprintf "aws %s\\n" "$*" >> "$STUB_LOG"\nexec sleep 30\n', {
      mode: 0o755,
    });
    const r = await b.runKilled(renderAmiUserData(input()), { bundle: ca.pem, secret }, 1500);
    assert.equal(r.status, 143, r.stderr);
    assert.match(r.stderr, /stopping and disabling nest postgrest/);
    assert.deepEqual(stops(b), STOPPED);
    assert.equal(fs.readFileSync(b.envFile, 'utf8'), FIXTURE);
  });

  it('writes the .env 0600 whatever its mode was, also when its content is already up to date', () => {
    for (const mode of [0o644, 0o640, 0o600]) {
      const b = new AmiSandbox(work, FIXTURE, { envMode: mode });
      const first = b.run(renderAmiUserData(input()), { bundle: ca.pem, secret });
      assert.equal(first.status, 0, first.stderr);
      assert.equal(fs.statSync(b.envFile).mode & 0o777, 0o600, `was ${mode.toString(8)}`);
      fs.chmodSync(b.envFile, 0o644); // someone loosened it afterwards
      const again = b.run(renderAmiUserData(input()), { bundle: ca.pem, secret });
      assert.equal(again.status, 0, again.stderr);
      assert.match(again.stderr, /already up to date/);
      assert.equal(fs.statSync(b.envFile).mode & 0o777, 0o600, 'an unchanged .env is tightened too');
    }
  });
});
