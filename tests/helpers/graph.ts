// The resource graph a program run registered, for ordering assertions: "depends on" is transitive over what each
// registration recorded: its dependencies (dependsOn, expanded to a component's resources), its property dependencies
// (Outputs it consumes) and its parent (a resource is registered only after its parent component, which waits for the
// component's dependsOn).
import { strict as assert } from 'assert';
import type { TargetKind } from '../../targets';
import type { RecordedResource } from './mocks';
import type { ProgramRun } from './program';

export type { TargetKind } from '../../targets';

const COMMAND = 'command:local:Command';
/** A target component's URN: `...::tooljet-pg-upgrade:targets:<Kind>Target::<kind>` (each kind names it after itself). */
const TARGET_COMPONENT = /::tooljet-pg-upgrade:targets:[A-Za-z]+Target::([a-z0-9-]+)$/;

export class Graph {
  private readonly edges = new Map<string, string[]>();
  constructor(readonly run: ProgramRun) {
    for (const r of run.resources) {
      const deps = [
        ...(r.options.dependencies ?? []),
        ...Object.values(r.options.propertyDependencies ?? {}).flat(),
        ...(r.options.parent ? [r.options.parent] : []),
      ];
      this.edges.set(r.urn, deps);
    }
  }
  /** Whether `from` (transitively) waits for `to`. */
  waitsFor(from: RecordedResource, to: RecordedResource): boolean {
    const seen = new Set<string>();
    const todo = [from.urn];
    while (todo.length) {
      const u = todo.pop()!;
      if (u === to.urn) return true;
      if (seen.has(u)) continue;
      seen.add(u);
      todo.push(...(this.edges.get(u) ?? []));
    }
    return false;
  }
  command(name: string): RecordedResource {
    const c = this.run.ofType(COMMAND).find((x) => x.name === name);
    assert.ok(
      c,
      `no command ${name}: ${this.run
        .ofType(COMMAND)
        .map((x) => x.name)
        .join(', ')}`,
    );
    return c;
  }
  /** The AWS/Kubernetes resources and commands a target component owns (its re-point). */
  targetResources(kind: TargetKind): RecordedResource[] {
    const rs = this.run.resources.filter(
      (r) =>
        r.custom &&
        TARGET_COMPONENT.exec(r.options.parent ?? '')?.[1] === kind &&
        !r.type.startsWith('pulumi:providers:'),
    );
    assert.ok(rs.length > 0, `resources of the ${kind} target`);
    return rs;
  }
}

/** Each stage waits for every resource of the stage before it, and never the other way round. */
export function assertChain(g: Graph, chain: Array<[string, RecordedResource[]]>): void {
  for (let i = 1; i < chain.length; i++) {
    const [laterName, later] = chain[i];
    const [earlierName, earlier] = chain[i - 1];
    for (const a of later)
      for (const b of earlier)
        assert.ok(g.waitsFor(a, b), `${laterName} (${a.name}) waits for ${earlierName} (${b.name})`);
    for (const a of later)
      for (const b of earlier)
        assert.ok(!g.waitsFor(b, a), `${earlierName} (${b.name}) does not wait for ${laterName} (${a.name})`);
  }
}
