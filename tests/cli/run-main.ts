// Runs the CLI's main() in this process (no ts-node start-up per call): same argument parsing, output and exit
// codes as bin/tj-pg-upgrade.js, which tests/checks/cli.test.ts runs as a child process.
import { main } from '../../cli/main';
import { CliRun } from './run-cli';

export async function runMain(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    env: { PATH: process.env.PATH, ...env },
    progress: false,
  });
  return { code, stdout: out.map((l) => `${l}\n`).join(''), stderr: err.map((l) => `${l}\n`).join('') };
}
