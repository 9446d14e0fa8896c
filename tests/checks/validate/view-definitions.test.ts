// checks/validate/view-definitions.ts on real 13.21 and 16.9: 13 and 16 print the same views differently (16 drops
// the table qualifiers), so the fixture's views pass only because the source's definitions are deparsed again on the
// target (a temporary view in a rolled-back transaction). A real change of a definition, of check_option or of
// security_barrier, and a view missing on the target fail, named. Before issue 11 a changed view was only a warning.
import { strict as assert } from 'assert';
import { viewDefinitions } from '../../../checks/validate/view-definitions';
import { edgeDatabases, edgeWith } from '../edge';
import { pair, result, runChecks } from '../pair';

describe('checks/validate/view-definitions', () => {
  it('the same views on 13 and 16 pass, though their texts differ; nothing stays behind on the target', async () => {
    const dbs = await edgeDatabases();
    const p = await pair();
    const src = await p.value(dbs.source, `SELECT pg_get_viewdef('ledger.positive_accounts'::regclass)`);
    const tgt = await p.value(dbs.target, `SELECT pg_get_viewdef('ledger.positive_accounts'::regclass)`);
    assert.notEqual(src.replace(/\s+/g, ' '), tgt.replace(/\s+/g, ' '), '13 and 16 print this view differently');
    const r = result((await runChecks([viewDefinitions], dbs)).results, 'schema: views');
    assert.equal(r.status, 'pass', r.objects.join('; '));
    assert.match(
      r.detail,
      /^5 identical on source and target \(definition and options\); \d+ printed differently by 13 and 16 and were compared by deparsing the source's definition on the target/,
    );
    assert.equal(await p.value(dbs.target, `SELECT count(*) FROM pg_class WHERE relname = 'tj_validate_view'`), '0');
  });

  it('fails a changed definition, check_option, security_barrier and a missing materialized view, each named', async () => {
    const r = result(
      (
        await runChecks(
          [viewDefinitions],
          await edgeWith('chk_edge_views', [
            `CREATE OR REPLACE VIEW ledger.positive_accounts WITH (check_option = cascaded) AS
             SELECT id, name, balance FROM ledger.accounts WHERE balance >= 0`,
            'ALTER VIEW ledger.account_names RESET (security_barrier)',
            `ALTER VIEW "Geo.Data".all_places SET (check_option = local)`,
            'DROP MATERIALIZED VIEW audit.never_refreshed',
          ]),
        )
      ).results,
      'schema: views',
    );
    assert.equal(r.status, 'fail');
    assert.equal(r.objects.length, 4, r.objects.join('\n'));
    assert.equal(r.objects[0], 'differs: "Geo.Data".all_places: options source "none" | target "check_option=local"');
    assert.equal(r.objects[1], 'differs: ledger.account_names: options source "security_barrier=true" | target "none"');
    assert.match(
      r.objects[2],
      /^differs: ledger\.positive_accounts: source ".*WHERE \(balance > \(0\)::numeric\);?" \| target ".*WHERE \(balance >= \(0\)::numeric\);?"$/,
    );
    assert.equal(r.objects[3], 'missing on target: materialized view audit.never_refreshed');
  });
});
