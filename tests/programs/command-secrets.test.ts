// No command leaves a secret's traces in plain state. pulumi-command 1.2.1 (pulumi-go-provider infer/resource.go)
// marks an output secret only when an input of the same name is secret: a command that runs with the password in its
// (secret) environment keeps its stdout and stderr in plain text in the state unless the resource sets
// `additionalSecretOutputs: ['stdout', 'stderr']` (pulumi/pulumi-command #134, closed by design: "setting
// AdditionalSecretOutputs is sufficient"; #260, #401). The engine reads that option from the RegisterResource request,
// so the mocks record it from there (tests/helpers/mocks.ts).
//
// The program is run in every shape that declares commands (staging: every target kind and validation after them;
// prod: the cutover window; prod rollback: the rollback report; blue-green upgrade: precheck and postcheck), and every
// command:local:Command it registers is walked: one that gets a secret input without secret stdout/stderr fails the
// test, whichever it is, so a command added later without lib/commands/secret-command.ts fails here too.
import { strict as assert } from 'assert';
import { SECRET_COMMAND_OUTPUTS } from '../../lib/commands/secret-command';
import { fakeAws, fakeInstance, plain, RecordedResource } from '../helpers/mocks';
import { ProgramRun, runProgram, RunOptions, TEST_PASSWORD } from '../helpers/program';

const COMMAND = 'command:local:Command';
const APP_SECRETS = {
  lockboxMasterKey: '7c1d9e0f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5',
  secretKeyBase: '1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a7988',
};

const SHAPES: Array<{ title: string; opts: RunOptions; secretCommands: string[] }> = [
  {
    title: 'staging (every target kind, validation after the targets)',
    opts: { stack: 'staging', secrets: APP_SECRETS },
    secretCommands: ['docker-write-files', 'post-deploy-validate'],
  },
  {
    title: 'prod cutover window (validation before the targets)',
    opts: { stack: 'prod', secrets: APP_SECRETS },
    secretCommands: ['post-deploy-validate'],
  },
  {
    title: 'prod rollback after a recorded cutover (the rollback report)',
    opts: { stack: 'prod', set: { activeDatabase: 'source', cutoverAt: '2026-07-01T22:00:00Z' } },
    secretCommands: ['rollback-report'],
  },
  {
    title: 'blue-green phase upgrade (precheck, postcheck)',
    opts: {
      stack: 'prod',
      set: {
        strategy: 'blue-green',
        clone: undefined,
        activeDatabase: undefined,
        maintenanceWindow: undefined,
        blueGreen: { phase: 'upgrade' },
      },
      aws: fakeAws({ instances: { 'tooljet-prod-db': fakeInstance('tooljet-prod-db') } }),
    },
    secretCommands: ['blue-green-precheck', 'blue-green-postcheck'],
  },
];

/** Every plain string in a value (secrets unwrapped). */
function strings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(strings);
  if (typeof v === 'object' && v !== null) return Object.values(v).flatMap(strings);
  return [];
}

describe('program: commands that run with a secret keep stdout and stderr secret (pulumi-command #134, #260, #401)', () => {
  for (const shape of SHAPES) {
    describe(shape.title, () => {
      let run: ProgramRun;
      let commands: RecordedResource[];
      before(async () => {
        run = await runProgram(shape.opts);
        commands = run.ofType(COMMAND);
      });

      it('every command with a secret input has stdout and stderr in additionalSecretOutputs', () => {
        const withSecrets = commands.filter((c) => c.options.secretInputs.length > 0);
        for (const c of withSecrets) {
          for (const output of SECRET_COMMAND_OUTPUTS) {
            assert.ok(
              c.options.additionalSecretOutputs.includes(output),
              `${c.name}: secret ${c.options.secretInputs.join(', ')} but ${output} is stored in plain text`,
            );
          }
        }
        // The walk covers the commands known to carry a secret in this shape (so the check above is not vacuous).
        assert.deepEqual(withSecrets.map((c) => c.name).sort(), [...shape.secretCommands].sort());
      });

      it('no command holds a secret value in a plain input', () => {
        const secretValues = [TEST_PASSWORD, ...Object.values(APP_SECRETS)];
        for (const c of commands) {
          for (const [key, value] of Object.entries(c.inputs)) {
            const leaked = strings(plain(value)).some((s) => secretValues.some((p) => s.includes(p)));
            if (leaked)
              assert.ok(c.options.secretInputs.includes(key), `${c.name}.${key} holds a secret in plain text`);
          }
        }
      });

      it('commands without a secret input keep plain outputs (their stdout feeds triggers and stack outputs)', () => {
        for (const c of commands.filter((x) => x.options.secretInputs.length === 0)) {
          assert.deepEqual(c.options.additionalSecretOutputs, [], c.name);
        }
      });
    });
  }
});
