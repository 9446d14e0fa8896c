// The suite of tests that hand rendered artefacts to real clients (the AWS CLI, Debian's docker-compose). They are
// not part of `npm test`, which must pass whatever is on PATH; `npm run test:clients` runs them and `.ci/run`
// installs the clients first. A missing client is a failure that says how to install it, never a skip.
import { spawnSync } from 'child_process';

export function requireClient(name: string, install: string): string {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const found = r.status === 0 ? r.stdout.trim() : '';
  if (!found) throw new Error(`${name} is not on PATH: this suite needs the real client (${install})`);
  return found;
}
