// targets/shared/settings: the readers every kind's settings parser shares, on their own with a Reader (the kinds'
// settings tests exercise them through parseStackConfig). Each returns undefined instead of throwing and reports one
// line naming the full key; a value that may be a secret is never echoed.
import { strict as assert } from 'assert';
import * as path from 'path';
import { Reader } from '../../../config/reader';
import {
  defaultSecretNamePrefix,
  readLocalPath,
  readS3Object,
  readSecretRef,
  readStringList,
  requiredMatching,
} from '../../../targets/shared/settings';

const SM = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:tooljet/db-AbCdEf';
const SSM = 'arn:aws:ssm:eu-west-1:123456789012:parameter/tooljet/db';

describe('targets/shared/settings: the readers the settings parsers share', () => {
  it('readSecretRef: an ARN or {arn, jsonKey}; never echoes what was pasted instead', () => {
    const r = new Reader('p');
    assert.deepEqual(readSecretRef(r, 'targets.x.pw', SM), { arn: SM });
    assert.deepEqual(readSecretRef(r, 'targets.x.pw', { arn: SM, jsonKey: 'password' }), {
      arn: SM,
      jsonKey: 'password',
    });
    assert.deepEqual(readSecretRef(r, 'targets.x.pw', SSM), { arn: SSM });
    assert.equal(r.problems.length, 0, r.problems.join('\n'));
    assert.equal(readSecretRef(r, 'targets.x.pw', 'hunter2-the-password'), undefined);
    assert.equal(readSecretRef(r, 'targets.x.pw', { arn: SSM, jsonKey: 'password' }), undefined);
    assert.equal(readSecretRef(r, 'targets.x.pw', { arn: SM, jsonKey: 'a b' }), undefined);
    assert.deepEqual(
      readSecretRef(r, 'targets.x.pw', { arn: SM, typo: 1 }),
      { arn: SM },
      'the typo is reported, the reference still read',
    );
    assert.match(
      r.problems[0],
      /^p:targets\.x\.pw: is not a secret ARN \(value not shown: never put a secret itself in config\)/,
    );
    assert.ok(!r.problems.join('\n').includes('hunter2'));
    assert.match(r.problems[1], /^p:targets\.x\.pw\.jsonKey: applies to Secrets Manager secrets only/);
    assert.match(r.problems[2], /^p:targets\.x\.pw\.jsonKey: must be the plain name of a key of the JSON secret/);
    assert.match(r.problems[3], /^p:targets\.x\.pw\.typo: unknown key/);
  });

  it('readS3Object: a bucket and a key with a default; both checked', () => {
    const r = new Reader('p');
    assert.deepEqual(readS3Object(r, 'targets.x.o', { bucket: 'tooljet-config' }, 'a/b.pem'), {
      bucket: 'tooljet-config',
      key: 'a/b.pem',
    });
    assert.deepEqual(readS3Object(r, 'targets.x.o', { bucket: 'tooljet-config', key: 'c/d.pem' }, 'a/b.pem'), {
      bucket: 'tooljet-config',
      key: 'c/d.pem',
    });
    assert.equal(r.problems.length, 0, r.problems.join('\n'));
    assert.equal(readS3Object(r, 'targets.x.o', 'tooljet-config', 'a/b.pem'), undefined);
    assert.equal(readS3Object(r, 'targets.x.o', {}, 'a/b.pem'), undefined);
    assert.equal(readS3Object(r, 'targets.x.o', { bucket: 'Not_A_Bucket' }, 'a/b.pem'), undefined);
    assert.deepEqual(
      r.problems.map((p) => p.split(': ')[0]),
      ['p:targets.x.o', 'p:targets.x.o.bucket', 'p:targets.x.o.bucket'],
    );
  });

  it('readS3Object refuses * in the key: it becomes the Resource of the task-role and instance-role policies (issue 14)', () => {
    // IAM reads * (and ?) in a Resource ARN as a wildcard (IAM User Guide, "IAM JSON policy elements: Resource"), so
    // tooljet-pg-upgrade/* would let the roles read every object under that prefix.
    for (const key of ['tooljet-pg-upgrade/*', 'rds-ca/*.pem', '*']) {
      const r = new Reader('p');
      readS3Object(r, 'targets.ecs.caBundleObject', { bucket: 'tooljet-config', key }, 'a/b.pem');
      assert.equal(r.problems.length, 1, key);
      assert.match(
        r.problems[0],
        /^p:targets\.ecs\.caBundleObject\.key: .*no \*: it would be a wildcard in the IAM policy/,
      );
    }
  });

  it('readStringList, requiredMatching, readLocalPath', () => {
    const r = new Reader('p');
    assert.deepEqual(readStringList(r, 'k', ['a', 'b'], /^[a-z]$/, 'fix'), ['a', 'b']);
    assert.equal(readStringList(r, 'k', undefined, /^[a-z]$/, 'fix'), undefined);
    assert.equal(readStringList(r, 'k', ['a', 'a'], /^[a-z]$/, 'fix'), undefined);
    assert.equal(readStringList(r, 'k', [], /^[a-z]$/, 'fix', { nonEmpty: true }), undefined);
    assert.equal(requiredMatching(r, 'k2', undefined, /x/, 'fix', 'set it'), undefined);
    assert.equal(
      readLocalPath(r, 'k3', 'deploy/docker', '/srv/project', 'fix'),
      path.resolve('/srv/project', 'deploy/docker'),
    );
    assert.deepEqual(r.problems, [
      'p:k: lists the same entry twice; remove the duplicate',
      'p:k: must be a non-empty list, got a list; fix',
      'p:k2: not set; set it',
    ]);
    assert.equal(defaultSecretNamePrefix('tooljet-pg-upgrade', 'prod'), 'tooljet-pg-upgrade/prod/');
  });
});
