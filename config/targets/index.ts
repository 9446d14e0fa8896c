// Per-target settings: one parser per target kind, each turning `targets.<kind>` into its typed config.
import type { Reader } from '../reader';
import type { TargetKind } from '../types';
import { parseAmiTarget } from './ami';
import { TargetContext } from './context';
import { parseDockerTarget } from './docker';
import { parseEcsTarget } from './ecs';
import { parseEksTarget } from './eks';
import { Obj } from './read';
import { TargetConfigs } from './types';

export * from './types';
export type { TargetContext } from './context';
export { parseValidation } from './validation';

const PARSERS = {
  docker: parseDockerTarget,
  ecs: parseEcsTarget,
  eks: parseEksTarget,
  ami: parseAmiTarget,
} as const;

/** Validates the settings of every configured target; problems go to `r`, only fully valid targets are returned. */
export function parseTargetSettings(r: Reader, targets: Partial<Record<TargetKind, Obj>>, ctx: TargetContext): TargetConfigs {
  const out: { -readonly [K in TargetKind]?: TargetConfigs[K] } = {};
  for (const kind of Object.keys(PARSERS) as TargetKind[]) {
    const settings = targets[kind];
    if (settings === undefined) continue;
    const parsed = PARSERS[kind](r, settings, ctx);
    if (parsed) (out as Record<string, unknown>)[kind] = Object.freeze(parsed);
  }
  return out;
}
