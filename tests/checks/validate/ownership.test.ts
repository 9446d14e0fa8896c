// checks/validate/ownership.ts on real 13.21 and 16.9: the edge fixture's owners (fx_owner, not the superuser) pass;
// schema public, owned by the bootstrap superuser on 13 and by pg_database_owner on a database created on 16, is
// ignored and the result says so; a changed owner of a table, a schema, a function and a type each fail, named.
import { strict as assert } from 'assert';
import { ownership } from '../../../checks/validate/ownership';
import { edgeDatabases, edgeWith } from '../edge';
import { result, runChecks } from '../pair';

describe('checks/validate/ownership', () => {
  it('same owners pass; schema public owned by pg_database_owner on 16 is named as ignored', async () => {
    const r = result((await runChecks([ownership], await edgeDatabases())).results, 'ownership');
    assert.equal(r.status, 'pass', r.objects.join('; '));
    assert.match(r.detail, /^same owners on \d+ objects on both sides/);
    assert.deepEqual(r.objects, [
      "ignored: schema public is owned by pg_database_owner on the target and by the bootstrap superuser postgres on the source: PostgreSQL 15+ creates it so (pg_database_owner, new in 14, stands for the database's owner)",
    ]);
  });

  it('fails each object with another owner, by role name', async () => {
    const r = result(
      (
        await runChecks(
          [ownership],
          await edgeWith('chk_edge_owners', [
            'ALTER TABLE ledger.accounts OWNER TO fx_app',
            'ALTER SCHEMA audit OWNER TO fx_reader',
            'ALTER FUNCTION ledger.transfer(int, int, numeric) OWNER TO postgres',
            'ALTER TYPE ledger.kind OWNER TO fx_app',
          ]),
        )
      ).results,
      'ownership',
    );
    assert.equal(r.status, 'fail');
    assert.match(r.objects[5], /^ignored: schema public is owned by pg_database_owner/);
    assert.deepEqual(r.objects.slice(0, 5), [
      'differs: function ledger.transfer(src integer, dst integer, amount numeric): owner fx_owner on the source, postgres on the target',
      'differs: schema audit: owner fx_owner on the source, fx_reader on the target',
      // its identity sequence moves with it
      'differs: sequence ledger.accounts_id_seq: owner fx_owner on the source, fx_app on the target',
      'differs: table ledger.accounts: owner fx_owner on the source, fx_app on the target',
      'differs: type ledger.kind: owner fx_owner on the source, fx_app on the target',
    ]);
  });
});
