// Estimated duration of each phase of a `pulumi up`, logged at program start so the operator can compare them with
// the measured durations the commands print (timing.ts). Deliberately simple and documented (README "Production
// cutover and rollback" -> "How long it takes"); the figures are ranges in whole minutes:
//
//   stop ToolJet      per target: ecs 1-6 (task stop + the load balancer's deregistration delay, 300 s by default),
//                     eks 1-2 (termination grace period), ami 1-3 (SSM Run Command), docker 1
//   snapshot          5 + 0.3 min per GiB of the source's allocated storage at most (a first manual snapshot copies
//                     the whole volume; with automated backups on, RDS copies only blocks changed since the last one)
//   restore           10-30 (the instance is created; data then loads lazily from S3)
//   upgrade to 16     15-30 (typical RDS major version upgrade; longer with very many objects)
//   parameter group   5-15 (modify + reboot of the clone, longer with Multi-AZ)
//   validation        1 + 0.5 min per GiB at most (reads every row on both sides; `npm run bench` measured 20-50 s
//                     per GB of table data; allocated storage is the most data there can be, and a freshly restored
//                     clone reads slower while its blocks load from S3)
//   rollback report   as validation (it reads both sides too)
//   re-point          per target, in the window (ToolJet stopped): ecs 1-5, eks 1-3, ami 1-2, docker 1;
//                     without it (rolling): ecs 5-15, eks 2-10, ami 1-2, docker 1-5
//   start ToolJet     per target: ecs 5-15 (ToolJet's health check grace period is 900 s), eks 2-10, ami 2-5,
//                     docker 1-5
// Targets run in parallel: a per-target phase takes the longest of the configured kinds. Pure.
import type { TargetKind } from '../../config/types';
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

type Range = readonly [number, number];
const STOP: Record<TargetKind, Range> = { ecs: [1, 6], eks: [1, 2], ami: [1, 3], docker: [1, 1] };
const REPOINT_STOPPED: Record<TargetKind, Range> = { ecs: [1, 5], eks: [1, 3], ami: [1, 2], docker: [1, 1] };
const REPOINT_LIVE: Record<TargetKind, Range> = { ecs: [5, 15], eks: [2, 10], ami: [1, 2], docker: [1, 5] };
const START: Record<TargetKind, Range> = { ecs: [5, 15], eks: [2, 10], ami: [2, 5], docker: [1, 5] };

function perTarget(table: Record<TargetKind, Range>, kinds: readonly TargetKind[]): Range {
  return [Math.max(...kinds.map((k) => table[k][0])), Math.max(...kinds.map((k) => table[k][1]))];
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
    if (input.snapshotMode === 'create') add(PHASES.snapshot, [5, 5 + Math.ceil(gib * 0.3)], `${gib} GiB allocated; a first snapshot copies it all`);
    add(PHASES.restore, [10, 30], 'new instance from the snapshot');
    add(PHASES.upgrade, [15, 30], 'typical RDS major version upgrade');
    add(PHASES.parameterGroup, [5, 15], 'attach the postgres16 group, reboot');
  };
  const validate = () => add(PHASES.validation, dataRead(gib), `every row on both sides; up to ${gib} GiB`);

  if (input.mode === 'cutover') {
    if (kinds.length) add(targetsLabel(PHASES.stop), perTarget(STOP, kinds), 'stop and wait until nothing runs');
    if (input.clone) build();
    if (input.validation && input.clone) validate();
    if (kinds.length) add(targetsLabel(PHASES.repoint), perTarget(REPOINT_STOPPED, kinds), 'configuration only, ToolJet stopped');
    if (kinds.length) add(targetsLabel(PHASES.start), perTarget(START, kinds), 'until healthy');
  } else if (input.mode === 'rollback') {
    if (kinds.length) add(targetsLabel(PHASES.stop), perTarget(STOP, kinds), 'stop and wait until nothing runs');
    if (input.rollbackReport) add(PHASES.rollbackReport, dataRead(gib), `rows on the clone that stay there; up to ${gib} GiB`);
    if (kinds.length) add(targetsLabel(PHASES.repoint), perTarget(REPOINT_STOPPED, kinds), 'configuration only, ToolJet stopped');
    if (kinds.length) add(targetsLabel(PHASES.start), perTarget(START, kinds), 'until healthy');
  } else {
    if (input.clone) build();
    if (input.rollbackReport) add(PHASES.rollbackReport, dataRead(gib), `rows on the clone that stay there; up to ${gib} GiB`);
    if (kinds.length) add(targetsLabel(PHASES.repoint), perTarget(REPOINT_LIVE, kinds), 'rolling, ToolJet keeps running');
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
    '  measured: each command prints \'tj-pg-upgrade phase "<phase>": finished, started ..., ended ..., N s\'; Pulumi shows the snapshot\'s and the clone\'s own time (restore + upgrade).',
  ];
  return lines.join('\n');
}
