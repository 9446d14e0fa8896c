// Running a kind's maintenance-window script (targets/<kind>/window.sh) for real, as the command provider would: the
// same script text (cutover/tooljet-common.sh + the kind's) and environment the local.Commands get, through the same
// interpreter (/bin/sh -c via the timing wrapper), against stand-in CLIs from the kind's tests/targets/<kind>/fixtures
// that keep their state in a JSON file. Used by tests/targets/<kind>/window.test.ts.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseMeasuredPhases, phaseLabel, PHASES, timedInterpreter, toolJetScript } from '../../cutover';
import type { TargetKind } from '../../targets';

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  /** The script's own lines on stderr (`tooljet-<kind>: ...`). */
  messages: string[];

  state: any;
}

export interface WindowHarness {
  /** A fresh folder under the harness's scratch folder. */
  tmp(prefix: string): string;
  /** A bin folder holding one stand-in CLI (from the fixtures folder) under its real name. */
  binWith(fixture: string, as: string): string;
  /** A state file for the stand-ins, holding `state`. */
  stateFile(state: object): string;
  /** Runs `kind`'s script for `action` with `env` (from the kind's pure renderer) and `extraPath` first on PATH. */
  runScript(
    kind: TargetKind,
    action: 'stop' | 'start',
    stateFile: string,
    env: Record<string, string>,
    extraPath: string,
  ): Run;
}

/** A harness whose stand-ins come from `fixtures`; its scratch folder is removed after the run. */
export function windowHarness(fixtures: string): WindowHarness {
  let dir: string | undefined;
  const scratch = () => (dir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'tj-window-scripts-')));
  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });
  const tmp = (prefix: string) => fs.mkdtempSync(path.join(scratch(), prefix));
  return {
    tmp,
    binWith(fixture, as) {
      const bin = tmp('bin-');
      fs.copyFileSync(path.join(fixtures, fixture), path.join(bin, as));
      fs.chmodSync(path.join(bin, as), 0o755);
      return bin;
    },
    stateFile(state) {
      const f = path.join(tmp('state-'), 'state.json');
      fs.writeFileSync(f, JSON.stringify(state));
      return f;
    },
    runScript(kind, action, stateFile, env, extraPath) {
      const [interp, ...interpArgs] = timedInterpreter(
        phaseLabel(action === 'stop' ? PHASES.stop : PHASES.start, kind),
      );
      const r = spawnSync(interp, [...interpArgs, toolJetScript(kind)], {
        env: {
          ...env,
          PATH: `${extraPath}:${process.env.PATH}`,
          FAKE_AWS_STATE: stateFile,
          FAKE_KUBE_STATE: stateFile,
          FAKE_DOCKER_STATE: stateFile,
        },
        encoding: 'utf8',
        timeout: 60_000,
      });
      return {
        status: r.status,
        stdout: r.stdout,
        stderr: r.stderr,
        messages: r.stderr.split('\n').filter((l) => l.startsWith(`tooljet-${kind}:`)),
        state: JSON.parse(fs.readFileSync(stateFile, 'utf8')),
      };
    },
  };
}

/** A failure: exit 1, the last line of the script is the reason, and the wrapper says the phase FAILED. */
export function assertFailed(r: Run, pattern: RegExp): void {
  assert.equal(r.status, 1, r.stderr);
  const last = r.messages[r.messages.length - 1];
  assert.ok(last, `a tooljet-* message on stderr: ${r.stderr}`);
  assert.match(last, pattern);
  assert.equal(parseMeasuredPhases(r.stderr)[0]?.outcome, 'FAILED');
  assert.equal(r.stdout, '', 'no record is printed on failure');
}

/** How many calls of the stand-in's log were `op` (its second argument). */
export const count = (calls: Array<{ args: string[] }>, op: string) => calls.filter((c) => c.args[1] === op).length;
