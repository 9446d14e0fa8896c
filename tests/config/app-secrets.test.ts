// The app secrets (config/app-secrets.ts) and `validation` (config/validation.ts) through parseStackConfig: defaults,
// every key typed, one clear line per bad value, never echoing a secret.
import { strict as assert } from 'assert';
import { LOCKBOX, parse, problems } from '../helpers/settings';

describe('config/app-secrets and config/validation: app secrets and the post-deploy validation settings', () => {
  it('app secrets must be Pulumi secrets of the right shape; values never echoed', () => {
    const p = problems({ lockboxMasterKey: LOCKBOX, secretKeyBase: 'not-hex', pgrstJwtSecret: 'tiny-jwt' }, [
      'dbPassword',
      'secretKeyBase',
      'pgrstJwtSecret',
    ]);
    assert.equal(p.length, 3);
    assert.match(p[0], /^tooljet-pg-upgrade:lockboxMasterKey: is stored in plain text; make it a secret/);
    assert.match(
      p[1],
      /^tooljet-pg-upgrade:secretKeyBase: is not a valid SECRET_KEY_BASE \(value not shown\): it must be a hex string of at least 32 characters/,
    );
    assert.match(p[2], /^tooljet-pg-upgrade:pgrstJwtSecret: is not a valid PGRST_JWT_SECRET .* at least 32 characters/);
    for (const v of [LOCKBOX, 'not-hex', 'tiny-jwt']) assert.ok(!p.join('\n').includes(v));
  });

  it('validation defaults: enabled, ToolJet Database too, 4 jobs, read-only (no ANALYZE, no setval), 2h', () => {
    assert.deepEqual(parse({}).validation, {
      enabled: true,
      tooljetDb: true,
      jobs: 4,
      analyze: false,
      fixSequences: false,
      timeoutSeconds: 2 * 3600,
    });
    assert.deepEqual(
      parse({
        validation: JSON.stringify({
          enabled: false,
          tooljetDb: false,
          jobs: 2,
          analyze: true,
          fixSequences: true,
          timeout: '90m',
        }),
      }).validation,
      {
        enabled: false,
        tooljetDb: false,
        jobs: 2,
        analyze: true,
        fixSequences: true,
        timeoutSeconds: 90 * 60,
      },
    );
  });
});
