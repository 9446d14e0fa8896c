// Pure validation of `maintenanceWindow` (docs/cutover-and-rollback.md) and how it combines with the rest of the
// stack. Default: true for a production stack of strategy clone with at least one ToolJet target (the program
// can only stop what it manages; without targets the plan warns that ToolJet must be stopped by hand), false
// otherwise. A production cutover without the window (activeDatabase clone, maintenanceWindow false) is refused unless
// `cutoverWithoutWindow: true` says ToolJet was stopped by hand: otherwise a leftover `activeDatabase: clone` (e.g.
// after giving up a failed window) would move a running ToolJet to the clone on the next `pulumi up` and lose the
// writes made since the snapshot. One line per problem.
import { configuredKinds, TargetConfigs, TARGETS } from '../targets';
import type { Reader } from './reader';
import type { ActiveDatabase, Environment, Strategy } from './types';
import type { ValidationConfig } from './validation';

type Raw = Readonly<Record<string, unknown>>;

export interface MaintenanceWindowContext {
  environment: Environment;
  strategy: Strategy;
  activeDatabase: ActiveDatabase;
  snapshotMode: 'create' | 'existing';
  validation: ValidationConfig;
  cleanupEnabled: boolean;
  cutoverAt: string | undefined;
  targets: TargetConfigs;
}

export interface MaintenanceWindowSettings {
  maintenanceWindow: boolean;
  cutoverWithoutWindow: boolean;
}

/** How to turn the window off: in production, cutting over also needs the explicit cutoverWithoutWindow. */
function offHint(ctx: MaintenanceWindowContext): string {
  return ctx.environment === 'production' && ctx.activeDatabase === 'clone'
    ? 'or stop ToolJet yourself and set maintenanceWindow: false with cutoverWithoutWindow: true (pulumi config set maintenanceWindow false && pulumi config set cutoverWithoutWindow true)'
    : 'or set maintenanceWindow: false (pulumi config set maintenanceWindow false)';
}

/** `maintenanceWindow` (defaulted) and `cutoverWithoutWindow`, checked against the other keys. */
export function parseMaintenanceWindow(r: Reader, raw: Raw, ctx: MaintenanceWindowContext): MaintenanceWindowSettings {
  const set = r.boolean('maintenanceWindow', raw.maintenanceWindow);
  const withoutWindow = r.boolean('cutoverWithoutWindow', raw.cutoverWithoutWindow);
  if (ctx.strategy !== 'clone') {
    if (set === true) {
      r.problem(
        'maintenanceWindow',
        ctx.strategy === 'blue-green'
          ? 'is only used with strategy "clone" (blue-green switches over in about a minute, without stopping ToolJet); remove it'
          : 'is only used with strategy "clone" (replication always stops ToolJet for its cutover and rollback, and never otherwise); remove it',
      );
    }
    if (withoutWindow !== undefined) r.problem('cutoverWithoutWindow', 'is only used with strategy "clone"; remove it');
    return { maintenanceWindow: false, cutoverWithoutWindow: false };
  }
  const kinds = configuredKinds(ctx.targets);
  const on = set ?? (ctx.environment === 'production' && kinds.length > 0);
  if (!on) {
    // (A malformed cutoverWithoutWindow is reported on its own: one problem is enough.)
    const malformed = raw.cutoverWithoutWindow !== undefined && withoutWindow === undefined;
    if (ctx.environment === 'production' && ctx.activeDatabase === 'clone' && withoutWindow !== true && !malformed) {
      const off =
        set === false
          ? 'maintenanceWindow: false'
          : 'maintenanceWindow off (no ToolJet target is configured, so this program cannot stop ToolJet)';
      r.problem(
        'activeDatabase',
        `"clone" with ${off} in production points ToolJet at the clone while it may still write to the source, and the writes since the snapshot are lost. Back to the source: pulumi config set activeDatabase source; cut over in the window: ${kinds.length > 0 ? 'pulumi config set maintenanceWindow true' : 'add targets.<kind>'}; or, only if you stopped ToolJet yourself and keep it stopped until it points at the clone: pulumi config set cutoverWithoutWindow true`,
      );
    }
    return { maintenanceWindow: false, cutoverWithoutWindow: withoutWindow ?? false };
  }
  // Problems name the key to change; "(default in production)" when the switch was not set explicitly.
  const why = set === undefined ? ' (maintenanceWindow is true by default in production)' : '';
  const OFF = offHint(ctx);
  if (withoutWindow !== undefined) {
    r.problem(
      'cutoverWithoutWindow',
      `is only used with maintenanceWindow: false${why} (it says you stopped ToolJet by hand); remove it (pulumi config rm cutoverWithoutWindow)`,
    );
  }

  if (kinds.length === 0) {
    const stopYourself = OFF.includes('stop ToolJet yourself') ? '' : ' and stop ToolJet yourself';
    r.problem(
      'targets',
      `none is configured, but maintenanceWindow stops and starts ToolJet on the configured targets${why}; add targets.<kind> ${OFF}${stopYourself}`,
    );
  }
  // (cleanup in production is refused by its own check already.)
  if (ctx.cleanupEnabled && ctx.environment !== 'production') {
    r.problem(
      'maintenanceWindow',
      `cleanup removes the clone, so there is nothing to cut over or roll back${why}; ${OFF.replace(/^or /, '')}`,
    );
  }
  if (ctx.activeDatabase === 'clone') {
    if (!ctx.validation.enabled) {
      r.problem(
        'validation.enabled',
        `false is refused with maintenanceWindow${why}: the exact comparison of the frozen source with the clone is what makes it safe to start ToolJet on the clone. Give the machine running pulumi up network reach to the clone (docs/validation.md "Network reach") and set validation.enabled: true, ${OFF} and validate by hand`,
      );
    }
    if (ctx.snapshotMode === 'existing') {
      r.problem(
        'snapshot.mode',
        `"existing" is refused with maintenanceWindow${why}: that snapshot was taken while ToolJet could still write, so the writes after it would be lost; use snapshot.mode: create (the snapshot is taken after ToolJet stopped)`,
      );
    }
  } else if (ctx.activeDatabase === 'source' && !ctx.cutoverAt && !ctx.cleanupEnabled) {
    r.problem(
      'activeDatabase',
      `"source" with maintenanceWindow${why} is the rollback of a maintenance-window cutover and needs cutoverAt (recorded at that cutover). To cut over: pulumi config set cutoverAt "$(date -u +%Y-%m-%dT%H:%M:%SZ)" && pulumi config set activeDatabase clone; to build a clone while ToolJet keeps running: pulumi config set maintenanceWindow false`,
    );
  }
  // Settings of a kind that the window cannot work with (each kind says which: targets/<kind>/index.ts).
  for (const definition of TARGETS) {
    const settings = ctx.targets[definition.kind];
    if (settings === undefined || !definition.windowProblems) continue;
    for (const [key, problem] of definition.windowProblems(settings, why))
      r.problem(`targets.${definition.kind}.${key}`, problem);
  }
  return { maintenanceWindow: true, cutoverWithoutWindow: false };
}
