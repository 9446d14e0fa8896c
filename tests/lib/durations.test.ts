// lib/durations: config/ resolves every `*Timeout` key to whole seconds once (durationSeconds), and components turn
// seconds back into the text of a Pulumi customTimeouts field (formatDuration), which the engine parses as a Go
// duration. Both directions, and the round trip the stack files go through.
import { strict as assert } from 'assert';
import { durationSeconds, formatDuration } from '../../lib/durations';
import { Reader } from '../../config/reader';

describe('lib/durations', () => {
  it('durationSeconds reads the h/m/s subset Pulumi accepts, and nothing else', () => {
    assert.equal(durationSeconds('4h'), 4 * 3600);
    assert.equal(durationSeconds('90m'), 90 * 60);
    assert.equal(durationSeconds('1h30m'), 90 * 60);
    assert.equal(durationSeconds('2h30m15s'), 2 * 3600 + 30 * 60 + 15);
    for (const bad of ['', '0s', '4 hours', '1.5h', '-1h', 'h', '30m4h'])
      assert.equal(durationSeconds(bad), undefined, bad);
  });

  it('formatDuration writes the largest units: the stack files keep their text (4h, 6h, 3h, 2h, 8h, 45m, 30m)', () => {
    for (const text of ['4h', '6h', '3h', '2h', '8h', '45m', '30m'])
      assert.equal(formatDuration(durationSeconds(text)!), text);
    assert.equal(formatDuration(90 * 60), '1h30m');
    assert.equal(formatDuration(3725), '1h2m5s');
    assert.equal(formatDuration(90), '1m30s');
    assert.equal(formatDuration(5), '5s');
  });

  it('formatDuration and durationSeconds are inverse for every positive whole number of seconds tried', () => {
    for (const s of [1, 59, 60, 61, 3599, 3600, 3601, 86400, 100000])
      assert.equal(durationSeconds(formatDuration(s)), s);
  });

  it('formatDuration refuses what is not a positive whole number of seconds', () => {
    for (const bad of [0, -60, 1.5, Number.NaN])
      assert.throws(() => formatDuration(bad), /is not a positive whole number/);
  });

  it('Reader.duration resolves a key to seconds, its default when unset, and says what to write when it is bad', () => {
    const r = new Reader('tooljet-pg-upgrade');
    assert.equal(r.duration('snapshot.createTimeout', '90m', 4 * 3600), 5400);
    assert.equal(r.duration('snapshot.createTimeout', undefined, 4 * 3600), 4 * 3600);
    assert.equal(r.duration('snapshot.createTimeout', '4 hours', 4 * 3600), 4 * 3600);
    assert.deepEqual(r.problems, [
      'tooljet-pg-upgrade:snapshot.createTimeout: "4 hours" is not a duration; use a duration like "4h", "90m" or "2h30m"',
    ]);
  });
});
