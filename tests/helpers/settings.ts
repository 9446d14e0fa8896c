// Parsing target settings (and the other keys they depend on) through parseStackConfig, for the settings tests of
// each kind (tests/targets/<kind>/settings.test.ts) and of config/: the minimal valid stack plus `extra`, and its
// problems, each asserted to be one line.
import { strict as assert } from 'assert';
import { ConfigError, parseStackConfig, StackConfig } from '../../config';
import { TEST_PASSWORD, testCaBundle } from './program';
import { REPO_ROOT } from './stack-file';

export const NS = 'tooljet-pg-upgrade';
export const LOCKBOX = 'ab'.repeat(32);
export const SKB = 'cd'.repeat(64);
export const JWT = 'j'.repeat(40);
export const ARN = (name: string) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}-AbCdEf`;

export type Raw = Record<string, unknown>;

export function parse(extra: Raw, secrets: string[] = ['dbPassword'], stack = 'staging'): StackConfig {
  return parseStackConfig(
    {
      source: { identifier: 'tooljet-db' },
      caBundle: testCaBundle(),
      database: { username: 'tooljet' },
      dbPassword: TEST_PASSWORD,
      ...extra,
    },
    { stack, project: NS, baseDir: REPO_ROOT, isSecret: (k) => secrets.includes(k) },
  );
}

export function problems(extra: Raw, secrets?: string[]): string[] {
  try {
    parse(extra, secrets);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    for (const p of err.problems) assert.ok(!p.includes('\n'), 'one problem is one line');
    return [...err.problems];
  }
  assert.fail('expected a ConfigError');
}

/** Exactly one problem, matching `pattern`. */
export function oneProblem(extra: Raw, pattern: RegExp, secrets?: string[]): string {
  const p = problems(extra, secrets);
  assert.equal(p.length, 1, p.join('\n'));
  assert.match(p[0], pattern);
  return p[0];
}

/** The least targets.ecs that parses. */
export const ECS_MIN = {
  cluster: 'tooljet',
  service: 'tooljet',
  executionRoleArn: 'arn:aws:iam::123456789012:role/tooljet-exec',
  taskRoleArn: 'arn:aws:iam::123456789012:role/path/tooljet-task',
  tooljetHost: 'https://tooljet.example.com',
  caBundleObject: { bucket: 'tooljet-config' },
  secrets: { lockboxMasterKey: ARN('lockbox'), secretKeyBase: ARN('skb'), pgrstJwtSecret: ARN('jwt') },
};
