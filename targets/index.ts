// The registry of ToolJet target kinds: the only list of them. The stack configuration (config/targets.ts,
// config/cutover.ts), the program (targets/deploy.ts), the maintenance window (cutover/window.ts), the phase estimate
// (cutover/estimate.ts) and the local rehearsal loop over it; each kind is one folder (targets/<kind>/) whose
// index.ts exports its TargetKindDefinition (targets/shared/kind.ts). docs/layout.md "Add a target kind" has the steps.
//
// The order is the order of everything done per kind: settings checked, components created, ToolJet stopped and
// started, files rendered. This module and the definitions load no Pulumi (components are loaded on deploy).
import type * as pulumi from '@pulumi/pulumi';
import { ami } from './ami';
import { docker } from './docker';
import { ecs } from './ecs';
import { eks } from './eks';
import type { TargetKindDefinition } from './shared/kind';

/** Every target kind, in the order the maintenance window stops and starts them. */
export const TARGET_KIND_DEFINITIONS = [ecs, eks, ami, docker] as const;

type Definition = (typeof TARGET_KIND_DEFINITIONS)[number];
export type TargetKind = Definition['kind'];
export type DefinitionOf<K extends TargetKind> = Extract<Definition, { kind: K }>;
export type SettingsOf<K extends TargetKind> =
  DefinitionOf<K> extends TargetKindDefinition<K, infer S, infer _C, infer _O> ? S : never;
export type ComponentOf<K extends TargetKind> =
  DefinitionOf<K> extends TargetKindDefinition<K, infer _S, infer C, infer _O> ? C : never;
type OutputsOf<D> = D extends TargetKindDefinition<infer _K, infer _S, infer _C, infer O> ? O : never;
type Intersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/** Any kind, as the code that treats every kind alike sees it (a kind's settings reach only its own methods). */
export type AnyTargetKind = TargetKindDefinition<TargetKind, unknown, pulumi.ComponentResource, object>;

/** The definitions, for loops over every kind. */
export const TARGETS: readonly AnyTargetKind[] = TARGET_KIND_DEFINITIONS;

/** The kinds' names, in registry order. */
export const TARGET_KINDS: readonly TargetKind[] = TARGETS.map((d) => d.kind);

/** The checked settings of the configured targets (StackConfig.targets): one optional entry per kind. */
export type TargetConfigs = { readonly [K in TargetKind]?: SettingsOf<K> };

/** Stack outputs of the targets: what each configured kind adds (none holds a secret). */
export type TargetOutputs = Partial<Intersection<OutputsOf<Definition>>>;

/** Every sub-key each kind accepts (nested mappings as `<kind>.<child>`). docs/targets.md lists each. */
export const TARGET_SUB_KEYS: Readonly<Record<string, readonly string[]>> = Object.assign(
  {},
  ...TARGETS.map((d) => d.subKeys),
);

export function definitionOf<K extends TargetKind>(kind: K): DefinitionOf<K> {
  return TARGET_KIND_DEFINITIONS.find((d) => d.kind === kind) as DefinitionOf<K>;
}

/** The configured kinds, in registry order. */
export function configuredKinds(targets: TargetConfigs): TargetKind[] {
  return TARGET_KINDS.filter((k) => targets[k] !== undefined);
}
