// checks/validate/row-security.ts on real 13.21 and 16.9: the edge fixture's row-level security (enabled on
// ledger.accounts with a permissive and a restrictive policy for fx_app, forced on audit.tags) passes; RLS disabled,
// FORCE dropped, a policy dropped and a policy's USING changed fail, each named.
import { strict as assert } from 'assert';
import { rowSecurity } from '../../../checks/validate/row-security';
import { edgeDatabases, edgeWith } from '../edge';
import { result, runChecks } from '../pair';

describe('checks/validate/row-security', () => {
  it('the same flags and policies pass', async () => {
    const r = result((await runChecks([rowSecurity], await edgeDatabases())).results, 'row-level security');
    assert.equal(r.status, 'pass', r.objects.join('; '));
    assert.match(r.detail, /^identical: \d+ tables \(2 with RLS enabled\) and 3 policies$/);
  });

  it('fails RLS disabled, FORCE dropped, a dropped policy and a changed policy, named', async () => {
    const r = result(
      (
        await runChecks(
          [rowSecurity],
          await edgeWith('chk_edge_rls', [
            'ALTER TABLE ledger.accounts DISABLE ROW LEVEL SECURITY',
            'ALTER TABLE audit.tags NO FORCE ROW LEVEL SECURITY',
            'DROP POLICY accounts_insert ON ledger.accounts',
            `ALTER POLICY tags_visible ON audit.tags USING (tag <> 't2')`,
          ]),
        )
      ).results,
      'row-level security',
    );
    assert.equal(r.status, 'fail');
    assert.deepEqual(r.objects, [
      'missing on target: policy accounts_insert on ledger.accounts',
      `differs: policy tags_visible on audit.tags: source "permissive for ALL to PUBLIC using ((tag <> 't3'::text))" | target "permissive for ALL to PUBLIC using ((tag <> 't2'::text))"`,
      'differs: table audit.tags: source "row level security enabled, forced for the owner" | target "row level security enabled"',
      'differs: table ledger.accounts: source "row level security enabled" | target "row level security disabled"',
    ]);
  });
});
