// targets.ami through parseStackConfig (targets/ami/settings.ts): defaults, every key typed, and one clear line per
// bad value (naming the full key, never echoing a secret).
import { strict as assert } from 'assert';
import { AMI_SETTINGS_DEFAULTS } from '../../../targets/ami/settings';
import { ARN, oneProblem, parse, problems } from '../../helpers/settings';

describe('targets/ami/settings: targets.ami through parseStackConfig', () => {
  it('defaults: $Default source version made default, bundle key, nest + postgrest, password created from dbPassword', () => {
    const c = parse({
      targets: { ami: { launchTemplateId: 'lt-0abc12345def67890', caBundleObject: { bucket: 'tooljet-config' } } },
    });
    assert.deepEqual(c.targets.ami, {
      launchTemplateId: 'lt-0abc12345def67890',
      sourceVersion: '$Default',
      setDefaultVersion: true,
      caBundle: { s3: { bucket: 'tooljet-config', key: AMI_SETTINGS_DEFAULTS.caBundleKey } },
      pgPassword: { kind: 'create', from: 'dbPassword' },
      secretNamePrefix: 'tooljet-pg-upgrade/staging/',
      restartUnits: ['nest', 'postgrest'],
    });
  });

  it('types every key', () => {
    const c = parse({
      targets: {
        ami: {
          launchTemplateId: 'lt-0abc12345def67890',
          sourceVersion: 3,
          setDefaultVersion: false,
          caBundleUrl: 'https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem',
          pgPassword: { arn: ARN('db'), jsonKey: 'password' },
          tooljetDbPassword: ARN('tjdb'),
          secretNamePrefix: 'tj/',
          secretsKmsKeyId: 'alias/tooljet',
          instanceRoleName: 'tooljet-ec2',
          restartUnits: ['nest'],
          envFile: '/srv/app/.env',
          caFile: '/srv/certs/rds.pem',
        },
      },
    });
    assert.deepEqual(c.targets.ami, {
      launchTemplateId: 'lt-0abc12345def67890',
      sourceVersion: '3',
      setDefaultVersion: false,
      caBundle: { url: 'https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem' },
      pgPassword: { kind: 'reference', ref: { arn: ARN('db'), jsonKey: 'password' } },
      tooljetDbPassword: { arn: ARN('tjdb') },
      secretNamePrefix: 'tj/',
      secretsKmsKeyId: 'alias/tooljet',
      instanceRoleName: 'tooljet-ec2',
      restartUnits: ['nest'],
      envFile: '/srv/app/.env',
      caFile: '/srv/certs/rds.pem',
    });
  });

  it('needs the template and one bundle source; refuses both sources, a role ARN for a name, http, relative paths', () => {
    const p = problems({
      targets: { ami: { instanceRoleName: 'arn:aws:iam::123456789012:role/tooljet-ec2', envFile: 'app/.env' } },
    });
    assert.deepEqual(
      p.map((l) => l.split(': ')[0]),
      ['launchTemplateId', 'caBundleObject', 'instanceRoleName', 'envFile'].map(
        (k) => `tooljet-pg-upgrade:targets.ami.${k}`,
      ),
    );
    oneProblem(
      {
        targets: {
          ami: {
            launchTemplateId: 'lt-0abc12345def67890',
            caBundleObject: { bucket: 'b-1' },
            caBundleUrl: 'https://x.example/b.pem',
          },
        },
      },
      /targets\.ami\.caBundleUrl: and targets\.ami\.caBundleObject are both set; keep one/,
    );
    oneProblem(
      { targets: { ami: { launchTemplateId: 'lt-0abc12345def67890', caBundleUrl: 'http://x.example/b.pem' } } },
      /targets\.ami\.caBundleUrl: "http:\/\/x\.example\/b\.pem" is not valid; use an https URL/,
    );
  });
});
