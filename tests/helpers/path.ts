// A PATH made of this machine's commands minus the ones a test says are not installed (aws, kubectl, docker, ...),
// so a "not installed" case holds on every machine, whether or not it has them. Built once per process: one folder
// of symlinks to every executable of the host's PATH (first one wins, as a shell would find it) except those names.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const built = new Map<string, string>();

export function hostPathWithout(names: readonly string[]): string {
  const key = [...names].sort().join(',');
  const cached = built.get(key);
  if (cached) return cached;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tj-path-'));
  const seen = new Set<string>(names);
  for (const d of (process.env.PATH ?? '/usr/bin:/bin').split(':').filter(Boolean)) {
    let entries: string[];
    try {
      entries = fs.readdirSync(d);
    } catch {
      continue;
    }
    for (const name of entries) {
      if (seen.has(name)) continue;
      const full = path.join(d, name);
      try {
        fs.accessSync(full, fs.constants.X_OK);
        if (fs.statSync(full).isDirectory()) continue;
      } catch {
        continue;
      }
      seen.add(name);
      fs.symlinkSync(full, path.join(dir, name));
    }
  }
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  built.set(key, dir);
  return dir;
}
