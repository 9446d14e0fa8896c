// Turns the raw samples into the figures the benchmark prints and saves (bench/results/<date>.json). Pure.
import type { StartupFigures } from './startup';
import { mbPerS, median, ratio, round, secondsPerGb, spread } from './stats';

export const TARGETS = {
  /** validate may cost at most this many raw scans. */
  validateOverRawMax: 1.5,
  /** the naive row-hash baseline should cost at least this many validates. */
  naiveOverValidateMin: 5,
  /** validate's peak RSS may grow at most this much (relative) from the smallest to the largest size. */
  rssSpreadMax: 0.25,
};

export interface SizeSamples {
  sizeMb: number;
  /** Heap + TOAST of the compared tables on the source, MB: what a scan reads. */
  dataMb: number;
  /** pg_database_size on each side, MB (indexes included). */
  databaseMb: { source: number; target: number };
  tables: number;
  rows: number;
  /** Characters of row text per side (the raw scan's sum). */
  textMb: number;
  seedS: number;
  copyS: number;
  copyMb: number;
  countS: number[];
  rawScanS: number[];
  renderScanS: number[];
  validateS: number[];
  /** validate's own time for the database checks, per run (validateS minus this = process start-up, connecting). */
  validateDbS: number[];
  validatePeakRssMb: number[];
  naiveS: number[];
  /** (key, hash) pairs the naive baseline pulled to the client, both sides. */
  naivePairs: number;
  /** Where the time goes, per table, from the last run (milliseconds as [source, target]). */
  profile: TableProfile[];
}

export interface TableProfile {
  table: string;
  rows: number;
  /** Bytes of row text (octet_length(t::text)) on the source, MB, and per row. */
  textMb: number;
  avgRowBytes: number;
  renderMs: [number, number];
  validateMs: [number, number];
  naiveMs: [number, number];
}

export interface SizeFigures {
  sizeMb: number;
  dataMb: number;
  databaseMb: { source: number; target: number };
  tables: number;
  rows: number;
  textMb: number;
  seedS: number;
  copyS: number;
  countS: number;
  rawScanS: number;
  /** sum(octet_length(t::text)): the rendering without length()'s character counting (tighter floor). */
  renderScanS: number;
  validateS: number;
  validateDbS: number;
  naiveS: number;
  validatePeakRssMb: number;
  validateOverRaw: number;
  validateOverRender: number;
  naiveOverValidate: number;
  /** naive / render floor: the most naive/validate could be for any check that renders every row to text. */
  naiveOverRender: number;
  /** MB of table data per second (dataMb / median seconds). */
  mbPerS: { count: number; rawScan: number; renderScan: number; validate: number; naive: number };
  validateSPerGb: number;
  naivePairs: number;
  profile: TableProfile[];
  samples: Pick<
    SizeSamples,
    'countS' | 'rawScanS' | 'renderScanS' | 'validateS' | 'validateDbS' | 'validatePeakRssMb' | 'naiveS'
  >;
}

const roundPair = (p: [number, number]): [number, number] => [Math.round(p[0]), Math.round(p[1])];

export function sizeFigures(s: SizeSamples): SizeFigures {
  const [countS, rawScanS, renderScanS, validateS, naiveS] = [
    median(s.countS),
    median(s.rawScanS),
    median(s.renderScanS),
    median(s.validateS),
    median(s.naiveS),
  ];
  const r3 = (x: number): number => round(x, 3);
  return {
    sizeMb: s.sizeMb,
    dataMb: round(s.dataMb, 1),
    databaseMb: { source: round(s.databaseMb.source, 1), target: round(s.databaseMb.target, 1) },
    tables: s.tables,
    rows: s.rows,
    textMb: round(s.textMb, 1),
    seedS: r3(s.seedS),
    copyS: r3(s.copyS),
    countS: r3(countS),
    rawScanS: r3(rawScanS),
    renderScanS: r3(renderScanS),
    validateS: r3(validateS),
    validateDbS: r3(median(s.validateDbS)),
    naiveS: r3(naiveS),
    validatePeakRssMb: round(median(s.validatePeakRssMb), 1),
    validateOverRaw: r3(ratio(validateS, rawScanS)),
    validateOverRender: r3(ratio(validateS, renderScanS)),
    naiveOverValidate: r3(ratio(naiveS, validateS)),
    naiveOverRender: r3(ratio(naiveS, renderScanS)),
    mbPerS: {
      count: round(mbPerS(s.dataMb, countS), 1),
      rawScan: round(mbPerS(s.dataMb, rawScanS), 1),
      renderScan: round(mbPerS(s.dataMb, renderScanS), 1),
      validate: round(mbPerS(s.dataMb, validateS), 1),
      naive: round(mbPerS(s.dataMb, naiveS), 1),
    },
    validateSPerGb: r3(secondsPerGb(s.dataMb, validateS)),
    naivePairs: s.naivePairs,
    profile: s.profile.map((p) => ({
      ...p,
      textMb: round(p.textMb, 1),
      avgRowBytes: Math.round(p.avgRowBytes),
      renderMs: roundPair(p.renderMs),
      validateMs: roundPair(p.validateMs),
      naiveMs: roundPair(p.naiveMs),
    })),
    samples: {
      countS: s.countS.map(r3),
      rawScanS: s.rawScanS.map(r3),
      renderScanS: s.renderScanS.map(r3),
      validateS: s.validateS.map(r3),
      validateDbS: s.validateDbS.map(r3),
      validatePeakRssMb: s.validatePeakRssMb.map((x) => round(x, 1)),
      naiveS: s.naiveS.map(r3),
    },
  };
}

