// Schema parity: one result per object kind (tables, columns with types, indexes, constraints, sequences, views,
// functions, types, triggers, extensions), each naming what is missing, extra or different on the target. View
// definitions that only deparse differently are a warning: pg_get_viewdef's output can change between majors.
import type { CompareCheck } from '../check';
import { diffMaps, diffObjects, normalizeWhitespace, readSchema, SCHEMA_KINDS, SchemaKind } from '../read/schema';
import { check, CheckResult } from '../report';

const KIND_LABEL: Record<SchemaKind, string> = {
  tables: 'tables',
  columns: 'columns (with types)',
  indexes: 'indexes',
  constraints: 'constraints',
  sequences: 'sequences',
  views: 'views',
  functions: 'functions',
  types: 'types',
  triggers: 'triggers',
  extensions: 'extensions',
};

export const schemaParity: CompareCheck = {
  name: 'schema',
  reads: 'both',
  async run(ctx) {
    ctx.progress(`${ctx.label}: comparing schema`);
    const [ss, ts] = [await readSchema(ctx.source.clients[0]), await readSchema(ctx.target.clients[0])];
    const out: CheckResult[] = [];
    for (const kind of SCHEMA_KINDS) {
      const d = diffMaps(ss[kind], ts[kind], kind === 'views' ? normalizeWhitespace : undefined);
      const name = `schema: ${KIND_LABEL[kind]}`;
      const n = ss[kind].size;
      if (!d.missing.length && !d.extra.length && !d.changed.length)
        out.push(check(name, 'pass', `${n} identical on source and target`, [], ctx.label));
      else if (kind === 'views' && !d.missing.length && !d.extra.length) {
        out.push(
          check(
            name,
            'warn',
            `${d.changed.length} of ${n} view definitions deparse differently on the target; pg_get_viewdef output can change between major versions: review them`,
            diffObjects(d),
            ctx.label,
          ),
        );
      } else {
        out.push(
          check(
            name,
            'fail',
            `${d.missing.length} missing on target, ${d.extra.length} extra on target, ${d.changed.length} different (of ${n} on source)`,
            diffObjects(d),
            ctx.label,
          ),
        );
      }
    }
    return out;
  },
};
