import { strict as assert } from 'assert';
import type * as aws from '@pulumi/aws';
import type { Unwrap } from '@pulumi/pulumi';
import {
  rdsNotPubliclyAccessible,
  rdsParameterGroupForceSsl,
  rdsProductionCloneDeletionProtection,
  rdsStorageEncrypted,
  TYPES,
} from '../../policy/policies';
import { runPolicy, UNKNOWN } from './harness';

// Props are written against the real SDK argument types, so a renamed input breaks the type-check, not production.
type InstanceProps = Unwrap<aws.rds.InstanceArgs>;
type ParameterGroupProps = Unwrap<aws.rds.ParameterGroupArgs>;

const cloneTags = (environment: 'production' | 'staging'): Record<string, string> => ({
  'tooljet:environment': environment,
  'tooljet:purpose': 'pg16-upgrade-clone',
  'tooljet:source-instance': 'tooljet-db',
  'tooljet:source-snapshot': 'tooljet-db-pre-pg16',
  'tooljet:managed-by': 'pulumi/tooljet-pg-upgrade',
  Name: `tooljet-db-pg16-${environment}`,
});

function clone(
  overrides: Partial<InstanceProps> = {},
  environment: 'production' | 'staging' = 'production',
): InstanceProps {
  return {
    instanceClass: 'db.t4g.medium',
    identifier: 'tooljet-db-pg16',
    snapshotIdentifier: 'tooljet-db-pre-pg16',
    engine: 'postgres',
    engineVersion: '16.9',
    allowMajorVersionUpgrade: true,
    autoMinorVersionUpgrade: false,
    publiclyAccessible: false,
    storageEncrypted: true,
    deletionProtection: true,
    tags: cloneTags(environment),
    ...overrides,
  };
}

const instance = (props: InstanceProps | Record<string, unknown>, stack = 'staging', name = 'clone') => ({
  type: TYPES.rdsInstance,
  props: props as Record<string, unknown>,
  stack,
  name,
});

describe('policy: rds-instance-not-publicly-accessible', () => {
  it('passes a private instance, and one that leaves publiclyAccessible at its default (false)', async () => {
    assert.deepEqual((await runPolicy(rdsNotPubliclyAccessible, instance(clone()))).violations, []);
    const { publiclyAccessible: _omitted, ...implicit } = clone();
    assert.deepEqual((await runPolicy(rdsNotPubliclyAccessible, instance(implicit))).violations, []);
  });

  it('refuses publiclyAccessible: true and says what to set', async () => {
    const run = await runPolicy(rdsNotPubliclyAccessible, instance(clone({ publiclyAccessible: true })));
    assert.equal(run.violations.length, 1);
    assert.match(run.violations[0], /"clone" has publiclyAccessible: true\. Set publiclyAccessible: false/);
  });

  it('reports "cannot check during preview" (not a pass, not a violation) when the value is unknown', async () => {
    const run = await runPolicy(
      rdsNotPubliclyAccessible,
      instance({ ...clone(), publiclyAccessible: UNKNOWN.boolean }),
    );
    assert.deepEqual(run.violations, []);
    assert.match(run.advisory ?? '', /publiclyAccessible can't be known during preview/);
  });

  it('ignores other resource types', async () => {
    const run = await runPolicy(rdsNotPubliclyAccessible, {
      type: TYPES.rdsParameterGroup,
      props: { publiclyAccessible: true },
    });
    assert.deepEqual(run.violations, []);
  });
});

describe('policy: rds-instance-storage-encrypted', () => {
  it('passes storageEncrypted: true', async () => {
    assert.deepEqual((await runPolicy(rdsStorageEncrypted, instance(clone()))).violations, []);
  });

  it('refuses false and a missing storageEncrypted, pointing at SnapshotCopy for unencrypted snapshots', async () => {
    const { storageEncrypted: _omitted, ...missing } = clone();
    for (const props of [clone({ storageEncrypted: false }), missing]) {
      const run = await runPolicy(rdsStorageEncrypted, instance(props));
      assert.equal(run.violations.length, 1);
      assert.match(run.violations[0], /does not set storageEncrypted: true/);
      assert.match(run.violations[0], /aws\.rds\.SnapshotCopy with kmsKeyId/);
    }
  });

  it('defers an unknown storageEncrypted to `pulumi up`', async () => {
    const run = await runPolicy(rdsStorageEncrypted, instance({ ...clone(), storageEncrypted: UNKNOWN.boolean }));
    assert.deepEqual(run.violations, []);
    assert.match(run.advisory ?? '', /storageEncrypted/);
  });
});

describe('policy: rds-parameter-group-force-ssl', () => {
  const group = (props: ParameterGroupProps | Record<string, unknown>) => ({
    type: TYPES.rdsParameterGroup,
    props: props as Record<string, unknown>,
    name: 'pg16',
  });
  const pg16 = (parameters: ParameterGroupProps['parameters']): ParameterGroupProps => ({
    family: 'postgres16',
    description: 'ToolJet on PostgreSQL 16',
    parameters,
  });

  it('passes a postgres16 group with rds.force_ssl = "1" among other parameters', async () => {
    const run = await runPolicy(
      rdsParameterGroupForceSsl,
      group(
        pg16([
          { name: 'log_connections', value: '1' },
          { name: 'rds.force_ssl', value: '1', applyMethod: 'immediate' },
        ]),
      ),
    );
    assert.deepEqual(run, { violations: [] });
  });

  it('refuses a postgres16 group without rds.force_ssl', async () => {
    const run = await runPolicy(rdsParameterGroupForceSsl, group(pg16([{ name: 'log_connections', value: '1' }])));
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0],
      /"pg16" \(family postgres16\) does not set rds\.force_ssl\. Add \{ name: "rds\.force_ssl", value: "1" \}/,
    );
  });

  it('refuses rds.force_ssl = "0" (and a postgres16 group with no parameters at all)', async () => {
    const zero = await runPolicy(rdsParameterGroupForceSsl, group(pg16([{ name: 'rds.force_ssl', value: '0' }])));
    assert.equal(zero.violations.length, 1);
    assert.match(zero.violations[0], /sets rds\.force_ssl to "0"\. Set it to "1"/);
    const none = await runPolicy(rdsParameterGroupForceSsl, group({ family: 'postgres16' }));
    assert.equal(none.violations.length, 1);
  });

  it('applies from postgres15 on; postgres13 and non-PostgreSQL families are not applicable', async () => {
    assert.equal(
      (await runPolicy(rdsParameterGroupForceSsl, group({ family: 'postgres15', parameters: [] }))).violations.length,
      1,
    );
    const pg13 = await runPolicy(rdsParameterGroupForceSsl, group({ family: 'postgres13', parameters: [] }));
    assert.deepEqual(pg13.violations, []);
    assert.match(pg13.notApplicable ?? '', /postgres13 is not PostgreSQL 15\+/);
    const mysql = await runPolicy(rdsParameterGroupForceSsl, group({ family: 'mysql8.0' }));
    assert.deepEqual(mysql.violations, []);
    assert.notEqual(mysql.notApplicable, undefined);
  });

  it('does not call a group non-compliant when its parameters are unknown at preview', async () => {
    const run = await runPolicy(rdsParameterGroupForceSsl, group({ family: 'postgres16', parameters: UNKNOWN.array }));
    assert.deepEqual(run.violations, []);
    assert.match(run.advisory ?? '', /parameters/);
    const value = await runPolicy(
      rdsParameterGroupForceSsl,
      group({ family: 'postgres16', parameters: [{ name: 'rds.force_ssl', value: UNKNOWN.string }] }),
    );
    assert.deepEqual(value.violations, []);
    assert.notEqual(value.advisory, undefined);
  });
});

