// Runs the real `tj-pg-upgrade` CLI (bin/tj-pg-upgrade.js) in a child process, as a user would.
import { spawn } from 'child_process';
import * as path from 'path';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

const BIN = path.join(__dirname, '..', '..', 'bin', 'tj-pg-upgrade.js');

/** Runs the CLI with `args`; the child gets no PG* or TJ_PG_* variables except those in `env`. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PG') && !k.startsWith('TJ_PG_')) base[k] = v;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...base, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
