// Command line of `npm run bench`: which sizes to build, how many repetitions, how many sessions per side.
// Pure: parseBenchArgs(argv) returns the options or throws BenchUsageError with a one-line message.
import { parseArgs } from 'util';

export class BenchUsageError extends Error {}

export interface BenchOptions {
  /** Database sizes in MB, ascending; the largest gets the headline figures and the rehearsal phases. */
  sizes: number[];
  /** Repetitions of each measurement; the median is reported. */
  repeat: number;
  /** Sessions per side for validate (--jobs), the raw scan and the naive baseline. */
  jobs: number;
  /** Write bench/results/<date>.json (false with --no-save). */
  save: boolean;
  help: boolean;
}

export const DEFAULT_SIZES = [128, 512, 1024];
export const MAX_SIZE_MB = 65536;

export const USAGE = `Usage: npm run bench -- [--size-mb N | --sizes 128,512,1024] [--repeat 3] [--jobs 4] [--no-save]

Measures the CLI's start-up (tj-pg-upgrade --help, and validate until its first connection; median of 10 runs),
starts PostgreSQL 13.21 and 16.9 with TLS, builds a ToolJet-shaped database of about N MB on 13.21 for each size,
copies it to 16.9 (pg_dump | psql), and measures on the same data, median of --repeat runs: the raw scan (every row
rendered to text once, and count(*)), \`tj-pg-upgrade validate\` end to end (with its peak RSS), and the naive
row-hash baseline; then the rehearsal phase by phase for the largest size. Prints the figures and writes
bench/results/<date>.json.

Options:
  --size-mb <n>       one size in MB (e.g. 1024)
  --sizes <a,b,c>     several sizes in MB (default ${DEFAULT_SIZES.join(',')})
  --repeat <n>        repetitions per measurement, median reported (default 3)
  --jobs <n>          sessions per side for validate, raw scan and naive (default 4, as validate's default)
  --no-save           print only, do not write bench/results/<date>.json
  -h, --help          this help`;

function positiveInt(flag: string, text: string, max: number): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1 || Number(text) > max) {
    throw new BenchUsageError(`${flag} must be a whole number from 1 to ${max}, got "${text}"`);
  }
  return Number(text);
}

export function parseBenchArgs(argv: string[]): BenchOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        'size-mb': { type: 'string' },
        sizes: { type: 'string' },
        repeat: { type: 'string' },
        jobs: { type: 'string' },
        'no-save': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new BenchUsageError(`${(err as Error).message.split('\n')[0]} (see npm run bench -- --help)`);
  }
  const str = (k: string): string | undefined => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const sizeMb = str('size-mb');
  const sizesText = str('sizes');
  if (sizeMb !== undefined && sizesText !== undefined)
    throw new BenchUsageError('give either --size-mb or --sizes, not both');
  let sizes = DEFAULT_SIZES;
  if (sizeMb !== undefined) sizes = [positiveInt('--size-mb', sizeMb, MAX_SIZE_MB)];
  if (sizesText !== undefined) {
    const parts = sizesText.split(',').map((s) => s.trim());
    if (!parts.length || parts.some((p) => p === ''))
      throw new BenchUsageError(`--sizes must be a comma-separated list of MB, e.g. 128,512,1024, got "${sizesText}"`);
    sizes = parts.map((p) => positiveInt('--sizes', p, MAX_SIZE_MB));
  }
  sizes = [...new Set(sizes)].sort((a, b) => a - b);
  return {
    sizes,
    repeat: str('repeat') === undefined ? 3 : positiveInt('--repeat', str('repeat')!, 99),
    jobs: str('jobs') === undefined ? 4 : positiveInt('--jobs', str('jobs')!, 16),
    save: !values['no-save'],
    help: !!values.help,
  };
}