export interface TargetVerdicts {
  validateOverRaw: { value: number; max: number; met: boolean };
  naiveOverValidate: { value: number; min: number; met: boolean };
  /** Peak RSS spread over the sizes (only meaningful with two or more sizes). */
  validateRssFlat: { spread: number | null; max: number; met: boolean | null };
}

export function verdicts(sizes: SizeFigures[]): TargetVerdicts {
  const largest = sizes[sizes.length - 1];
  const rssSpread = sizes.length > 1 ? round(spread(sizes.map((s) => s.validatePeakRssMb)), 3) : null;
  return {
    validateOverRaw: {
      value: largest.validateOverRaw,
      max: TARGETS.validateOverRawMax,
      met: largest.validateOverRaw <= TARGETS.validateOverRawMax,
    },
    naiveOverValidate: {
      value: largest.naiveOverValidate,
      min: TARGETS.naiveOverValidateMin,
      met: largest.naiveOverValidate >= TARGETS.naiveOverValidateMin,
    },
    validateRssFlat: {
      spread: rssSpread,
      max: TARGETS.rssSpreadMax,
      met: rssSpread === null ? null : rssSpread <= TARGETS.rssSpreadMax,
    },
  };
}

export interface Results {
  date: string;
  command: string;
  machine: Record<string, unknown>;
  repeat: number;
  jobs: number;
  /** Headline figures: the largest size. */
  sizeMb: number;
  dataMb: number;
  countS: number;
  rawScanS: number;
  renderScanS: number;
  validateS: number;
  naiveS: number;
  validateOverRaw: number;
  validateOverRender: number;
  naiveOverValidate: number;
  naiveOverRender: number;
  validatePeakRssMb: number;
  targets: TargetVerdicts;
  scaling: Array<
    Pick<SizeFigures, 'sizeMb' | 'dataMb' | 'validateS' | 'validateSPerGb' | 'validatePeakRssMb' | 'rawScanS'>
  >;
  rehearsal: Array<{ phase: string; seconds: number; detail: string }>;
  /** Start-up of the compiled CLI: --help end to end, validate until it connects (bench/startup.ts). */
  startup?: StartupFigures;
  sizes: SizeFigures[];
}

export function buildResults(input: {
  date: string;
  command: string;
  machine: Record<string, unknown>;
  repeat: number;
  jobs: number;
  sizes: SizeFigures[];
  rehearsal: Results['rehearsal'];
  startup?: StartupFigures;
}): Results {
  if (!input.sizes.length) throw new Error('no sizes measured');
  const sizes = [...input.sizes].sort((a, b) => a.sizeMb - b.sizeMb);
  const l = sizes[sizes.length - 1];
  return {
    date: input.date,
    command: input.command,
    machine: input.machine,
    repeat: input.repeat,
    jobs: input.jobs,
    sizeMb: l.sizeMb,
    dataMb: l.dataMb,
    countS: l.countS,
    rawScanS: l.rawScanS,
    renderScanS: l.renderScanS,
    validateS: l.validateS,
    naiveS: l.naiveS,
    validateOverRaw: l.validateOverRaw,
    validateOverRender: l.validateOverRender,
    naiveOverRender: l.naiveOverRender,
    naiveOverValidate: l.naiveOverValidate,
    validatePeakRssMb: l.validatePeakRssMb,
    targets: verdicts(sizes),
    scaling: sizes.map((s) => ({
      sizeMb: s.sizeMb,
      dataMb: s.dataMb,
      rawScanS: s.rawScanS,
      validateS: s.validateS,
      validateSPerGb: s.validateSPerGb,
      validatePeakRssMb: s.validatePeakRssMb,
    })),
    rehearsal: input.rehearsal.map((p) => ({ ...p, seconds: round(p.seconds, 3) })),
    ...(input.startup && { startup: input.startup }),
    sizes,
  };
}

function table(head: string[], rows: Array<Array<string | number>>): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const w = head.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  return cells
    .map(
      (r, j) =>
        r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ') +
        (j === 0 ? `\n${w.map((n) => '-'.repeat(n)).join('  ')}` : ''),
    )
    .join('\n');
}

const verdict = (met: boolean | null): string => (met === null ? 'n/a (one size)' : met ? 'met' : 'NOT met');

