// buildPlan as a table, without mocks: each row is a configuration (a real stack file, Pulumi.staging.yaml or
// Pulumi.prod.yaml, with a few keys changed, checked by parseStackConfig as the program does) and the plan it must
// give: the window and the kinds it stops and starts, the database ToolJet uses, whether the clone stays, whether and
// where validation runs, the rollback report, what the targets wait for, what is monitored, what is looked up, the
// phases of the estimate and the warnings. The programs build their graphs from exactly these fields
// (tests/programs/ checks the graphs).
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as path from 'path';
import { parseStackConfig, StackConfig } from '../../config';
import { estimatePhases } from '../../cutover/estimate';
import { buildPlan, ClonePlan, Plan, PlanFacts } from '../../plan';
import type { TargetKind } from '../../targets';
import { TEST_PASSWORD, testCaBundle } from '../helpers/program';
import { readStackFile, REPO_ROOT } from '../helpers/stack-file';

const NS = 'tooljet-pg-upgrade';
const STAGING_KINDS: TargetKind[] = ['ecs', 'eks', 'ami', 'docker'];
const PROD_KINDS: TargetKind[] = ['ecs'];
const CUTOVER_AT = '2026-07-01T22:00:00Z';

/** A stack file's configuration with `set` applied (undefined removes a key), checked as the program checks it. */
function config(stack: 'staging' | 'prod', set: Record<string, unknown> = {}): StackConfig {
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(readStackFile(stack).config)) {
    if (key.startsWith(`${NS}:`)) raw[key.slice(NS.length + 1)] = value;
  }
  Object.assign(raw, { caBundle: testCaBundle(), dbPassword: TEST_PASSWORD });
  for (const [key, value] of Object.entries(set)) {
    if (value === undefined) delete raw[key];
    else raw[key] = value;
  }
  return parseStackConfig(raw, { stack, project: NS, baseDir: REPO_ROOT, isSecret: (k) => k === 'dbPassword' });
}

/** The decisions of a plan in the table's words. */
function summary(plan: Plan) {
  const common = {
    strategy: plan.strategy,
    production: plan.production,
    activeDatabase: plan.activeDatabase,
    targets: plan.targets,
    window: { mode: plan.window.mode, kinds: plan.window.kinds },
    validation: plan.validation,
    rollbackReport: plan.rollbackReport,
    monitoring: plan.monitoring,
  };
  if (plan.strategy === 'blue-green') return { ...common, phase: plan.phase, upgrade: plan.upgrade };
  if (plan.strategy === 'replication')
    return { ...common, phase: plan.phase, instance: plan.instance, steps: plan.steps, triggers: plan.window.triggers };
  return {
    ...common,
    clone: plan.clone,
    snapshot: plan.snapshot.mode === 'create' ? (plan.snapshot.afterStop ? 'create after stop' : 'create') : 'existing',
    targetsWaitFor: plan.targetsWaitFor,
    lookups: plan.lookups,
    phases: estimatePhases({ ...plan.estimate, allocatedStorageGiB: 100 }).map((p) => p.phase),
  };
}

type Summary = ReturnType<typeof summary>;

interface Row {
  name: string;
  stack: 'staging' | 'prod';
  set?: Record<string, unknown>;
  facts?: PlanFacts;
  plan: Summary;
  /** The warnings logged, each matched by one pattern, in order. */
  warnings?: RegExp[];
}

const STAGING_LOOKUPS = { source: { requireEncrypted: true, restoring: false } };
const PROD_FRESH = {
  source: { requireEncrypted: true, restoring: false },
  freshSnapshot: { snapshotIdentifier: 'tooljet-prod-db-pre-pg16-prod', cloneIdentifier: 'tooljet-prod-db-pg16' },
};
const BUILD = ['snapshot', 'restore', 'upgrade to 16', 'parameter group'];
const live = (kinds: string[]) => `re-point (${kinds.join(', ')})`;
const stop = (kinds: string[]) => `stop ToolJet (${kinds.join(', ')})`;
const start = (kinds: string[]) => `start ToolJet (${kinds.join(', ')})`;

