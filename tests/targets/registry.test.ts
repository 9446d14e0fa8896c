// The registry of target kinds (targets/index.ts) is the only list of them: every kind in it has its folder and its
// tests; the stack configuration, the maintenance window, the phase estimate and the rehearsal cover exactly the
// registry, in its order; no other source file lists kinds; and the registry loads no Pulumi (the config parser and
// the CLI read it). docs/layout.md "Add a target kind" is the recipe these checks hold to.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseTargets } from '../../config/targets';
import { Reader } from '../../config/reader';
import { estimatePhases } from '../../cutover/estimate';
import { baseEnvironment, TOOLJET_COMMON_SCRIPT } from '../../cutover/scripts';
import { toolJetScript, windowKinds } from '../../cutover/window';
import { renderTargetConfigs } from '../../cli/rehearse/configs';
import { definitionOf, TARGET_KINDS, TARGET_SUB_KEYS, TargetConfigs, TARGETS } from '../../targets';
import { CLONE, fakeSecrets, makeCaBundle } from '../helpers/targets';
import { parse } from '../helpers/settings';
import { REPO_ROOT } from '../helpers/stack-file';
import { stackValue } from '../helpers/program';

/** What every kind's folder holds (docs/layout.md). */
const KIND_FILES = ['index.ts', 'settings.ts', 'render.ts', 'component.ts', 'window.ts', 'window.sh', 'rehearse.ts'];
/** What every kind's tests folder holds. */
const KIND_TESTS = ['settings.test.ts', 'render.test.ts', 'window.test.ts'];

/** Every kind configured as Pulumi.staging.yaml has it (the docker target without restart: the window refuses it). */
function allTargets(): TargetConfigs {
  const targets = stackValue('staging', 'targets') as Record<string, Record<string, unknown>>;
  return parse({ targets: { ...targets, docker: { ...targets.docker, restart: false } } }).targets;
}

