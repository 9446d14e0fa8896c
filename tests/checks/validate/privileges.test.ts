// checks/validate/privileges.ts on real 13.21 and 16.9: the edge fixture's grants (schema, table, column, function,
// default privileges, revoked PUBLIC EXECUTE) pass; the one 13/16 default difference (PUBLIC's CREATE on schema
// public, gone on a database created on 15+) is a warning that says so; a revoked table grant, a revoked schema
// USAGE, a lost column grant, EXECUTE given back to PUBLIC and dropped default privileges fail, each named.
import { strict as assert } from 'assert';
import { privileges } from '../../../checks/validate/privileges';
import { edgeDatabases, edgeWith } from '../edge';
import { result, runChecks } from '../pair';

describe('checks/validate/privileges', () => {
  it('the same grants pass; schema public with 15+ defaults on the target is a warning that names what it ignores', async () => {
    const r = result((await runChecks([privileges], await edgeDatabases())).results, 'privileges');
    assert.equal(r.status, 'warn', r.objects.join('; '));
    assert.match(r.detail, /^identical on \d+ objects on both sides .*the grantor is not compared.*, except as noted$/);
    assert.equal(r.objects.length, 1);
    assert.match(
      r.objects[0],
      /^schema public: PUBLIC may no longer CREATE there on the target \(PostgreSQL 15\+ default/,
    );
  });

  it('fails each revoked or added grant, named, with what each side has', async () => {
    const r = result(
      (
        await runChecks(
          [privileges],
          await edgeWith('chk_edge_grants', [
            'REVOKE INSERT ON ledger.accounts FROM fx_app',
            'REVOKE USAGE ON SCHEMA audit FROM fx_reader',
            'REVOKE SELECT (name) ON ledger.accounts FROM fx_reader',
            'GRANT EXECUTE ON FUNCTION ledger.transfer(int, int, numeric) TO PUBLIC',
            'ALTER DEFAULT PRIVILEGES FOR ROLE fx_owner IN SCHEMA ledger REVOKE SELECT ON TABLES FROM fx_reader',
            // Not the tolerated default: PUBLIC loses USAGE on public too.
            'REVOKE USAGE ON SCHEMA public FROM PUBLIC',
          ]),
        )
      ).results,
      'privileges',
    );
    assert.equal(r.status, 'fail');
    const o = r.objects.join('\n');
    assert.match(
      o,
      /^differs: table ledger\.accounts: source "[^"]*fx_app:INSERT[^"]*" \| target "(?![^"]*fx_app:INSERT)[^"]*"$/m,
    );
    assert.match(
      o,
      /^differs: schema audit: source "fx_reader:USAGE, owner:CREATE, owner:USAGE" \| target "owner:CREATE, owner:USAGE"$/m,
    );
    assert.match(o, /^differs: column ledger\.accounts\.name: source "fx_reader:SELECT" \| target "none"$/m);
    assert.match(
      o,
      /^differs: function ledger\.transfer\(src integer, dst integer, amount numeric\): source "fx_app:EXECUTE, owner:EXECUTE" \| target "PUBLIC:EXECUTE, fx_app:EXECUTE, owner:EXECUTE"$/m,
    );
    assert.match(
      o,
      /^missing on target: default privileges of fx_owner in schema ledger on tables: fx_reader:SELECT$/m,
    );
    assert.match(
      o,
      /^differs: schema public: source "PUBLIC:CREATE, PUBLIC:USAGE, owner:CREATE, owner:USAGE" \| target "owner:CREATE, owner:USAGE"$/m,
    );
    assert.equal(r.objects.length, 6, o);
  });
});