const ROWS: Row[] = [
  {
    name: 'staging (Pulumi.staging.yaml): the clone tested by every kind, no window, validation last against a live source',
    stack: 'staging',
    plan: {
      strategy: 'clone',
      production: false,
      activeDatabase: 'clone',
      targets: STAGING_KINDS,
      window: { mode: 'off', kinds: [] },
      validation: { runs: 'after-targets', source: 'live-source' },
      rollbackReport: false,
      monitoring: { enabled: true, instances: ['clone', 'source'], active: 'clone' },
      clone: true,
      snapshot: 'create',
      targetsWaitFor: [],
      lookups: STAGING_LOOKUPS,
      phases: [...BUILD, live(STAGING_KINDS), 'validation'],
    },
  },
  {
    name: 'staging, ToolJet back on the source before any cutover: no report (no cutoverAt), the clone still validated',
    stack: 'staging',
    set: { activeDatabase: 'source' },
    plan: {
      strategy: 'clone',
      production: false,
      activeDatabase: 'source',
      targets: STAGING_KINDS,
      window: { mode: 'off', kinds: [] },
      validation: { runs: 'after-targets', source: 'live-source' },
      rollbackReport: false,
      monitoring: { enabled: true, instances: ['clone', 'source'], active: 'source' },
      clone: true,
      snapshot: 'create',
      targetsWaitFor: [],
      lookups: STAGING_LOOKUPS,
      phases: [...BUILD, live(STAGING_KINDS), 'validation'],
    },
  },
  {
    name: 'staging rollback after a recorded cutover, no window: the report runs and the targets wait for it',
    stack: 'staging',
    set: { activeDatabase: 'source', cutoverAt: CUTOVER_AT },
    plan: {
      strategy: 'clone',
      production: false,
      activeDatabase: 'source',
      targets: STAGING_KINDS,
      window: { mode: 'off', kinds: [] },
      validation: { runs: 'after-targets', source: 'live-source' },
      rollbackReport: true,
      monitoring: { enabled: true, instances: ['clone', 'source'], active: 'source' },
      clone: true,
      snapshot: 'create',
      targetsWaitFor: ['rollback-report'],
      lookups: STAGING_LOOKUPS,
      phases: [...BUILD, 'rollback report', live(STAGING_KINDS), 'validation'],
    },
  },
  {
    name: 'staging cleanup: the clone is no longer declared, nothing to validate or report; the snapshot stays',
    stack: 'staging',
    set: {
      activeDatabase: 'source',
      cutoverAt: CUTOVER_AT,
      cleanup: { enabled: true, deleteSnapshotAfter: '2026-12-31' },
    },
    plan: {
      strategy: 'clone',
      production: false,
      activeDatabase: 'source',
      targets: STAGING_KINDS,
      window: { mode: 'off', kinds: [] },
      validation: { runs: 'none', because: 'cleanup' },
      rollbackReport: false,
      monitoring: { enabled: true, instances: ['source'], active: 'source' },
      clone: false,
      snapshot: 'create',
      targetsWaitFor: [],
      lookups: STAGING_LOOKUPS,
      // (the estimate covers no snapshot here: it was taken before; nothing is built)
      phases: [live(STAGING_KINDS)],
    },
  },
  {
    name: 'staging with validation disabled and monitoring off: neither is declared',
    stack: 'staging',
    set: { validation: { enabled: false }, monitoring: { enabled: false } },
    plan: {
      strategy: 'clone',
      production: false,
      activeDatabase: 'clone',
      targets: STAGING_KINDS,
      window: { mode: 'off', kinds: [] },
      validation: { runs: 'none', because: 'disabled' },
      rollbackReport: false,
      monitoring: { enabled: false, instances: ['clone', 'source'], active: 'clone' },
      clone: true,
      snapshot: 'create',
      targetsWaitFor: [],
      lookups: STAGING_LOOKUPS,
      phases: [...BUILD, live(STAGING_KINDS)],
    },
  },
  {
    name: 'staging from an existing snapshot without targets: looked up, not taken (no encryption demand on the source)',
    stack: 'staging',
    set: { snapshot: { mode: 'existing', identifier: 'tooljet-prod-db-encrypted-copy' }, targets: undefined },
    plan: {
      strategy: 'clone',
      production: false,
      activeDatabase: 'clone',
      targets: [],
      window: { mode: 'off', kinds: [] },
      validation: { runs: 'after-targets', source: 'live-source' },
      rollbackReport: false,
      monitoring: { enabled: true, instances: ['clone', 'source'], active: 'clone' },
      clone: true,
      snapshot: 'existing',
      targetsWaitFor: [],
      lookups: { source: { requireEncrypted: false, restoring: false } },
      phases: ['restore', 'upgrade to 16', 'parameter group', 'validation'],
    },
  },
  {
    name: 'prod cutover (Pulumi.prod.yaml): stop -> snapshot -> clone -> exact validation -> re-point -> start',
    stack: 'prod',
    plan: {
      strategy: 'clone',
      production: true,
      activeDatabase: 'clone',
      targets: PROD_KINDS,
      window: { mode: 'cutover', kinds: PROD_KINDS },
      validation: { runs: 'before-targets', source: 'exact' },
      rollbackReport: false,
      monitoring: { enabled: true, instances: ['clone', 'source'], active: 'clone' },
      clone: true,
      snapshot: 'create after stop',
      targetsWaitFor: ['validation'],
      lookups: PROD_FRESH,
      phases: [stop(PROD_KINDS), ...BUILD, 'validation', 're-point (ecs)', start(PROD_KINDS)],
    },
  },
  {
    name: 'prod cutover against a snapshot older than the window (facts): the stale-snapshot warning',
    stack: 'prod',
    set: { cutoverAt: CUTOVER_AT },
    facts: {
      allocatedStorageGiB: 100,
      snapshot: { exists: true, createTime: '2026-06-01T10:00:00Z', instance: 'tooljet-prod-db' },
    },
    plan: {
      strategy: 'clone',
      production: true,
      activeDatabase: 'clone',
      targets: PROD_KINDS,
      window: { mode: 'cutover', kinds: PROD_KINDS },
      validation: { runs: 'before-targets', source: 'exact' },
      rollbackReport: false,
      monitoring: { enabled: true, instances: ['clone', 'source'], active: 'clone' },
      clone: true,
      snapshot: 'create after stop',
      targetsWaitFor: ['validation'],
      lookups: { ...PROD_FRESH, freshSnapshot: { ...PROD_FRESH.freshSnapshot, cutoverAt: CUTOVER_AT } },
      phases: [stop(PROD_KINDS), ...BUILD, 'validation', 're-point (ecs)', start(PROD_KINDS)],
    },
    warnings: [
      /^snapshot "tooljet-prod-db-pre-pg16-prod" exists already \(taken 2026-06-01T10:00:00Z, before this window's cutoverAt 2026-07-01T22:00:00Z\).*pulumi config set --path snapshot\.identifier tooljet-prod-db-pre-pg16-prod-2 /,
    ],
  },
  {
    name: 'prod cutover whose snapshot was taken in this window (a resumed run): no warning',
    stack: 'prod',
    set: { cutoverAt: CUTOVER_AT },
    facts: { snapshot: { exists: true, createTime: '2026-07-01T22:05:00Z', instance: 'tooljet-prod-db' } },
    plan: {
      strategy: 'clone',
      production: true,
      activeDatabase: 'clone',
      targets: PROD_KINDS,
      window: { mode: 'cutover', kinds: PROD_KINDS },
      validation: { runs: 'before-targets', source: 'exact' },
      rollbackReport: false,
      monitoring: { enabled: true, instances: ['clone', 'source'], active: 'clone' },
      clone: true,
      snapshot: 'create after stop',
      targetsWaitFor: ['validation'],
      lookups: { ...PROD_FRESH, freshSnapshot: { ...PROD_FRESH.freshSnapshot, cutoverAt: CUTOVER_AT } },
      phases: [stop(PROD_KINDS), ...BUILD, 'validation', 're-point (ecs)', start(PROD_KINDS)],
    },
  },
  {
    name: 'prod rollback in the window: stop -> rollback report -> re-point at the source -> start; no validation',
    stack: 'prod',
    set: { activeDatabase: 'source', cutoverAt: CUTOVER_AT },
    plan: {
      strategy: 'clone',
      production: true,
      activeDatabase: 'source',
      targets: PROD_KINDS,
      window: { mode: 'rollback', kinds: PROD_KINDS },
      validation: { runs: 'none', because: 'rollback' },
      rollbackReport: true,
      monitoring: { enabled: true, instances: ['clone', 'source'], active: 'source' },
      clone: true,
      snapshot: 'create after stop',
      targetsWaitFor: ['stop', 'rollback-report'],
      lookups: { source: { requireEncrypted: true, restoring: false } },
      phases: [stop(PROD_KINDS), 'rollback report', 're-point (ecs)', start(PROD_KINDS)],
    },
  },
  {
    name: 'prod to a restored instance in the window: stop -> re-point at it -> start; no report, no validation',
    stack: 'prod',
    set: { activeDatabase: 'restored', restoredInstance: { identifier: 'tooljet-prod-db-restored' } },
    plan: {
      strategy: 'clone',
      production: true,
      activeDatabase: 'restored',
      targets: PROD_KINDS,
      window: { mode: 'rollback', kinds: PROD_KINDS },
      validation: { runs: 'none', because: 'restored' },
      rollbackReport: false,
      monitoring: { enabled: true, instances: ['clone', 'source', 'restored'], active: 'restored' },
      clone: true,
      snapshot: 'create after stop',
      targetsWaitFor: ['stop'],
      lookups: {
        source: { requireEncrypted: true, restoring: true },
        restoredInstance: 'tooljet-prod-db-restored',
      },
      phases: [stop(PROD_KINDS), 're-point (ecs)', start(PROD_KINDS)],
    },
  },
  {
    name: 'prod without the window, on the source: the clone is built from a moving source (warning)',
    stack: 'prod',
    set: { maintenanceWindow: false, activeDatabase: 'source' },
    plan: {
      strategy: 'clone',
      production: true,
      activeDatabase: 'source',
      targets: PROD_KINDS,
      window: { mode: 'off', kinds: [] },
      validation: { runs: 'after-targets', source: 'live-source' },
      rollbackReport: false,
      monitoring: { enabled: true, instances: ['clone', 'source'], active: 'source' },
      clone: true,
      snapshot: 'create',
      targetsWaitFor: [],
      lookups: { source: { requireEncrypted: true, restoring: false } },
      phases: [...BUILD, 're-point (ecs)', 'validation'],
    },
    warnings: [
      /^maintenanceWindow is off \(maintenanceWindow: false\): ToolJet keeps running on the source while the clone is built, so the clone is a copy of a moving source; cut over later in a maintenance window/,
    ],
  },
  {
    name: 'prod cutover without the window (cutoverWithoutWindow: ToolJet stopped by hand): the warning says to keep it stopped',
    stack: 'prod',
    set: { maintenanceWindow: false, cutoverWithoutWindow: true },
    plan: {
      strategy: 'clone',
      production: true,
      activeDatabase: 'clone',
      targets: PROD_KINDS,
      window: { mode: 'off', kinds: [] },
      validation: { runs: 'after-targets', source: 'live-source' },
      rollbackReport: false,
      monitoring: { enabled: true, instances: ['clone', 'source'], active: 'clone' },
      clone: true,
      snapshot: 'create',
      targetsWaitFor: [],
      lookups: { source: { requireEncrypted: true, restoring: false } },
      phases: [...BUILD, 're-point (ecs)', 'validation'],
    },
    warnings: [
      /^maintenanceWindow is off \(maintenanceWindow: false\): ToolJet keeps running while the snapshot is taken\. Stop it yourself before the snapshot/,
    ],
  },
  {
    name: 'prod without any target: no window by default (nothing to stop), and the warning says why',
    stack: 'prod',
    set: { targets: undefined, maintenanceWindow: undefined, activeDatabase: 'source' },
    plan: {
      strategy: 'clone',
      production: true,
      activeDatabase: 'source',
      targets: [],
      window: { mode: 'off', kinds: [] },
      validation: { runs: 'after-targets', source: 'live-source' },
      rollbackReport: false,
      monitoring: { enabled: true, instances: ['clone', 'source'], active: 'source' },
      clone: true,
      snapshot: 'create',
      targetsWaitFor: [],
      lookups: { source: { requireEncrypted: true, restoring: false } },
      phases: [...BUILD, 'validation'],
    },
    warnings: [
      /^maintenanceWindow is off \(no ToolJet target is configured, so this program cannot stop ToolJet\): ToolJet keeps running on the source/,
    ],
  },
  {
    name: 'blue-green, phase import (default): the source adopted as it is; no window, validation or report',
    stack: 'prod',
    set: { strategy: 'blue-green', clone: undefined, activeDatabase: undefined, maintenanceWindow: undefined },
    plan: {
      strategy: 'blue-green',
      production: true,
      activeDatabase: 'source',
      targets: PROD_KINDS,
      window: { mode: 'off', kinds: [] },
      validation: { runs: 'none', because: 'strategy' },
      rollbackReport: false,
      monitoring: { enabled: true, instances: ['source'], active: 'source' },
      phase: 'import',
      upgrade: false,
    },
  },
  {
    name: 'blue-green, phase upgrade: snapshot, precheck, the update (after the targets), postcheck',
    stack: 'prod',
    set: {
      strategy: 'blue-green',
      clone: undefined,
      activeDatabase: undefined,
      maintenanceWindow: undefined,
      blueGreen: { phase: 'upgrade' },
      monitoring: { enabled: false },
    },
    plan: {
      strategy: 'blue-green',
      production: true,
      activeDatabase: 'source',
      targets: PROD_KINDS,
      window: { mode: 'off', kinds: [] },
      validation: { runs: 'none', because: 'strategy' },
      rollbackReport: false,
      monitoring: { enabled: false, instances: ['source'], active: 'source' },
      phase: 'upgrade',
      upgrade: true,
    },
  },
  ...replicationRows(),
];

/** Strategy replication: one row per phase (the phase follows from activeDatabase, cutoverAt and teardown). */
function replicationRows(): Row[] {
  const set = (extra: Record<string, unknown>) => ({
    strategy: 'replication',
    clone: undefined,
    snapshot: undefined,
    maintenanceWindow: undefined,
    ...extra,
  });
  const base = {
    strategy: 'replication' as const,
    production: true,
    targets: PROD_KINDS,
    rollbackReport: false,
    instance: 'tooljet-prod-db-pg16',
  };
  const PREPARE = ['precheck', 'instance', 'setup'] as const;
  const monitoring = (active: 'clone' | 'source') => ({
    enabled: true,
    instances: ['clone' as const, 'source' as const],
    active,
  });
  const direction = (d: string) => ['tooljet-prod-db', 'tooljet-prod-db-pg16', d];
  return [
    {
      name: 'replication, phase replicate (activeDatabase source, no cutoverAt): the new instance fed, no window',
      stack: 'prod',
      set: set({ activeDatabase: 'source' }),
      plan: {
        ...base,
        activeDatabase: 'source',
        window: { mode: 'off', kinds: [] },
        validation: { runs: 'none', because: 'strategy' },
        monitoring: monitoring('source'),
        phase: 'replicate',
        steps: [...PREPARE, 'status'],
        triggers: [],
      },
    },
    {
      name: 'replication, phase cutover (activeDatabase clone): stop -> catch-up -> finish -> validate exact -> reverse -> re-point -> start',
      stack: 'prod',
      set: set({ activeDatabase: 'clone', cutoverAt: CUTOVER_AT }),
      plan: {
        ...base,
        activeDatabase: 'clone',
        window: { mode: 'cutover', kinds: PROD_KINDS },
        validation: { runs: 'before-targets', source: 'exact' },
        monitoring: monitoring('clone'),
        phase: 'cutover',
        steps: [...PREPARE, 'stop', 'catch-up', 'finish', 'validate', 'reverse', 're-point', 'start'],
        triggers: direction('clone'),
      },
    },
    {
      name: 'replication, phase rollback (activeDatabase source after cutoverAt): stop -> catch-up reverse -> finish reverse -> report -> re-point -> start',
      stack: 'prod',
      set: set({ activeDatabase: 'source', cutoverAt: CUTOVER_AT }),
      plan: {
        ...base,
        activeDatabase: 'source',
        window: { mode: 'rollback', kinds: PROD_KINDS },
        validation: { runs: 'none', because: 'rollback' },
        rollbackReport: true,
        monitoring: monitoring('source'),
        phase: 'rollback',
        steps: [...PREPARE, 'stop', 'catch-up-reverse', 'finish-reverse', 'rollback-report', 're-point', 'start'],
        triggers: direction('source'),
      },
    },
    {
      name: 'replication, phase teardown on the new instance: only the teardown, and a warning that the rollback is gone',
      stack: 'prod',
      set: set({ activeDatabase: 'clone', cutoverAt: CUTOVER_AT, replication: { teardown: true } }),
      plan: {
        ...base,
        activeDatabase: 'clone',
        window: { mode: 'off', kinds: [] },
        validation: { runs: 'none', because: 'strategy' },
        monitoring: monitoring('clone'),
        phase: 'teardown',
        steps: ['instance', 'teardown'],
        triggers: [],
      },
      warnings: [/replication\.teardown drops the reverse replication/],
    },
    {
      name: 'replication, teardown while ToolJet stays on the source (replication abandoned): no warning',
      stack: 'prod',
      set: set({ activeDatabase: 'source', replication: { teardown: true } }),
      plan: {
        ...base,
        activeDatabase: 'source',
        window: { mode: 'off', kinds: [] },
        validation: { runs: 'none', because: 'strategy' },
        monitoring: monitoring('source'),
        phase: 'teardown',
        steps: ['instance', 'teardown'],
        triggers: [],
      },
    },
  ];
}

describe('plan: buildPlan as a table of configurations and plans', () => {
  for (const row of ROWS) {
    it(row.name, () => {
      const plan = buildPlan(config(row.stack, row.set), row.facts);
      assert.deepEqual(summary(plan), row.plan);
      const warnings = row.warnings ?? [];
      assert.equal(plan.log.warnings.length, warnings.length, plan.log.warnings.join('\n'));
      warnings.forEach((w, i) => assert.match(plan.log.warnings[i], w));
      // The estimate is logged once the source's storage is known, never before.
      assert.equal(plan.log.estimate !== undefined, row.facts?.allocatedStorageGiB !== undefined);
    });
  }
});

describe('plan: what the rows do not show', () => {
  it('the window triggers are the identity of the cutover: snapshot, clone and direction (a restored instance by name)', () => {
    const cutover = buildPlan(config('prod'));
    assert.deepEqual(cutover.window.triggers, ['tooljet-prod-db-pre-pg16-prod', 'tooljet-prod-db-pg16', 'clone']);
    const restored = buildPlan(
      config('prod', { activeDatabase: 'restored', restoredInstance: { identifier: 'tooljet-prod-db-restored' } }),
    );
    assert.deepEqual(restored.window.triggers, [
      'tooljet-prod-db-pre-pg16-prod',
      'tooljet-prod-db-pg16',
      'restored:tooljet-prod-db-restored',
    ]);
  });

  it('the estimate text: the mode title, one line per phase with the storage basis, the total', () => {
    const plan = buildPlan(config('prod'), { allocatedStorageGiB: 200 }) as ClonePlan;
    assert.match(plan.log.estimate!, /^estimated phase durations, cutover in a maintenance window: ToolJet is stopped/);
    assert.match(
      plan.log.estimate!,
      /\n {2}2\. snapshot: 5-65 min \(200 GiB allocated; a first snapshot copies it all\)\n/,
    );
    assert.match(plan.log.estimate!, /\n {2}total, ToolJet stopped: \d+-\d+ min\n/);
  });

  it('an unknown snapshot (the lookup failed) is a warning too; an absent one is none', () => {
    const unknown = buildPlan(config('prod'), { snapshot: { exists: 'unknown', error: 'AccessDenied' } });
    assert.equal(unknown.log.warnings.length, 1);
    assert.match(
      unknown.log.warnings[0],
      /^could not check whether snapshot "tooljet-prod-db-pre-pg16-prod" exists already \(AccessDenied\)/,
    );
    assert.deepEqual(buildPlan(config('prod'), { snapshot: { exists: false } }).log.warnings, []);
    // Outside a cutover window the snapshot is not looked up, so a presence changes nothing.
    const staging = buildPlan(config('staging'), {
      snapshot: { exists: true, createTime: '2020-01-01T00:00:00Z', instance: 'x' },
    });
    assert.deepEqual(staging.log.warnings, []);
  });

  it('a staging rehearsal of the cutover (maintenanceWindow: true) plans the production window', () => {
    const staging = config('staging', {
      maintenanceWindow: true,
      targets: { ecs: JSON.parse(readStackFile('prod').config[`${NS}:targets`]).ecs },
    });
    const plan = buildPlan(staging) as ClonePlan;
    assert.equal(plan.production, false);
    assert.deepEqual(
      [plan.window.mode, plan.validation.runs, plan.targetsWaitFor],
      ['cutover', 'before-targets', ['validation']],
    );
    assert.deepEqual(plan.log.warnings, [], 'the production-without-window warning is for production only');
  });

  it('is pure: the same configuration gives an equal plan, and the configuration is not changed', () => {
    const c = config('prod', { activeDatabase: 'source', cutoverAt: CUTOVER_AT });
    const before = JSON.stringify(c);
    assert.deepEqual(buildPlan(c), buildPlan(c));
    assert.equal(JSON.stringify(c), before);
  });

  it('loads no Pulumi (the plan is decided before any resource exists)', () => {
    const script = `
      require('ts-node').register({ transpileOnly: true, project: ${JSON.stringify(path.join(REPO_ROOT, 'tsconfig.json'))} });
      require(${JSON.stringify(path.join(REPO_ROOT, 'plan'))});
      console.log(JSON.stringify(Object.keys(require.cache).filter((f) => /node_modules[\\\\/]@pulumi[\\\\/]/.test(f))));
    `;
    const r = spawnSync(process.execPath, ['-e', script], { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), []);
  });
});
