// Estimated duration of each phase of a `pulumi up`, logged at program start so the operator can compare them with
// the measured durations the commands print (timing.ts). Deliberately simple and documented
// (docs/cutover-and-rollback.md "How long it takes (the estimate)"); the figures are ranges in whole minutes:
//
//   stop ToolJet      per target
//   snapshot          5 + 0.3 min per GiB of the source's allocated storage at most (a first manual snapshot copies
//                     the whole volume; with automated backups on, RDS copies only blocks changed since the last one)
//   restore           10-30 (the instance is created; data then loads lazily from S3)
//   upgrade to 16     15-30 (typical RDS major version upgrade; longer with very many objects)
//   parameter group   5-15 (modify + reboot of the clone, longer with Multi-AZ)
//   validation        1 + 0.5 min per GiB at most (reads every row on both sides; `npm run bench` measured 20-50 s
//                     per GB of table data; allocated storage is the most data there can be, and a freshly restored
//                     clone reads slower while its blocks load from S3)
//   rollback report   as validation (it reads both sides too)
//   re-point          per target, in the window (ToolJet stopped) and without it (rolling)
//   start ToolJet     per target
// The per-target figures are each kind's own (`estimate` of targets/<kind>/index.ts). Targets run in parallel: a
// per-target phase takes the longest of the configured kinds. Pure.
import { definitionOf, TargetKind } from '../targets';
import type { Minutes, TargetEstimate } from '../targets/shared/kind';
import { PHASES } from './timing';

/** off: no maintenance window; cutover: stop -> snapshot -> ... -> start; rollback: stop -> report -> re-point -> start. */
export type CutoverMode = 'off' | 'cutover' | 'rollback';

export interface EstimateInput {
  mode: CutoverMode;
  /** The source's allocated storage (aws.rds.getInstance), the upper bound of the data. */
  allocatedStorageGiB: number;
  /** `create`: this stack takes the snapshot; `existing`: there is nothing to take. */
  snapshotMode: 'create' | 'existing';
  /** The clone is declared (false once cleanup removed it). */
  clone: boolean;
  validation: boolean;
  rollbackReport: boolean;
  targets: readonly TargetKind[];
}

export interface PhaseEstimate {
  phase: string;
  min: number;
  max: number;
  /** Why, in a few words (printed next to the figure). */
  basis: string;
}

type Range = Minutes;
const STOP = 'stop';
const REPOINT_STOPPED = 'repointStopped';
const REPOINT_LIVE = 'repointLive';
const START = 'start';

/** The longest of the configured kinds' figures for `phase`. */
function perTarget(phase: keyof TargetEstimate, kinds: readonly TargetKind[]): Range {
  const ranges = kinds.map((k) => definitionOf(k).estimate[phase]);
  return [Math.max(...ranges.map((r) => r[0])), Math.max(...ranges.map((r) => r[1]))];
}

function dataRead(gib: number): Range {
  return [1, 1 + Math.ceil(gib * 0.5)];
}

/** The phases this run goes through, in order, with their estimated duration in minutes. */
export function estimatePhases(input: EstimateInput): PhaseEstimate[] {
  const gib = Math.max(0, input.allocatedStorageGiB);
  const kinds = input.targets;
  const out: PhaseEstimate[] = [];
  const add = (phase: string, [min, max]: Range, basis: string) => out.push({ phase, min, max, basis });
  const targetsLabel = (phase: string) => (kinds.length ? `${phase} (${kinds.join(', ')})` : phase);

  const build = () => {
    if (input.snapshotMode === 'create')
      add(PHASES.snapshot, [5, 5 + Math.ceil(gib * 0.3)], `${gib} GiB allocated; a first snapshot copies it all`);
    add(PHASES.restore, [10, 30], 'new instance from the snapshot');
    add(PHASES.upgrade, [15, 30], 'typical RDS major version upgrade');
    add(PHASES.parameterGroup, [5, 15], 'attach the postgres16 group, reboot');
  };
  const validate = () => add(PHASES.validation, dataRead(gib), `every row on both sides; up to ${gib} GiB`);

  if (input.mode === 'cutover') {
    if (kinds.length) add(targetsLabel(PHASES.stop), perTarget(STOP, kinds), 'stop and wait until nothing runs');
    if (input.clone) build();
    if (input.validation && input.clone) validate();
    if (kinds.length)
      add(targetsLabel(PHASES.repoint), perTarget(REPOINT_STOPPED, kinds), 'configuration only, ToolJet stopped');
    if (kinds.length) add(targetsLabel(PHASES.start), perTarget(START, kinds), 'until healthy');
  } else if (input.mode === 'rollback') {
    if (kinds.length) add(targetsLabel(PHASES.stop), perTarget(STOP, kinds), 'stop and wait until nothing runs');
    if (input.rollbackReport)
      add(PHASES.rollbackReport, dataRead(gib), `rows on the clone that stay there; up to ${gib} GiB`);
    if (kinds.length)
      add(targetsLabel(PHASES.repoint), perTarget(REPOINT_STOPPED, kinds), 'configuration only, ToolJet stopped');
    if (kinds.length) add(targetsLabel(PHASES.start), perTarget(START, kinds), 'until healthy');
  } else {
    if (input.clone) build();
    if (input.rollbackReport)
      add(PHASES.rollbackReport, dataRead(gib), `rows on the clone that stay there; up to ${gib} GiB`);
    if (kinds.length)
      add(targetsLabel(PHASES.repoint), perTarget(REPOINT_LIVE, kinds), 'rolling, ToolJet keeps running');
    if (input.validation && input.clone) validate();
  }
  return out;
}

/** Sum of the ranges (the phases run one after the other). */
export function totalMinutes(phases: readonly PhaseEstimate[]): { min: number; max: number } {
  return phases.reduce((t, p) => ({ min: t.min + p.min, max: t.max + p.max }), { min: 0, max: 0 });
}

const MODE_TITLE: Record<CutoverMode, string> = {
  cutover: 'cutover in a maintenance window: ToolJet is stopped from the first phase to the last',
  rollback: 'rollback in a maintenance window: ToolJet is stopped from the first phase to the last',
  off: 'no maintenance window (maintenanceWindow: false): ToolJet keeps running',
};

/** The log message (one `pulumi.log.info`): a title line, one line per phase, the total. */
export function formatEstimate(input: EstimateInput, phases: readonly PhaseEstimate[] = estimatePhases(input)): string {
  const range = (min: number, max: number) => (min === max ? `${min} min` : `${min}-${max} min`);
  const total = totalMinutes(phases);
  const lines = [
    `estimated phase durations, ${MODE_TITLE[input.mode]} (a phase that an earlier pulumi up finished does not run again):`,
    ...phases.map((p, i) => `  ${i + 1}. ${p.phase}: ${range(p.min, p.max)} (${p.basis})`),
    input.mode === 'off'
      ? `  total: ${range(total.min, total.max)}`
      : `  total, ToolJet stopped: ${range(total.min, total.max)}`,
    "  measured: each command prints 'tj-pg-upgrade phase \"<phase>\": finished, started ..., ended ..., N s'; Pulumi shows the snapshot's and the clone's own time (restore + upgrade).",
  ];
  return lines.join('\n');
}
