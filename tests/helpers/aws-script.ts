// Running one of a target's AWS scripts for real (targets/ecs/deploy.sh, targets/ami/launch-template-version.sh): the
// same script text and environment the local.Command gets, through /bin/sh -c, against a stand-in `aws` from the
// kind's tests/targets/<kind>/fixtures that keeps its state in a JSON file.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { scriptText } from '../../targets/shared/component';

export interface ScriptRun {
  status: number | null;
  stdout: string;
  stderr: string;

  after: any;
}

/** Runs scripts against stand-ins from `fixtures`; the scratch folder is removed after the run. */
export function awsScriptHarness(
  fixtures: string,
): (script: string, fake: string, state: object, env: Record<string, string>, pathOverride?: string) => ScriptRun {
  let dir: string | undefined;
  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });
  return (script, fake, state, env, pathOverride) => {
    dir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'tj-target-scripts-'));
    const stateFile = path.join(dir, `state-${Math.random().toString(16).slice(2)}.json`);
    fs.writeFileSync(stateFile, JSON.stringify(state));
    const fakeBin = path.join(dir, 'bin', fake);
    fs.mkdirSync(fakeBin, { recursive: true });
    fs.copyFileSync(path.join(fixtures, fake), path.join(fakeBin, 'aws'));
    fs.chmodSync(path.join(fakeBin, 'aws'), 0o755);
    const r = spawnSync('/bin/sh', ['-c', scriptText(script)], {
      env: { ...env, PATH: pathOverride ?? `${fakeBin}:${process.env.PATH}`, FAKE_AWS_STATE: stateFile },
      encoding: 'utf8',
      timeout: 30_000,
    });
    return {
      status: r.status,
      stdout: r.stdout,
      stderr: r.stderr,
      after: JSON.parse(fs.readFileSync(stateFile, 'utf8')),
    };
  };
}