/** The printed report. */
export function formatResults(r: Results): string {
  const f = (x: number, d = 2): string => x.toFixed(d);
  const out: string[] = [];
  if (r.startup) {
    const st = r.startup;
    out.push(`Start-up of the compiled CLI (median of ${st.runs} runs each; min-max in brackets)`);
    const range = (xs: number[]): string => `${f(Math.min(...xs), 3)}-${f(Math.max(...xs), 3)}`;
    out.push(
      table(
        ['measure', 'median s', 'range s', 'target s', 'verdict'],
        [
          [
            'tj-pg-upgrade --help (spawn to exit)',
            f(st.helpS, 3),
            range(st.samples.helpS),
            `<= ${st.targets.helpMaxS}`,
            verdict(st.met.help),
          ],
          [
            'tj-pg-upgrade validate (spawn to first connection)',
            f(st.validateS, 3),
            range(st.samples.validateS),
            `<= ${st.targets.validateMaxS}`,
            verdict(st.met.validate),
          ],
        ],
      ),
    );
    out.push('');
  }
  out.push(
    `Per size (median of ${r.repeat}; MB/s = table data MB on the source / seconds; both servers read at once, ${r.jobs} sessions per side)`,
  );
  out.push(
    table(
      [
        'size',
        'data MB',
        'rows',
        'count(*) s',
        'raw scan s',
        'render s',
        'validate s',
        '(own) s',
        'naive s',
        'raw MB/s',
        'validate MB/s',
        'naive MB/s',
        'val/raw',
        'val/render',
        'naive/val',
        'val s/GB',
        'val RSS MB',
      ],
      r.sizes.map((s) => [
        `${s.sizeMb} MB`,
        f(s.dataMb, 0),
        s.rows,
        f(s.countS),
        f(s.rawScanS),
        f(s.renderScanS),
        f(s.validateS),
        f(s.validateDbS),
        f(s.naiveS),
        f(s.mbPerS.rawScan, 0),
        f(s.mbPerS.validate, 0),
        f(s.mbPerS.naive, 0),
        f(s.validateOverRaw),
        f(s.validateOverRender),
        f(s.naiveOverValidate),
        f(s.validateSPerGb, 1),
        f(s.validatePeakRssMb, 0),
      ]),
    ),
  );
  out.push(
    'raw scan = sum(length(t::text)); render = sum(octet_length(t::text)) (same rendering, no character counting);',
  );
  out.push(
    'validate = the CLI end to end as a child process; (own) = the time validate reports for its database checks.',
  );
  out.push('');
  out.push(`Largest size (${r.sizeMb} MB requested, ${f(r.dataMb, 0)} MB of table data):`);
  out.push(
    `  raw scan ${f(r.rawScanS)} s, render scan ${f(r.renderScanS)} s, count(*) ${f(r.countS)} s, validate ${f(r.validateS)} s, naive ${f(r.naiveS)} s, validate peak RSS ${f(r.validatePeakRssMb, 0)} MB`,
  );
  const t = r.targets;
  out.push(
    `  validate / raw scan   = ${f(t.validateOverRaw.value)}  (target <= ${t.validateOverRaw.max}: ${verdict(t.validateOverRaw.met)})`,
  );
  out.push(`  validate / render     = ${f(r.validateOverRender)}  (for information: against the tighter floor)`);
  out.push(
    `  naive / validate      = ${f(t.naiveOverValidate.value)}  (target >= ${t.naiveOverValidate.min}: ${verdict(t.naiveOverValidate.met)})`,
  );
  out.push(
    `  naive / render        = ${f(r.naiveOverRender)}  (the most naive / validate can be for any check that renders each row to text)`,
  );
  out.push(
    `  validate RSS spread   = ${t.validateRssFlat.spread === null ? 'n/a' : `${f(t.validateRssFlat.spread * 100, 1)} %`} over ${r.sizes.map((s) => `${s.sizeMb}`).join('/')} MB (flat if <= ${t.validateRssFlat.max * 100} %: ${verdict(t.validateRssFlat.met)})`,
  );
  const largest = r.sizes[r.sizes.length - 1];
  if (largest.profile.length) {
    out.push('');
    out.push(`Where the time goes (${r.sizeMb} MB, last run; ms on source / target, tables run concurrently):`);
    out.push(
      table(
        ['table', 'rows', 'text MB', 'bytes/row', 'render ms', 'validate ms', 'naive ms'],
        largest.profile.map((p) => [
          p.table,
          p.rows,
          f(p.textMb, 1),
          p.avgRowBytes,
          p.renderMs.join(' / '),
          p.validateMs.join(' / '),
          p.naiveMs.join(' / '),
        ]),
      ),
    );
  }
  out.push('');
  out.push(`Rehearsal, phase by phase (${r.sizeMb} MB):`);
  out.push(
    table(
      ['phase', 'seconds', 'detail'],
      r.rehearsal.map((p) => [p.phase, f(p.seconds, 3), p.detail]).map((x) => [x[0], x[1], ` ${x[2]}`]),
    ),
  );
  return out.join('\n');
}
