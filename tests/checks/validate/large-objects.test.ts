// checks/validate/large-objects.ts on real 13.21 and 16.9: the edge fixture's large objects (one small with an owner
// and a grant, one of 1.4 MB hashed in two 1 MB chunks) pass; an unlinked object, one byte changed past the first
// megabyte, another owner, a revoked grant and an extra object fail, named by OID. A role that may not read an object
// gets it failed as not compared (never passed unread). Before issue 11 large objects were not compared at all.
import { strict as assert } from 'assert';
import { largeObjects } from '../../../checks/validate/large-objects';
import { EDGE_LARGE_OBJECTS as LO } from '../../../lib/fixture/edge';
import { edgeDatabases, edgeWith } from '../edge';
import { pair, result, runChecks } from '../pair';

describe('checks/validate/large-objects', () => {
  it('the same large objects pass: OID, size, content, owner, privileges', async () => {
    const r = result((await runChecks([largeObjects], await edgeDatabases())).results, 'large objects');
    assert.equal(r.status, 'pass', r.objects.join('; '));
    assert.equal(r.detail, '2 large objects identical (1400016 bytes; OID, size, content, owner, privileges)');
  });

  it('fails an unlinked object, a changed byte, another owner, a revoked grant and an extra object', async () => {
    const r = result(
      (
        await runChecks(
          [largeObjects],
          await edgeWith('chk_edge_lo', [
            `SELECT lo_unlink(${LO.small})`,
            `SELECT lo_from_bytea(${LO.small}, 'large object one')`, // same bytes, default owner and no grant
            `SELECT lo_put(${LO.chunked}, 1300000, 'X')`,
            `SELECT lo_from_bytea(424299, 'only on the target')`,
          ]),
        )
      ).results,
      'large objects',
    );
    assert.equal(r.status, 'fail');
    assert.deepEqual(r.objects, [
      `differs: large object ${LO.small}: owner fx_owner on the source, postgres on the target`,
      `differs: large object ${LO.small}: privileges source "fx_reader:SELECT, owner:SELECT, owner:UPDATE" | target "owner:SELECT, owner:UPDATE"`,
      `differs: large object ${LO.chunked}: same size 1400000 bytes, different content`,
      'extra on target: large object 424299',
    ]);
    const gone = result(
      (await runChecks([largeObjects], await edgeWith('chk_edge_lo', [`SELECT lo_unlink(${LO.chunked})`]))).results,
      'large objects',
    );
    assert.deepEqual(gone.objects, [`missing on target: large object ${LO.chunked}`]);
  });

  it('a role that may not read a large object fails it as not compared, with what to do', async () => {
    const p = await pair();
    const dbs = await edgeDatabases();
    const as = { source: await p.asValidator(dbs.source), target: await p.asValidator(dbs.target) };
    const r = result((await runChecks([largeObjects], as)).results, 'large objects');
    assert.equal(r.status, 'fail');
    assert.equal(r.objects.length, 2);
    for (const o of r.objects)
      assert.match(
        o,
        /^not compared: large object \d+ \(source: permission denied for large object \d+\): validate as its owner or a superuser, or GRANT SELECT ON LARGE OBJECT \d+ to the validating role$/,
      );
  });
});
