// The arithmetic of the benchmark: medians, ratios, throughput. Pure functions.

/** Median of the samples (mean of the two middle ones for an even count). */
export function median(samples: number[]): number {
  if (!samples.length) throw new Error('median of no samples');
  if (samples.some((s) => !Number.isFinite(s))) throw new Error(`median of non-finite samples: ${samples.join(', ')}`);
  const s = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** a / b; throws on a zero or negative denominator rather than printing Infinity. */
export function ratio(a: number, b: number): number {
  if (!(b > 0)) throw new Error(`ratio with a non-positive denominator (${a} / ${b})`);
  return a / b;
}

/** Throughput in MB/s of `mb` processed in `seconds`. */
export function mbPerS(mb: number, seconds: number): number {
  return ratio(mb, seconds);
}

/** Seconds per GB (1024 MB) when `mb` takes `seconds`. */
export function secondsPerGb(mb: number, seconds: number): number {
  return seconds * ratio(1024, mb);
}

/** Rounds to `digits` decimals (for the results file and the printed table). */
export function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Relative spread (max - min) / min of positive values: 0 means perfectly flat. */
export function spread(values: number[]): number {
  if (!values.length) throw new Error('spread of no values');
  const min = Math.min(...values);
  return ratio(Math.max(...values) - min, min);
}

/** Times an async function; resolves to its result and the wall-clock seconds it took. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const started = process.hrtime.bigint();
  const value = await fn();
  return { value, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}
