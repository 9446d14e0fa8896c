// checks/validate/roles.ts on the real 13.21/16.9 pair (roles belong to the cluster: a server check, run once): the
// same roles and memberships pass; a role only on one side, another attribute and a lost membership fail, named;
// a membership in a predefined role 13 does not have (pg_read_all_data, new in 14) is ignored and counted as such.
import { strict as assert } from 'assert';
import { roles } from '../../../checks/validate/roles';
import { EDGE_ROLES_SQL } from '../../../lib/fixture/edge';
import { pair, result, runServer } from '../pair';

describe('checks/validate/roles', () => {
  it('passes the same roles; fails a missing role, a changed attribute, a lost membership; ignores 14+ predefined roles', async () => {
    const p = await pair();
    const dbs = await p.databases('chk_roles', EDGE_ROLES_SQL, EDGE_ROLES_SQL);
    const same = result(await runServer([roles], dbs), 'roles');
    assert.equal(same.status, 'pass', same.objects.join('; '));
    assert.match(
      same.detail,
      /^identical: \d+ roles and \d+ memberships on the source \(passwords not compared; ignored: predefined pg_\* roles and RDS roles/,
    );
    try {
      await p.exec(dbs.source, 'CREATE ROLE fx_gone NOLOGIN');
      await p.exec(
        dbs.target,
        'ALTER ROLE fx_reader CREATEDB',
        'REVOKE fx_reader FROM fx_app',
        'GRANT pg_read_all_data TO fx_owner',
      );
      const r = result(await runServer([roles], dbs), 'roles');
      assert.equal(r.status, 'fail');
      assert.deepEqual(r.objects, [
        'differs: role fx_reader: source "NOLOGIN" | target "CREATEDB NOLOGIN"',
        'missing on target: fx_app member of fx_reader',
        'missing on target: role fx_gone (NOLOGIN)',
      ]);
      assert.match(r.detail, /ignored: .*1 membership\(s\) in predefined roles the source's version does not have/);
    } finally {
      await p.exec(dbs.source, 'DROP ROLE IF EXISTS fx_gone');
      await p.exec(
        dbs.target,
        'ALTER ROLE fx_reader NOCREATEDB',
        'GRANT fx_reader TO fx_app',
        'REVOKE pg_read_all_data FROM fx_owner',
      );
    }
  });
});
