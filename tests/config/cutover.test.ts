// maintenanceWindow on its own (config/cutover.ts via parseStackConfig): the default, and every combination that is
// refused before anything runs, each with one line saying what to change.
import { strict as assert } from 'assert';
import { ConfigError, parseStackConfig, StackConfig } from '../../config';
import { TEST_PASSWORD, testCaBundle } from '../helpers/program';
import { readStackFile, REPO_ROOT } from '../helpers/stack-file';

const NS = 'tooljet-pg-upgrade';
type Raw = Record<string, unknown>;

function stackFile(stack: string, changes: Raw = {}): Raw {
  const raw: Raw = {};
  for (const [k, v] of Object.entries(readStackFile(stack).config))
    if (k.startsWith(`${NS}:`)) raw[k.slice(NS.length + 1)] = v;
  const out: Raw = { ...raw, caBundle: testCaBundle(), dbPassword: TEST_PASSWORD };
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) delete out[k];
    else out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}
/** A stack file's object value with `patch` merged into it. */
function merged(stack: string, key: string, patch: Raw): Raw {
  return { ...JSON.parse(readStackFile(stack).config[`${NS}:${key}`]), ...patch };
}
function parse(raw: Raw, stack: string): StackConfig {
  return parseStackConfig(raw, { stack, project: NS, baseDir: REPO_ROOT, isSecret: (k) => k === 'dbPassword' });
}
function problems(raw: Raw, stack: string): readonly string[] {
  try {
    parse(raw, stack);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}
function refused(raw: Raw, stack: string, pattern: RegExp): string {
  const p = problems(raw, stack);
  assert.equal(p.length, 1, `expected one problem, got:\n${p.join('\n')}`);
  assert.match(p[0], pattern);
  assert.ok(!p[0].includes('\n'));
  return p[0];
}

const CUTOVER_AT = '2026-07-01T22:00:00Z';
const prodEcs = () => merged('prod', 'targets', {}).ecs as Raw;

describe('config: maintenanceWindow', () => {
  it('Pulumi.prod.yaml: on (the cutover); Pulumi.staging.yaml: off', () => {
    assert.equal(parse(stackFile('prod'), 'prod').maintenanceWindow, true);
    assert.equal(parse(stackFile('staging'), 'staging').maintenanceWindow, false);
  });

  it('defaults to on in production when a ToolJet target is configured, off in staging and without targets', () => {
    assert.equal(parse(stackFile('prod', { maintenanceWindow: undefined }), 'prod').maintenanceWindow, true);
    assert.equal(parse(stackFile('staging', { maintenanceWindow: undefined }), 'staging').maintenanceWindow, false);
    // Without targets the program cannot stop ToolJet: off (index.ts warns to stop it by hand).
    assert.equal(
      parse(stackFile('prod', { maintenanceWindow: undefined, targets: undefined, activeDatabase: 'source' }), 'prod')
        .maintenanceWindow,
      false,
    );
    assert.equal(
      parse(
        stackFile('staging', { maintenanceWindow: 'true', targets: { docker: { directory: '/opt/tooljet' } } }),
        'staging',
      ).maintenanceWindow,
      true,
    );
  });

  it('refuses a window without the exact validation (the safety of the cutover); off, or a rollback, may skip it', () => {
    const m = refused(
      stackFile('prod', { validation: { enabled: false } }),
      'prod',
      /^tooljet-pg-upgrade:validation\.enabled: false is refused with maintenanceWindow: the exact comparison of the frozen source with the clone is what makes it safe to start ToolJet on the clone\. .*set maintenanceWindow: false/,
    );
    assert.ok(!m.includes('by default'), 'explicitly set in Pulumi.prod.yaml');
    assert.match(
      refused(
        stackFile('prod', { maintenanceWindow: undefined, validation: { enabled: false } }),
        'prod',
        /^tooljet-pg-upgrade:validation\.enabled: /,
      ),
      /\(maintenanceWindow is true by default in production\)/,
    );
    assert.deepEqual(
      problems(
        stackFile('prod', { maintenanceWindow: 'false', cutoverWithoutWindow: 'true', validation: { enabled: false } }),
        'prod',
      ),
      [],
    );
    assert.deepEqual(
      problems(
        stackFile('prod', { activeDatabase: 'source', cutoverAt: CUTOVER_AT, validation: { enabled: false } }),
        'prod',
      ),
      [],
    );
  });

  it('refuses a snapshot taken before ToolJet stopped (snapshot.mode existing)', () => {
    refused(
      stackFile('prod', { snapshot: { mode: 'existing', identifier: 'tooljet-prod-db-manual' } }),
      'prod',
      /^tooljet-pg-upgrade:snapshot\.mode: "existing" is refused with maintenanceWindow: that snapshot was taken while ToolJet could still write, so the writes after it would be lost; use snapshot\.mode: create/,
    );
  });

  it('activeDatabase source in the window is the rollback of a recorded cutover: refused without cutoverAt', () => {
    refused(
      stackFile('prod', { activeDatabase: 'source' }),
      'prod',
      /^tooljet-pg-upgrade:activeDatabase: "source" with maintenanceWindow is the rollback of a maintenance-window cutover and needs cutoverAt .*pulumi config set cutoverAt .*pulumi config set maintenanceWindow false$/,
    );
    assert.equal(
      parse(stackFile('prod', { activeDatabase: 'source', cutoverAt: CUTOVER_AT }), 'prod').maintenanceWindow,
      true,
    );
  });

  it('production: activeDatabase clone without the window is refused unless cutoverWithoutWindow says ToolJet was stopped by hand', () => {
    // The leftover of a given-up window: the next pulumi up would move a running ToolJet to the clone.
    const m = refused(
      stackFile('prod', { maintenanceWindow: 'false' }),
      'prod',
      /^tooljet-pg-upgrade:activeDatabase: "clone" with maintenanceWindow: false in production points ToolJet at the clone while it may still write to the source, and the writes since the snapshot are lost\. Back to the source: pulumi config set activeDatabase source; cut over in the window: pulumi config set maintenanceWindow true; or, only if you stopped ToolJet yourself and keep it stopped until it points at the clone: pulumi config set cutoverWithoutWindow true$/,
    );
    assert.ok(m.length < 600);
    // Off by default (no target to stop): the same refusal, naming why the window is off.
    refused(
      stackFile('prod', { maintenanceWindow: undefined, targets: undefined }),
      'prod',
      /^tooljet-pg-upgrade:activeDatabase: "clone" with maintenanceWindow off \(no ToolJet target is configured, so this program cannot stop ToolJet\) in production .*cut over in the window: add targets\.<kind>;/,
    );
    const withKey = parse(stackFile('prod', { maintenanceWindow: 'false', cutoverWithoutWindow: 'true' }), 'prod');
    assert.deepEqual(
      [withKey.maintenanceWindow, withKey.cutoverWithoutWindow, withKey.activeDatabase],
      [false, true, 'clone'],
    );
    // Not a cutover, or not production: nothing to state.
    assert.deepEqual(problems(stackFile('prod', { maintenanceWindow: 'false', activeDatabase: 'source' }), 'prod'), []);
    assert.deepEqual(problems(stackFile('staging'), 'staging'), []);
    assert.equal(parse(stackFile('prod'), 'prod').cutoverWithoutWindow, false);
  });

  it('cutoverWithoutWindow: refused with the window on, with blue-green, and when not a boolean', () => {
    refused(
      stackFile('prod', { cutoverWithoutWindow: 'true' }),
      'prod',
      /^tooljet-pg-upgrade:cutoverWithoutWindow: is only used with maintenanceWindow: false \(it says you stopped ToolJet by hand\); remove it \(pulumi config rm cutoverWithoutWindow\)$/,
    );
    refused(
      stackFile('prod', {
        strategy: 'blue-green',
        clone: undefined,
        activeDatabase: undefined,
        maintenanceWindow: undefined,
        cutoverWithoutWindow: 'true',
      }),
      'prod',
      /^tooljet-pg-upgrade:cutoverWithoutWindow: is only used with strategy "clone"; remove it$/,
    );
    refused(
      stackFile('prod', { maintenanceWindow: 'false', cutoverWithoutWindow: 'yes' }),
      'prod',
      /^tooljet-pg-upgrade:cutoverWithoutWindow: must be true or false/,
    );
  });

  it('in production the hints that turn the window off name cutoverWithoutWindow (a cutover off the window needs it)', () => {
    refused(
      stackFile('prod', { validation: { enabled: false } }),
      'prod',
      /^tooljet-pg-upgrade:validation\.enabled: .* or stop ToolJet yourself and set maintenanceWindow: false with cutoverWithoutWindow: true \(pulumi config set maintenanceWindow false && pulumi config set cutoverWithoutWindow true\) and validate by hand$/,
    );
  });

  it('refuses target settings that would start ToolJet early or on the old revision', () => {
    refused(
      stackFile('prod', { targets: { ecs: { ...prodEcs(), updateService: false } } }),
      'prod',
      /^tooljet-pg-upgrade:targets\.ecs\.updateService: false is refused with maintenanceWindow: the service must run the new revision before ToolJet starts again/,
    );
    refused(
      stackFile('prod', { targets: { docker: { directory: '/opt/tooljet', restart: true } } }),
      'prod',
      /^tooljet-pg-upgrade:targets\.docker\.restart: true is refused with maintenanceWindow: the start step runs docker compose up -d after the validation/,
    );
  });

  it('refuses a window with nothing to stop, with cleanup, with blue-green, and a value that is not a boolean', () => {
    // Cutting over in production: turning the window off also needs cutoverWithoutWindow (you stopped ToolJet yourself).
    refused(
      stackFile('prod', { targets: undefined }),
      'prod',
      /^tooljet-pg-upgrade:targets: none is configured, but maintenanceWindow stops and starts ToolJet on the configured targets; add targets\.<kind> or stop ToolJet yourself and set maintenanceWindow: false with cutoverWithoutWindow: true \(pulumi config set maintenanceWindow false && pulumi config set cutoverWithoutWindow true\)$/,
    );
    refused(
      stackFile('prod', { targets: undefined, activeDatabase: 'source', cutoverAt: CUTOVER_AT }),
      'prod',
      /^tooljet-pg-upgrade:targets: none is configured, .*; add targets\.<kind> or set maintenanceWindow: false \(pulumi config set maintenanceWindow false\) and stop ToolJet yourself$/,
    );
    refused(
      stackFile('staging', {
        maintenanceWindow: 'true',
        activeDatabase: 'source',
        cutoverAt: CUTOVER_AT,
        targets: { docker: { directory: '/opt/tooljet' } },
        cleanup: { enabled: true, deleteSnapshotAfter: '2026-12-31' },
      }),
      'staging',
      /^tooljet-pg-upgrade:maintenanceWindow: cleanup removes the clone, so there is nothing to cut over or roll back; set maintenanceWindow: false/,
    );
    refused(
      stackFile('prod', { strategy: 'blue-green', clone: undefined, activeDatabase: undefined }),
      'prod',
      /^tooljet-pg-upgrade:maintenanceWindow: is only used with strategy "clone"/,
    );
    assert.equal(
      parse(
        stackFile('prod', {
          strategy: 'blue-green',
          clone: undefined,
          activeDatabase: undefined,
          maintenanceWindow: undefined,
        }),
        'prod',
      ).maintenanceWindow,
      false,
    );
    refused(
      stackFile('prod', { maintenanceWindow: 'yes' }),
      'prod',
      /^tooljet-pg-upgrade:maintenanceWindow: must be true or false/,
    );
  });
});
