// checks/read/sequences.ts: comparing sequence states (pure).
import { strict as assert } from 'assert';
import { compareSequences, describeSequence, SequenceValue } from '../../../checks/read/sequences';

describe('checks/read/sequences: sequence comparison (pure)', () => {
  it('sequence comparison tells behind from ahead, by next value, for descending sequences too', () => {
    const v = (lastValue: number, isCalled: boolean, increment = 1): SequenceValue => ({
      schema: 'public',
      name: 's',
      lastValue: BigInt(lastValue),
      isCalled,
      increment: BigInt(increment),
    });
    const cmp = (s: SequenceValue, t: SequenceValue): string[] =>
      compareSequences(new Map([['public.s', s]]), new Map([['public.s', t]])).map((d) => d.direction);
    assert.deepEqual(cmp(v(10, true), v(10, true)), []);
    assert.deepEqual(cmp(v(10, true), v(5, true)), ['behind']);
    assert.deepEqual(cmp(v(10, true), v(50, true)), ['ahead']);
    assert.deepEqual(cmp(v(1, true), v(1, false)), ['behind']);
    assert.deepEqual(cmp(v(1, false), v(1, true)), ['ahead']);
    assert.deepEqual(cmp(v(-10, true, -1), v(-5, true, -1)), ['behind']);
    const d = compareSequences(new Map([['public.s', v(10, true)]]), new Map([['public.s', v(1, false)]]))[0];
    assert.equal(
      describeSequence(d),
      'public.s: target behind (would reuse ids): source last_value 10, target last_value 1 (not yet called)',
    );
  });
});