describe('targets/index: the registry is the only list of target kinds', () => {
  it('lists ecs, eks, ami, docker: the order the maintenance window stops and starts them', () => {
    assert.deepEqual(TARGET_KINDS, ['ecs', 'eks', 'ami', 'docker']);
    assert.equal(new Set(TARGET_KINDS).size, TARGET_KINDS.length);
    for (const k of TARGET_KINDS) assert.equal(definitionOf(k).kind, k);
  });

  it('every kind is one folder with its files and its tests; targets/ has no folder that is not a kind', () => {
    const folders = fs
      .readdirSync(path.join(REPO_ROOT, 'targets'), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
    assert.deepEqual(folders.filter((f) => f !== 'shared').sort(), [...TARGET_KINDS].sort());
    for (const kind of TARGET_KINDS) {
      for (const f of KIND_FILES)
        assert.ok(fs.existsSync(path.join(REPO_ROOT, 'targets', kind, f)), `targets/${kind}/${f}`);
      for (const f of KIND_TESTS)
        assert.ok(fs.existsSync(path.join(REPO_ROOT, 'tests', 'targets', kind, f)), `tests/targets/${kind}/${f}`);
      assert.equal(definitionOf(kind).window.script, path.join(REPO_ROOT, 'targets', kind, 'window.sh'));
    }
  });

  it('the stack configuration knows exactly the registry: its sub-keys, its kinds, each parsed by its own parser', () => {
    const own = Object.keys(TARGET_SUB_KEYS).filter((k) => !k.includes('.'));
    assert.deepEqual(own, [...TARGET_KINDS]);
    for (const nested of Object.keys(TARGET_SUB_KEYS).filter((k) => k.includes('.'))) {
      assert.ok((TARGET_KINDS as readonly string[]).includes(nested.split('.')[0]), nested);
    }
    const r = new Reader('tooljet-pg-upgrade');
    const raw = parseTargets(r, Object.fromEntries([...TARGET_KINDS.map((k) => [k, {}]), ['lambda', {}]]));
    assert.deepEqual(Object.keys(raw), [...TARGET_KINDS]);
    assert.deepEqual(r.problems, [
      `tooljet-pg-upgrade:targets.lambda: unknown target kind "lambda"; use one of: ${TARGET_KINDS.join(', ')}`,
    ]);
    assert.deepEqual(
      Object.keys(allTargets()),
      [...TARGET_KINDS],
      'Pulumi.staging.yaml configures every kind, parsed in registry order',
    );
  });

  it('the maintenance window stops and starts exactly the configured kinds, in registry order, each with its own script', () => {
    const targets = allTargets();
    assert.deepEqual(windowKinds(targets), [...TARGET_KINDS]);
    assert.deepEqual(windowKinds({ docker: targets.docker, ecs: targets.ecs }), ['ecs', 'docker']);
    const common = fs.readFileSync(TOOLJET_COMMON_SCRIPT, 'utf8');
    for (const d of TARGETS) {
      const settings = targets[d.kind];
      assert.equal(toolJetScript(d.kind), common + fs.readFileSync(d.window.script, 'utf8'));
      const timeoutSeconds = d.window.timeoutSeconds(settings);
      assert.ok(Number.isInteger(timeoutSeconds) && timeoutSeconds > 0, d.kind);
      const env = d.window.environment(settings, { action: 'stop', timeoutSeconds }, { cli: { region: 'eu-west-1' } });
      for (const [k, v] of Object.entries(baseEnvironment({ action: 'stop', timeoutSeconds }, 0))) {
        if (k !== 'TJ_POLL_SECONDS') assert.equal(env[k], v, `${d.kind}: ${k}`);
      }
    }
  });

  it("the phase estimate takes each kind's own figures and the longest of the configured ones", () => {
    const input = {
      mode: 'cutover' as const,
      allocatedStorageGiB: 0,
      snapshotMode: 'existing' as const,
      clone: false,
      validation: false,
      rollbackReport: false,
    };
    for (const d of TARGETS) {
      const [stop, repoint, start] = estimatePhases({ ...input, targets: [d.kind] });
      assert.deepEqual([stop.min, stop.max], [...d.estimate.stop], d.kind);
      assert.deepEqual([repoint.min, repoint.max], [...d.estimate.repointStopped], d.kind);
      assert.deepEqual([start.min, start.max], [...d.estimate.start], d.kind);
      const [live] = estimatePhases({ ...input, mode: 'off', targets: [d.kind] });
      assert.deepEqual([live.min, live.max], [...d.estimate.repointLive], d.kind);
    }
    const [all] = estimatePhases({ ...input, targets: TARGET_KINDS });
    assert.equal(all.phase, `stop ToolJet (${TARGET_KINDS.join(', ')})`);
    assert.equal(all.max, Math.max(...TARGETS.map((d) => d.estimate.stop[1])));
  });

  it('the rehearsal renders every kind of the registry, each under its own folder', () => {
    const ca = makeCaBundle();
    try {
      const s = fakeSecrets();
      const files = renderTargetConfigs(CLONE, ca.pem, {
        dbPassword: s.pgPassword,
        lockboxMasterKey: s.lockboxMasterKey,
        secretKeyBase: s.secretKeyBase,
        pgrstJwtSecret: s.pgrstJwtSecret,
      });
      assert.deepEqual([...new Set(files.map((f) => f.target))], [...TARGET_KINDS]);
      for (const f of files) assert.ok(f.path.startsWith(`${f.target}/`), f.path);
    } finally {
      ca.cleanup();
    }
  });

  it('no other source file lists the kinds', () => {
    // Two or more kind names next to each other, quoted or as keys: a list of kinds written out.
    const name = `(?:${TARGET_KINDS.join('|')})`;
    const list = new RegExp(
      `['"]${name}['"]\\s*[,|]\\s*['"]${name}['"]|\\b${name}\\s*:\\s*\\[[^\\]]*\\]\\s*,\\s*${name}\\s*:\\s*\\[`,
    );
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        if (['node_modules', 'dist', '.git', 'tests'].includes(e.name)) continue;
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (/\.(ts|js)$/.test(e.name) && list.test(fs.readFileSync(p, 'utf8')))
          offenders.push(path.relative(REPO_ROOT, p));
      }
    };
    walk(REPO_ROOT);
    assert.deepEqual(offenders, []);
    // The registry names each kind once, by its definition.
    assert.match(
      fs.readFileSync(path.join(REPO_ROOT, 'targets', 'index.ts'), 'utf8'),
      new RegExp(`= \\[${TARGET_KINDS.join(', ')}\\] as const`),
    );
  });

  it('loads no Pulumi: the config parser and the CLI read it, components load only when a kind deploys', () => {
    const script = `
      require('ts-node').register({ transpileOnly: true, project: ${JSON.stringify(path.join(REPO_ROOT, 'tsconfig.json'))} });
      require(${JSON.stringify(path.join(REPO_ROOT, 'targets'))});
      require(${JSON.stringify(path.join(REPO_ROOT, 'config', 'parse'))});
      require(${JSON.stringify(path.join(REPO_ROOT, 'cli', 'rehearse', 'configs'))});
      console.log(JSON.stringify(Object.keys(require.cache).filter((f) => /node_modules[\\\\/]@pulumi[\\\\/]/.test(f) || /[\\\\/]component\\.ts$/.test(f))));
    `;
    const r = spawnSync(process.execPath, ['-e', script], { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), []);
  });
});
