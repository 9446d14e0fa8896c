// checks/validate/schema-parity.ts on real 13.21 and 16.9 databases: one result per object kind; the edge fixture
// (several schemas, dotted and non-ASCII names, partitions, inheritance, rules, storage options, replica identity,
// comments) seeded the same on both sides passes all sixteen; each planted difference fails its kind, named by its
// unambiguous name; an index left invalid on the source is a warning, not a difference.
import { strict as assert } from 'assert';
import { schemaParity } from '../../../checks/validate/schema-parity';
import { edgeDatabases, edgeWith } from '../edge';
import { pair, result, runChecks } from '../pair';

const KINDS = [
  'schemas',
  'tables',
  'columns (with types)',
  'inheritance',
  'partitions',
  'indexes',
  'constraints',
  'sequences',
  'functions',
  'types',
  'triggers',
  'rules',
  'storage options',
  'replica identity',
  'comments',
  'extensions',
];

describe('checks/validate/schema-parity', () => {
  it('the edge fixture on both sides passes every kind, in a fixed order, with the number compared', async () => {
    const r = (await runChecks([schemaParity], await edgeDatabases())).results;
    assert.deepEqual(
      r.map((x) => x.name),
      KINDS.map((k) => `schema: ${k}`),
    );
    assert.deepEqual(
      r.filter((x) => x.status !== 'pass').map((x) => `${x.name}: ${x.objects.join('; ')}`),
      [],
    );
    assert.equal(result(r, 'schema: schemas').detail, '6 identical on source and target');
    assert.equal(result(r, 'schema: inheritance').detail, '2 identical on source and target');
    assert.equal(result(r, 'schema: partitions').detail, '4 identical on source and target');
    assert.equal(result(r, 'schema: rules').detail, '1 identical on source and target');
    assert.equal(result(r, 'schema: comments').detail, '6 identical on source and target');
  });

  it('names each planted difference in its kind: inheritance, partition bound, rule, function attributes, storage, replica identity, comment, column', async () => {
    const r = (
      await runChecks(
        [schemaParity],
        await edgeWith('chk_edge_schema', [
          'ALTER TABLE "Geo.Data".village NO INHERIT "Geo.Data".place',
          'ALTER TABLE ledger.entries DETACH PARTITION ledger.entries_2024',
          `ALTER TABLE ledger.entries ATTACH PARTITION ledger.entries_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-02')`,
          'DROP RULE log_new_account ON ledger.accounts',
          'ALTER FUNCTION ledger.transfer(int, int, numeric) SECURITY INVOKER',
          'ALTER FUNCTION ledger.transfer(int, int, numeric) SET search_path = public',
          `ALTER FUNCTION "résumé.v2".slug(text) CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE`,
          'ALTER FUNCTION ledger.same_region(text, text) NOT LEAKPROOF',
          'ALTER TABLE ledger.entries_2024 SET (fillfactor = 100)',
          'ALTER TABLE audit.events ALTER COLUMN payload SET STORAGE EXTENDED',
          'ALTER TABLE audit.tags REPLICA IDENTITY DEFAULT',
          `COMMENT ON COLUMN ledger.accounts.balance IS 'in USD'`,
          'ALTER TABLE "Geo"."Data.place" ADD COLUMN extra int',
        ]),
      )
    ).results;
    const objects = (kind: string): string[] => {
      const x = result(r, `schema: ${kind}`);
      assert.equal(x.status, 'fail', `${kind}: ${x.detail}`);
      return x.objects;
    };
    assert.deepEqual(objects('inheritance'), ['missing on target: "Geo.Data".village inherits "Geo.Data".place']);
    assert.match(
      objects('partitions')[0],
      /^differs: ledger\.entries_2024: source "partition of ledger\.entries FOR VALUES FROM \('2024-01-01'\) TO \('2025-01-01'\)" \| target ".*TO \('2025-01-02'\)"$/,
    );
    assert.deepEqual(objects('rules'), ['missing on target: ledger.accounts rule log_new_account']);
    const fns = objects('functions').join('\n');
    assert.match(
      fns,
      /differs: ledger\.transfer\(src integer, dst integer, amount numeric\): source "[^"]*security definer[^"]*set search_path=ledger, pg_temp[^"]*" \| target "[^"]*volatile cost 100 set search_path=public/,
    );
    assert.match(
      fns,
      /differs: "résumé\.v2"\.slug\(t text\): source "[^"]*immutable strict parallel safe cost 5[^"]*" \| target "[^"]*volatile cost 5 /,
    );
    assert.match(fns, /differs: ledger\.same_region\(a text, b text\): source "[^"]*leakproof/);
    assert.deepEqual(objects('storage options'), [
      'differs: audit.events: source "fillfactor=90; toast.autovacuum_enabled=false; payload storage external" | target "fillfactor=90; toast.autovacuum_enabled=false"',
      'differs: ledger.entries_2024: source "autovacuum_enabled=false, fillfactor=70" | target "autovacuum_enabled=false, fillfactor=100"',
    ]);
    assert.deepEqual(objects('replica identity'), [
      'differs: audit.tags: source "using index tags_key" | target "default"',
    ]);
    assert.deepEqual(objects('comments'), [
      'differs: table column ledger.accounts.balance: source "in EUR" | target "in USD"',
    ]);
    // The dotted names do not collide: the column is named on "Geo"."Data.place", not on "Geo.Data".place.
    assert.deepEqual(objects('columns (with types)'), ['extra on target: "Geo"."Data.place".extra']);
    for (const kind of ['schemas', 'tables', 'indexes', 'constraints', 'types', 'triggers', 'extensions'])
      assert.equal(result(r, `schema: ${kind}`).status, 'pass', kind);
  });

  it('an index invalid on the source (a failed CREATE INDEX CONCURRENTLY) is a warning, not a difference; invalid on the target only fails', async () => {
    const p = await pair();
    // A unique index built concurrently over duplicates fails and stays behind, invalid (indisvalid = false).
    const setup = ['CREATE TABLE dup (k int)', 'INSERT INTO dup VALUES (1), (1)'];
    const dbs = await p.databases('chk_invalid_index', setup, setup);
    for (const t of [dbs.source])
      await assert.rejects(
        p.exec(t, 'CREATE UNIQUE INDEX CONCURRENTLY dup_k ON dup (k)'),
        /could not create unique index/,
      );
    const warned = result((await runChecks([schemaParity], dbs)).results, 'schema: indexes');
    assert.equal(warned.status, 'warn', warned.detail);
    assert.match(warned.detail, /pg_dump and pg_upgrade do not carry invalid indexes over/);
    assert.deepEqual(warned.objects, ['invalid on source: public.dup_k (not on the target)']);
    // The other way round is a real difference: the target has an index that cannot be used.
    await assert.rejects(p.exec(dbs.target, 'CREATE UNIQUE INDEX CONCURRENTLY dup_k ON dup (k)'), /could not create/);
    await p.exec(dbs.source, 'DROP INDEX dup_k');
    const failed = result((await runChecks([schemaParity], dbs)).results, 'schema: indexes');
    assert.equal(failed.status, 'fail');
    assert.deepEqual(failed.objects, ['extra on target: public.dup_k']);
  });
});
