// Runs the rehearsal's phases: prints a line when each starts and ends (with the elapsed time and the check counts),
// records a PhaseReport per phase, scrubs the run's secrets from every message, and turns an exception into a failed
// phase (or, after an interrupt, into RehearsalInterrupted).
import { CheckResult, summarize } from '../../checks/report';
import { PhaseName, PhaseReport, PHASES, statusOf } from './report';
import { RehearsalInterrupted, throwIfAborted, Workspace } from './workspace';

export const fmt = (s: number): string => `${s.toFixed(s < 10 ? 2 : 1)} s`;
/** Records phases, prints their start and end lines, turns exceptions into failed phases. */
export class Phases {
  readonly list: PhaseReport[] = [];
  constructor(
    private readonly t0: number,
    private readonly ws: Workspace,
    private readonly signal: AbortSignal | undefined,
    private readonly onPhase?: (line: string) => void,
    private readonly onProgress?: (line: string) => void,
  ) {}

  private stamp(): string {
    return `[${((Date.now() - this.t0) / 1000).toFixed(1).padStart(6)}s]`;
  }

  private label(name: PhaseName): string {
    const i = PHASES.findIndex((p) => p.name === name);
    return `${i + 1}/${PHASES.length} ${name}`;
  }

  progress(message: string): void {
    this.onProgress?.(`${this.stamp()}        ${this.ws.redact(message)}`);
  }

  skip(name: PhaseName, reason: string): void {
    const meta = PHASES.find((p) => p.name === name)!;
    this.list.push({ name, title: meta.title, status: 'skipped', seconds: 0, summary: reason, checks: [] });
    this.onPhase?.(`${this.stamp()} ${this.label(name)}: skipped (${reason})`);
  }

  /** Runs one phase. fn adds checks and returns a one-line summary. Rejects with the original error on failure. */
  async run(name: PhaseName, fn: (checks: CheckResult[]) => Promise<string>): Promise<PhaseReport> {
    const meta = PHASES.find((p) => p.name === name)!;
    this.onPhase?.(`${this.stamp()} ${this.label(name)}: ${meta.title} ...`);
    const started = Date.now();
    const checks: CheckResult[] = [];
    const rec: PhaseReport = { name, title: meta.title, status: 'pass', seconds: 0, summary: '', checks };
    this.list.push(rec);
    try {
      throwIfAborted(this.signal);
      rec.summary = this.ws.redact(await fn(checks));
      throwIfAborted(this.signal);
      rec.status = statusOf(checks);
    } catch (err) {
      rec.seconds = (Date.now() - started) / 1000;
      if (this.signal?.aborted || err instanceof RehearsalInterrupted) {
        rec.status = 'fail';
        rec.summary = 'interrupted';
        throw new RehearsalInterrupted(String(this.signal?.reason ?? 'SIGINT'));
      }
      rec.status = 'fail';
      rec.summary = this.ws.redact(oneLine(err));
      this.onPhase?.(`${this.stamp()} ${this.label(name)}: FAILED after ${fmt(rec.seconds)}: ${rec.summary}`);
      throw err;
    }
    rec.seconds = (Date.now() - started) / 1000;
    for (const c of checks) {
      c.detail = this.ws.redact(c.detail);
      c.objects = c.objects.map((o) => this.ws.redact(o));
    }
    const s = summarize(checks);
    const counts = checks.length
      ? ` [${s.pass} passed${s.warn ? `, ${s.warn} warning${s.warn === 1 ? '' : 's'}` : ''}${s.fail ? `, ${s.fail} FAILED` : ''}]`
      : '';
    this.onPhase?.(
      `${this.stamp()} ${this.label(name)}: ${rec.status === 'fail' ? 'FAILED' : rec.status === 'warn' ? 'ok with warnings' : 'ok'} in ${fmt(rec.seconds)}${counts}: ${rec.summary}`,
    );
    return rec;
  }
}

export function oneLine(err: unknown): string {
  return String((err as Error)?.message ?? err).replace(/\s*\n\s*/g, ' ');
}
