// Start-up of the CLI as a user meets it, each the median of several runs of the real bin/tj-pg-upgrade.js in a
// child process: `tj-pg-upgrade --help` end to end, and `tj-pg-upgrade validate` from spawn until its first
// connection arrives. For the latter a TCP listener on 127.0.0.1 stands where the source and target would be: it
// notes the instant the first connection is accepted and closes it, so validate then stops with a connection error
// (exit 2) without any database work. That instant is the start-up overhead validate adds to every run.
import { spawn } from 'child_process';
import * as net from 'net';
import * as path from 'path';
import { median, round } from './stats';

export const BIN = path.join(__dirname, '..', 'bin', 'tj-pg-upgrade.js');
export const STARTUP_RUNS = 10;

export interface StartupSamples {
  runs: number;
  /** Seconds of `tj-pg-upgrade --help`, spawn to exit. */
  helpS: number[];
  /** Seconds of `tj-pg-upgrade validate`, spawn to its first connection. */
  validateS: number[];
}

function env(): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PG') && !k.startsWith('TJ_PG_')) out[k] = v;
  return out;
}

/** Seconds from spawn to exit of `node <bin> --help`; rejects unless it exits 0 with the usage text. */
export function measureHelp(bin = BIN): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [bin, '--help'], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code !== 0 || !stdout.startsWith('Usage: tj-pg-upgrade'))
        reject(new Error(`tj-pg-upgrade --help exited ${code}: ${stderr.trim()}`));
      else resolve(seconds);
    });
  });
}

/**
 * Seconds from spawn of `node <bin> validate` (both URLs on a local listener) to the first connection the listener
 * accepts. Rejects if validate exits before connecting, or exits other than 2 (connection error) afterwards.
 */
export async function measureValidateStartup(bin = BIN): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  try {
    return await new Promise<number>((resolve, reject) => {
      let connectedAt: number | undefined;
      const started = process.hrtime.bigint();
      server.on('connection', (socket) => {
        connectedAt ??= Number(process.hrtime.bigint() - started) / 1e9;
        socket.destroy();
      });
      const url = (db: string): string => `postgresql://bench@127.0.0.1:${port}/${db}?sslmode=verify-full`;
      const child = spawn(process.execPath, [bin, 'validate', '--quiet', '--source', url('a'), '--target', url('b')], {
        env: env(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => {
        if (connectedAt === undefined)
          reject(new Error(`tj-pg-upgrade validate exited ${code} before connecting: ${stderr.trim()}`));
        else if (code !== 2)
          reject(new Error(`tj-pg-upgrade validate exited ${code} (expected 2, a connection error): ${stderr.trim()}`));
        else resolve(connectedAt);
      });
    });
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** `runs` measurements of each, one after the other (one warm-up run of each first, not counted). */
export async function measureStartup(runs = STARTUP_RUNS, bin = BIN): Promise<StartupSamples> {
  await measureHelp(bin);
  await measureValidateStartup(bin);
  const s: StartupSamples = { runs, helpS: [], validateS: [] };
  for (let i = 0; i < runs; i++) {
    s.helpS.push(await measureHelp(bin));
    s.validateS.push(await measureValidateStartup(bin));
  }
  return s;
}

/** The goals of issue "One home per concern": --help under 0.3 s, validate's start-up overhead under 0.5 s. */
export const STARTUP_TARGETS = { helpMaxS: 0.3, validateMaxS: 0.5 };

export interface StartupFigures {
  runs: number;
  /** Medians, seconds. */
  helpS: number;
  validateS: number;
  targets: { helpMaxS: number; validateMaxS: number };
  met: { help: boolean; validate: boolean };
  samples: { helpS: number[]; validateS: number[] };
}

export function startupFigures(s: StartupSamples): StartupFigures {
  const [help, validate] = [median(s.helpS), median(s.validateS)];
  const r3 = (x: number): number => round(x, 3);
  return {
    runs: s.runs,
    helpS: r3(help),
    validateS: r3(validate),
    targets: STARTUP_TARGETS,
    met: { help: help <= STARTUP_TARGETS.helpMaxS, validate: validate <= STARTUP_TARGETS.validateMaxS },
    samples: { helpS: s.helpS.map(r3), validateS: s.validateS.map(r3) },
  };
}
