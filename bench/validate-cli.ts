// Runs the real `tj-pg-upgrade validate` CLI (bin/tj-pg-upgrade.js) as a child process, as a user would, and
// measures its wall time and peak resident memory. Peak RSS comes from the kernel's accounting of the child:
// GNU time's %M (ru_maxrss from wait4) when /usr/bin/time exists, otherwise VmHWM polled from /proc/<pid>/status.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const BIN = path.join(__dirname, '..', 'bin', 'tj-pg-upgrade.js');
const GNU_TIME = '/usr/bin/time';

export interface CliMeasurement {
  seconds: number;
  peakRssMb: number;
  rssMethod: 'ru_maxrss' | 'VmHWM';
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Peak RSS in kB from /proc/<pid>/status (VmHWM), or undefined once the process is gone. */
export function readVmHwmKb(pid: number): number | undefined {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Runs the CLI with `args`; the child gets no PG* / TJ_PG_* variables except those in `env`. */
export function measureCli(args: string[], env: Record<string, string>): Promise<CliMeasurement> {
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PG') && !k.startsWith('TJ_PG_')) base[k] = v;
  const useTime = fs.existsSync(GNU_TIME);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tj-bench-rss-'));
  const rssFile = path.join(tmp, 'maxrss');
  const [cmd, argv] = useTime
    ? [GNU_TIME, ['-f', '%M', '-o', rssFile, process.execPath, BIN, ...args]]
    : [process.execPath, [BIN, ...args]];
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(cmd, argv, { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let hwm = 0;
    const poll = useTime ? undefined : setInterval(() => (hwm = Math.max(hwm, readVmHwmKb(child.pid!) ?? 0)), 20);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (err) => {
      if (poll) clearInterval(poll);
      fs.rmSync(tmp, { recursive: true, force: true });
      reject(err);
    });
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (poll) clearInterval(poll);
      let kb = hwm;
      if (useTime) {
        const text = fs.existsSync(rssFile) ? fs.readFileSync(rssFile, 'utf8').trim() : '';
        kb = Number(text.split('\n').pop());
      }
      fs.rmSync(tmp, { recursive: true, force: true });
      if (!(kb > 0))
        return reject(new Error(`could not read the peak RSS of the validate child (${useTime ? GNU_TIME : 'VmHWM'})`));
      resolve({
        seconds,
        peakRssMb: kb / 1024,
        rssMethod: useTime ? 'ru_maxrss' : 'VmHWM',
        exitCode: code ?? -1,
        stdout,
        stderr,
      });
    });
  });
}

export interface ValidateRun extends CliMeasurement {
  /** Seconds validate itself reports for the database (schema, rows, checksums, sequences): no process start-up. */
  databaseSeconds: number;
  /** Per table (schema.table): validate's own checksum milliseconds, [source, target]. */
  perTableMs: Map<string, [number, number]>;
}

/** `tj-pg-upgrade validate --json` between the two URLs (passed in the environment, not argv); must exit 0. */
export async function runValidateCli(sourceUrl: string, targetUrl: string, jobs: number): Promise<ValidateRun> {
  const m = await measureCli(['validate', '--json', '--quiet', '--jobs', String(jobs)], {
    TJ_PG_SOURCE_URL: sourceUrl,
    TJ_PG_TARGET_URL: targetUrl,
  });
  let report: {
    checks?: Array<{ name: string; status: string; detail: string }>;
    databases?: Array<{
      seconds: number;
      tables?: Array<{ table: string; source?: { ms: number }; target?: { ms: number } }>;
    }>;
  };
  try {
    report = JSON.parse(m.stdout);
  } catch {
    throw new Error(
      `tj-pg-upgrade validate exited ${m.exitCode} without JSON: ${m.stderr.trim().split('\n').pop() ?? ''}`,
    );
  }
  if (m.exitCode !== 0) {
    const failed = (report.checks ?? []).filter((c) => c.status === 'fail').map((c) => `${c.name}: ${c.detail}`);
    throw new Error(`tj-pg-upgrade validate exited ${m.exitCode} on a faithful copy: ${failed.join('; ')}`);
  }
  const db = report.databases?.[0];
  if (typeof db?.seconds !== 'number') throw new Error('tj-pg-upgrade validate --json reported no database');
  const perTableMs = new Map(
    (db.tables ?? []).map((t) => [t.table, [t.source?.ms ?? NaN, t.target?.ms ?? NaN] as [number, number]]),
  );
  return { ...m, databaseSeconds: db.seconds, perTableMs };
}
