// Schema parity: one result per object kind of read/schema.ts (schemas, tables, columns with types, inheritance,
// partitions, indexes, constraints, sequences, functions with their attributes, types, triggers, rules, storage
// options, replica identity, comments, extensions), each naming what is missing, extra or different on the target.
// Views are compared by view-definitions.ts; owners, privileges and row-level security by their own checks.
//
// An index left invalid on the source (a failed CREATE INDEX CONCURRENTLY) is not a schema difference: pg_dump and
// pg_upgrade do not carry invalid indexes over, so the target rightly lacks it. It is reported as a warning (drop it,
// or build it again on the target); an index invalid on the target only still fails.
import type { CompareCheck } from '../check';
import { diffMaps, diffObjects, normalizeWhitespace, readSchema, SCHEMA_KINDS, SchemaKind } from '../read/schema';
import { check, CheckResult } from '../report';

const KIND_LABEL: Record<SchemaKind, string> = {
  schemas: 'schemas',
  tables: 'tables',
  columns: 'columns (with types)',
  inheritance: 'inheritance',
  partitions: 'partitions',
  indexes: 'indexes',
  constraints: 'constraints',
  sequences: 'sequences',
  functions: 'functions',
  types: 'types',
  triggers: 'triggers',
  rules: 'rules',
  storage: 'storage options',
  replicaIdentity: 'replica identity',
  comments: 'comments',
  extensions: 'extensions',
};

const INVALID = ' (INVALID)';

export const schemaParity: CompareCheck = {
  name: 'schema',
  reads: 'both',
  async run(ctx) {
    ctx.progress(`${ctx.label}: comparing schema`);
    const [ss, ts] = [await readSchema(ctx.source.clients[0]), await readSchema(ctx.target.clients[0])];
    // Invalid source indexes leave the comparison (pg_dump/pg_upgrade skip them) and become a warning.
    const invalidOnSource: string[] = [];
    for (const [k, def] of ss.indexes) {
      if (!def.endsWith(INVALID)) continue;
      ss.indexes.delete(k);
      const t = ts.indexes.get(k);
      if (t !== undefined) ts.indexes.delete(k);
      invalidOnSource.push(
        `invalid on source: ${k} (${t === undefined ? 'not on the target' : t.endsWith(INVALID) ? 'invalid on the target too' : 'valid on the target'})`,
      );
    }
    const out: CheckResult[] = [];
    for (const kind of SCHEMA_KINDS) {
      const d = diffMaps(ss[kind], ts[kind], kind === 'rules' ? normalizeWhitespace : undefined);
      const name = `schema: ${KIND_LABEL[kind]}`;
      const n = ss[kind].size;
      const notes = kind === 'indexes' ? invalidOnSource : [];
      if (d.missing.length || d.extra.length || d.changed.length) {
        out.push(
          check(
            name,
            'fail',
            `${d.missing.length} missing on target, ${d.extra.length} extra on target, ${d.changed.length} different (of ${n} on source)`,
            [...diffObjects(d), ...notes],
            ctx.label,
          ),
        );
      } else if (notes.length) {
        out.push(
          check(
            name,
            'warn',
            `${n} identical on source and target; ${notes.length} index(es) invalid on the source (a failed CREATE INDEX CONCURRENTLY) are not compared: pg_dump and pg_upgrade do not carry invalid indexes over. Drop them on the source, or build them on the target if they are wanted`,
            notes,
            ctx.label,
          ),
        );
      } else out.push(check(name, 'pass', `${n} identical on source and target`, [], ctx.label));
    }
    return out;
  },
};
