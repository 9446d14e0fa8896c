// checks/read/schema.ts: the pure diff of two maps of object definitions.
import { strict as assert } from 'assert';
import { diffMaps, diffObjects, normalizeWhitespace } from '../../../checks/read/schema';

describe('checks/read/schema: schema diff (pure)', () => {
  it('schema diff names missing, extra and changed objects', () => {
    const d = diffMaps(
      new Map([
        ['a', '1'],
        ['b', '2'],
        ['c', 'x  y'],
      ]),
      new Map([
        ['b', '3'],
        ['c', 'x y'],
        ['d', '4'],
      ]),
      normalizeWhitespace,
    );
    assert.deepEqual(d.missing, ['a']);
    assert.deepEqual(d.extra, ['d']);
    assert.deepEqual(d.changed, [{ key: 'b', source: '2', target: '3' }]);
    assert.equal(d.same, 1);
    assert.deepEqual(diffObjects(d), [
      'missing on target: a',
      'extra on target: d',
      'differs: b: source "2" | target "3"',
    ]);
  });
});
