// The rollback drill: ToolJet's fastest rollback is pointing it back at the PostgreSQL 13 source (activeDatabase:
// source). The drill renders every target again for the source and compares the two renderings setting by setting:
// every setting that names the database endpoint must now name the source, and nothing else may change (same files,
// same keys, same secrets, same CA bundle, same mounts); a free-text line may change only where it mentions the host.
// Pure.
import type { DatabaseTarget } from '../../targets/shared/render';
import { RenderedFile } from './configs';
import { display, endpointPart, Leaf, leavesOf, pointsAt } from './leaves';

export interface SettingChange {
  file: string;
  key: string;
  from: string;
  to: string;
}

export interface RollbackComparison {
  /** Settings that differ between the clone and the source rendering (values shown as displayable). */
  changes: SettingChange[];
  /** Endpoint settings in the source rendering, per target. */
  endpointSettings: Record<string, number>;
  /** Anything wrong: a setting that changed but should not have, or an endpoint that does not name the source. */
  problems: string[];
}

function byKey(files: RenderedFile[]): Map<string, Leaf> {
  const m = new Map<string, Leaf>();
  for (const f of files) for (const l of leavesOf(f)) m.set(`${l.file}\u0000${l.key}`, l);
  return m;
}

export function compareRenderings(
  clone: RenderedFile[],
  source: RenderedFile[],
  cloneDb: DatabaseTarget,
  sourceDb: DatabaseTarget,
): RollbackComparison {
  const problems: string[] = [];
  const cloneFiles = clone.map((f) => f.path).sort();
  const sourceFiles = source.map((f) => f.path).sort();
  if (cloneFiles.join('\n') !== sourceFiles.join('\n')) {
    problems.push(`the set of files differs: clone [${cloneFiles.join(', ')}], source [${sourceFiles.join(', ')}]`);
  }
  for (const f of source) {
    const c = clone.find((x) => x.path === f.path);
    if (c && c.mode !== f.mode) problems.push(`${f.path}: mode ${c.mode.toString(8)} -> ${f.mode.toString(8)}`);
  }
  const a = byKey(clone);
  const b = byKey(source);
  const changes: SettingChange[] = [];
  const endpointSettings: Record<string, number> = {};
  for (const [k, l] of a) if (!b.has(k)) problems.push(`${l.file}: ${l.key} is missing from the rollback rendering`);
  for (const [k, to] of b) {
    const from = a.get(k);
    const part = endpointPart(to.name);
    if (part) {
      const target = to.file.split('/')[0];
      endpointSettings[target] = (endpointSettings[target] ?? 0) + 1;
      const wrong = pointsAt(to, sourceDb);
      if (wrong) problems.push(`does not point at the source: ${wrong}`);
    }
    if (!from) {
      problems.push(`${to.file}: ${to.key} appears only in the rollback rendering`);
      continue;
    }
    if (from.value === to.value) continue;
    changes.push({ file: to.file, key: to.key, from: display(from), to: display(to) });
    if (part) continue;
    // A free-text line (a comment) may mention the host: then it must differ by exactly that.
    if (cloneDb.host !== sourceDb.host && from.value.split(cloneDb.host).join(sourceDb.host) === to.value) continue;
    problems.push(
      `changed although it does not name the database: ${to.file} ${to.key}: ${display(from)} -> ${display(to)}`,
    );
  }
  return { changes, endpointSettings, problems };
}
