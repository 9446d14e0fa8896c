// `targets`: which ToolJet target kinds the stack configures and their settings. The kinds, their sub-keys and their
// parsers come from the registry (targets/index.ts); nothing here names a kind.
import { TARGET_KINDS, TargetConfigs, TargetKind, TARGETS } from '../targets';
import type { TargetContext } from '../targets/shared/kind';
import { isPlainObject, kindOf, Obj, Reader, suggestion } from './reader';

/** The raw mapping of each known target kind (its sub-keys are checked by the kind's own parser). */
export function parseTargets(r: Reader, value: unknown): Partial<Record<TargetKind, Obj>> {
  const o = r.object('targets', value) ?? {};
  const targets: Partial<Record<TargetKind, Obj>> = {};
  for (const [kind, settings] of Object.entries(o)) {
    if (!(TARGET_KINDS as readonly string[]).includes(kind)) {
      r.problem(
        `targets.${kind}`,
        `unknown target kind "${kind}"; ${suggestion(kind, TARGET_KINDS)}use one of: ${TARGET_KINDS.join(', ')}`,
      );
      continue;
    }
    if (!isPlainObject(settings)) {
      r.problem(
        `targets.${kind}`,
        `must be a mapping of the ${kind} target's settings (write "${kind}: {}" for its defaults), got ${kindOf(settings)}`,
      );
      continue;
    }
    targets[kind as TargetKind] = settings;
  }
  return targets;
}

/** Checks the settings of every configured target; problems go to `r`, only fully valid targets are returned. */
export function parseTargetSettings(
  r: Reader,
  targets: Partial<Record<TargetKind, Obj>>,
  ctx: TargetContext,
): TargetConfigs {
  const out: Partial<Record<TargetKind, unknown>> = {};
  for (const definition of TARGETS) {
    const settings = targets[definition.kind];
    if (settings === undefined) continue;
    const parsed = definition.parse(r, settings, ctx);
    if (parsed) out[definition.kind] = Object.freeze(parsed);
  }
  return out as TargetConfigs;
}
