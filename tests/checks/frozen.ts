// A frozen server for the tests of bounded waits: every process of a local PostgreSQL stopped with SIGSTOP (the
// postmaster and its children), so connections are accepted by the kernel and nothing ever answers, as with a hung
// host. Always resumed (SIGCONT) when the function given returns or throws.
import * as fs from 'fs';

/** The server's postmaster and every process it started. */
export function serverPids(postmaster: number): number[] {
  const children = fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return (
          Number(
            fs
              .readFileSync(`/proc/${d}/stat`, 'utf8')
              .replace(/^.*\)\s*/, '')
              .split(' ')[1],
          ) === postmaster
        );
      } catch {
        return false;
      }
    })
    .map(Number);
  return [postmaster, ...children];
}

/** Runs `fn` while the server of `postmaster` is stopped. */
export async function whileFrozen<T>(postmaster: number, fn: () => Promise<T>): Promise<T> {
  const pids = serverPids(postmaster);
  for (const pid of pids) process.kill(pid, 'SIGSTOP');
  try {
    return await fn();
  } finally {
    for (const pid of pids) process.kill(pid, 'SIGCONT');
  }
}