describe('policy: rds-production-clone-deletion-protection', () => {
  const policy = rdsProductionCloneDeletionProtection;

  it('passes the production clone with deletionProtection: true', async () => {
    assert.deepEqual((await runPolicy(policy, instance(clone(), 'prod'))).violations, []);
  });

  it('refuses the clone in stack "prod" without deletionProtection, naming why it counts as production', async () => {
    const run = await runPolicy(policy, instance(clone({ deletionProtection: false }), 'prod'));
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0],
      /"clone" is the production clone \(tag tooljet:environment=production, stack "prod"\)/,
    );
    assert.match(run.violations[0], /Set it/);
  });

  it('treats the tooljet:environment=production tag as production whatever the stack is called', async () => {
    const { deletionProtection: _omitted, ...unset } = clone();
    const run = await runPolicy(policy, instance(unset, 'blue'));
    assert.equal(run.violations.length, 1);
    assert.match(run.violations[0], /\(tag tooljet:environment=production\)/);
  });

  it('treats stack "prod" as production even when the tag says staging (mistagged clone)', async () => {
    const run = await runPolicy(policy, instance(clone({ deletionProtection: false }, 'staging'), 'prod'));
    assert.equal(run.violations.length, 1);
    assert.match(run.violations[0], /\(stack "prod"\)/);
  });

  it('honours a stack tag tooljet:environment=production', async () => {
    const run = await runPolicy(policy, {
      ...instance(clone({ deletionProtection: false }, 'staging'), 'eu-live'),
      stackTags: { 'tooljet:environment': 'production' },
    });
    assert.match(run.violations[0] ?? '', /stack tag tooljet:environment=production/);
  });

  it('does not apply to the staging clone', async () => {
    const run = await runPolicy(policy, instance(clone({ deletionProtection: false }, 'staging'), 'staging'));
    assert.deepEqual(run.violations, []);
    assert.equal(run.notApplicable, 'not production');
  });

  it('does not apply to an RDS instance that is not a clone (no purpose tag, no snapshotIdentifier)', async () => {
    const run = await runPolicy(
      policy,
      instance({ instanceClass: 'db.t4g.medium', engine: 'postgres', tags: { Name: 'other' } }, 'prod'),
    );
    assert.deepEqual(run.violations, []);
    assert.match(run.notApplicable ?? '', /not the upgrade clone/);
  });

  it('counts an untagged instance restored from a snapshot (identifier unknown at preview) as a clone', async () => {
    const run = await runPolicy(
      policy,
      instance(
        { instanceClass: 'db.t4g.medium', snapshotIdentifier: UNKNOWN.string, deletionProtection: false },
        'prod',
      ),
    );
    assert.equal(run.violations.length, 1);
  });

  it('reads the production stacks from the policy config', async () => {
    const config = { productionStacks: ['live'] };
    const untagged = clone({ deletionProtection: false, tags: { 'tooljet:purpose': 'pg16-upgrade-clone' } });
    assert.equal((await runPolicy(policy, { ...instance(untagged, 'live'), config })).violations.length, 1);
    assert.equal((await runPolicy(policy, { ...instance(untagged, 'prod'), config })).notApplicable, 'not production');
  });

  it('defers an unknown deletionProtection to `pulumi up`', async () => {
    const run = await runPolicy(policy, instance({ ...clone(), deletionProtection: UNKNOWN.boolean }, 'prod'));
    assert.deepEqual(run.violations, []);
    assert.match(run.advisory ?? '', /deletionProtection/);
  });
});
