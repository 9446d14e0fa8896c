// The AMI target's launch template step (targets/ami/launch-template-version.sh), run for real: the same script text
// and environment the local.Command gets, through /bin/sh -c, against a stand-in AWS CLI that behaves like EC2 (launch
// template versions). Plus shellcheck.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  LAUNCH_TEMPLATE_VERSION_SCRIPT,
  launchTemplateVersionEnvironment,
  parseLaunchTemplateVersion,
} from '../../../targets/ami/launch-template-version';
import { awsScriptHarness } from '../../helpers/aws-script';

const runScript = awsScriptHarness(path.join(__dirname, 'fixtures'));

describe('targets/ami/launch-template-version.sh against a stand-in EC2', () => {
  const USER_DATA = '#!/bin/bash\necho ToolJet user-data\n';
  const env = (overrides: Partial<Parameters<typeof launchTemplateVersionEnvironment>[0]> = {}) =>
    launchTemplateVersionEnvironment({
      launchTemplateId: 'lt-0123456789abcdef0',
      sourceVersion: '$Default',
      setDefaultVersion: true,
      userDataBase64: Buffer.from(USER_DATA).toString('base64'),
      description: 'tooljet-pg-upgrade staging: ToolJet on clone.example, RDS CA 0123456789ab',
      cli: { region: 'eu-west-1' },
      ...overrides,
    });
  const world = () => ({
    template: {
      id: 'lt-0123456789abcdef0',
      defaultVersion: 2,
      versions: [
        { ImageId: 'ami-old', InstanceType: 't3.large', UserData: 'b2xk' },
        {
          ImageId: 'ami-0tooljet',
          InstanceType: 'm6i.large',
          UserData: 'b2xkZXI=',
          IamInstanceProfile: { Name: 'tooljet-ec2' },
        },
        { ImageId: 'ami-latest-unreleased', InstanceType: 'm6i.large', UserData: 'bGF0ZXN0' },
      ],
    },
    calls: [],
  });
  const run = (e = env()) => runScript(LAUNCH_TEMPLATE_VERSION_SCRIPT, 'aws-ec2', world(), e);

  it('adds a version copied from $Default with only the user-data replaced, makes it the default and prints its number', () => {
    const r = run();
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'launchTemplateId=lt-0123456789abcdef0 launchTemplateVersion=4 default=true\n');
    assert.equal(parseLaunchTemplateVersion(r.stdout), 4);
    const v = r.after.template.versions[3];
    assert.equal(Buffer.from(v.UserData, 'base64').toString('utf8'), USER_DATA);
    assert.equal(v.ImageId, 'ami-0tooljet', 'everything else comes from the default version');
    assert.deepEqual(v.IamInstanceProfile, { Name: 'tooljet-ec2' });
    assert.match(v.description, /^tooljet-pg-upgrade staging: /);
    assert.equal(r.after.template.defaultVersion, 4);
  });

  it('leaves the default version alone when setDefaultVersion is false', () => {
    const r = run(env({ setDefaultVersion: false, sourceVersion: '1' }));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /launchTemplateVersion=4 default=false/);
    assert.equal(r.after.template.defaultVersion, 2);
    assert.equal(r.after.template.versions[3].ImageId, 'ami-old');
  });

  it('fails with the AWS error and the setting to check when the template does not exist', () => {
    const r = run(env({ launchTemplateId: 'lt-0000000000000000f' }));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /InvalidLaunchTemplateId\.NotFound/);
    assert.match(r.stderr, /check targets\.ami\.launchTemplateId/);
  });

  it('refuses user-data that is not base64 (it goes into a JSON document)', () => {
    const r = run({ ...env(), TJ_USER_DATA_B64: 'not"base64' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /TJ_USER_DATA_B64 is not base64/);
  });

  it('says how to fix a missing AWS CLI', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'tj-empty-path-'));
    try {
      const r = runScript(LAUNCH_TEMPLATE_VERSION_SCRIPT, 'aws-ec2', world(), env(), empty);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /the AWS CLI \(aws\) is not on PATH; install AWS CLI v2/);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  it('passes shellcheck as POSIX sh', () => {
    const r = spawnSync('shellcheck', ['-s', 'sh', LAUNCH_TEMPLATE_VERSION_SCRIPT], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout);
  });
});
