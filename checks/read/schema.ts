// Schema parity: the same catalog queries on source and target give one map per object kind (key = qualified
// name, value = a definition string); a pure diff then names what is missing, extra or different. Objects that
// belong to extensions, system schemas, and partition clones (recreated from their parents) are left out.
import type { Client } from 'pg';

export const SCHEMA_KINDS = [
  'tables',
  'columns',
  'indexes',
  'constraints',
  'sequences',
  'views',
  'functions',
  'types',
  'triggers',
  'extensions',
] as const;
export type SchemaKind = (typeof SCHEMA_KINDS)[number];
export type SchemaSnapshot = Record<SchemaKind, Map<string, string>>;

const USER_NS = (n: string): string =>
  `${n}.nspname NOT IN ('pg_catalog', 'information_schema') AND ${n}.nspname !~ '^pg_temp_' AND ${n}.nspname !~ '^pg_toast'`;
const NOT_EXT = (catalog: string, oid: string): string =>
  `NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x WHERE x.classid = '${catalog}'::pg_catalog.regclass AND x.objid = ${oid} AND x.deptype = 'e')`;

/** One query per kind; each returns (key text, def text). Runs unchanged on 13 and 16. */
export const SCHEMA_SQL: Record<SchemaKind, string> = {
  tables: `
SELECT n.nspname || '.' || c.relname AS key,
       CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'partitioned table' WHEN 'm' THEN 'materialized view' ELSE 'foreign table' END
       || CASE WHEN c.relpersistence = 'u' THEN ' unlogged' ELSE '' END
       || CASE WHEN c.relispartition THEN ' partition of ' || (SELECT i.inhparent::pg_catalog.regclass::text FROM pg_catalog.pg_inherits i WHERE i.inhrelid = c.oid LIMIT 1) ELSE '' END AS def
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'm', 'f') AND ${USER_NS('n')} AND ${NOT_EXT('pg_catalog.pg_class', 'c.oid')}`,
  columns: `
SELECT n.nspname || '.' || c.relname || '.' || a.attname AS key,
       pg_catalog.format_type(a.atttypid, a.atttypmod)
       || CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation THEN ' COLLATE ' || co.collname ELSE '' END
       || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END
       || CASE WHEN a.attidentity <> '' THEN ' IDENTITY ' || a.attidentity::text ELSE '' END
       || CASE WHEN a.attgenerated <> '' THEN ' GENERATED ' || pg_catalog.pg_get_expr(d.adbin, d.adrelid)
               WHEN d.adbin IS NOT NULL THEN ' DEFAULT ' || pg_catalog.pg_get_expr(d.adbin, d.adrelid) ELSE '' END AS def
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'm', 'f', 'v')
  AND ${USER_NS('n')} AND ${NOT_EXT('pg_catalog.pg_class', 'c.oid')}`,
  indexes: `
SELECT n.nspname || '.' || ic.relname AS key,
       pg_catalog.pg_get_indexdef(i.indexrelid) || CASE WHEN NOT i.indisvalid THEN ' (INVALID)' ELSE '' END AS def
FROM pg_catalog.pg_index i
JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
JOIN pg_catalog.pg_namespace n ON n.oid = ic.relnamespace
WHERE ${USER_NS('n')} AND ${NOT_EXT('pg_catalog.pg_class', 'c.oid')}`,
  constraints: `
SELECT n.nspname || '.' || c.relname || '.' || con.conname AS key, pg_catalog.pg_get_constraintdef(con.oid) AS def
FROM pg_catalog.pg_constraint con
JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE con.conparentid = 0 AND ${USER_NS('n')} AND ${NOT_EXT('pg_catalog.pg_class', 'c.oid')}
UNION ALL
SELECT 'domain ' || n.nspname || '.' || t.typname || '.' || con.conname, pg_catalog.pg_get_constraintdef(con.oid)
FROM pg_catalog.pg_constraint con
JOIN pg_catalog.pg_type t ON t.oid = con.contypid
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
WHERE con.contypid <> 0 AND ${USER_NS('n')} AND ${NOT_EXT('pg_catalog.pg_type', 't.oid')}`,
  sequences: `
SELECT n.nspname || '.' || c.relname AS key,
       pg_catalog.format_type(s.seqtypid, NULL) || ' start ' || s.seqstart || ' increment ' || s.seqincrement
       || ' min ' || s.seqmin || ' max ' || s.seqmax || ' cache ' || s.seqcache || CASE WHEN s.seqcycle THEN ' cycle' ELSE '' END
       || coalesce((SELECT ' owned by ' || tn.nspname || '.' || tc.relname || '.' || ta.attname
                    FROM pg_catalog.pg_depend dep
                    JOIN pg_catalog.pg_class tc ON tc.oid = dep.refobjid
                    JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace
                    JOIN pg_catalog.pg_attribute ta ON ta.attrelid = tc.oid AND ta.attnum = dep.refobjsubid
                    WHERE dep.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND dep.objid = c.oid
                      AND dep.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND dep.deptype IN ('a', 'i') LIMIT 1), '') AS def
FROM pg_catalog.pg_sequence s
JOIN pg_catalog.pg_class c ON c.oid = s.seqrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE ${USER_NS('n')} AND ${NOT_EXT('pg_catalog.pg_class', 'c.oid')}`,
  views: `
SELECT n.nspname || '.' || c.relname AS key,
       CASE c.relkind WHEN 'v' THEN 'view' ELSE 'materialized view' END || ': ' || pg_catalog.pg_get_viewdef(c.oid) AS def
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('v', 'm') AND ${USER_NS('n')} AND ${NOT_EXT('pg_catalog.pg_class', 'c.oid')}`,
  functions: `
SELECT n.nspname || '.' || p.proname || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')' AS key,
       CASE p.prokind WHEN 'f' THEN 'function' WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate' ELSE 'window function' END
       || coalesce(' returns ' || pg_catalog.pg_get_function_result(p.oid), '')
       || ' language ' || l.lanname || ' ' || p.provolatile::text || CASE WHEN p.prosecdef THEN ' security definer' ELSE '' END
       || ' body md5 ' || pg_catalog.md5(coalesce(p.prosrc, '')) AS def
FROM pg_catalog.pg_proc p
JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
JOIN pg_catalog.pg_language l ON l.oid = p.prolang
WHERE ${USER_NS('n')} AND ${NOT_EXT('pg_catalog.pg_proc', 'p.oid')}`,
  types: `
SELECT n.nspname || '.' || t.typname AS key,
       CASE t.typtype
         WHEN 'e' THEN 'enum (' || coalesce((SELECT string_agg(pg_catalog.quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder) FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid), '') || ')'
         WHEN 'd' THEN 'domain over ' || pg_catalog.format_type(t.typbasetype, t.typtypmod) || CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END || coalesce(' DEFAULT ' || t.typdefault, '')
         WHEN 'c' THEN 'composite (' || coalesce((SELECT string_agg(a.attname || ' ' || pg_catalog.format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum) FROM pg_catalog.pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped), '') || ')'
         WHEN 'r' THEN 'range of ' || (SELECT pg_catalog.format_type(r.rngsubtype, NULL) FROM pg_catalog.pg_range r WHERE r.rngtypid = t.oid)
         ELSE 'base type' END AS def
FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
WHERE t.typtype IN ('e', 'd', 'c', 'r', 'b')
  AND NOT (t.typelem <> 0 AND t.typlen = -1)
  AND (t.typtype <> 'c' OR (SELECT cl.relkind FROM pg_catalog.pg_class cl WHERE cl.oid = t.typrelid) = 'c')
  AND ${USER_NS('n')} AND ${NOT_EXT('pg_catalog.pg_type', 't.oid')}`,
  triggers: `
SELECT n.nspname || '.' || c.relname || '.' || tg.tgname AS key,
       pg_catalog.pg_get_triggerdef(tg.oid) || CASE tg.tgenabled WHEN 'D' THEN ' (disabled)' WHEN 'R' THEN ' (replica)' WHEN 'A' THEN ' (always)' ELSE '' END AS def
FROM pg_catalog.pg_trigger tg
JOIN pg_catalog.pg_class c ON c.oid = tg.tgrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE NOT tg.tgisinternal AND tg.tgparentid = 0 AND ${USER_NS('n')} AND ${NOT_EXT('pg_catalog.pg_class', 'c.oid')}`,
  // Versions are compared by the "extension updates" check; parity is about presence.
  extensions: `SELECT e.extname AS key, '' AS def FROM pg_catalog.pg_extension e`,
};

/** Reads every kind from one session (run it inside the snapshot transaction). */
export async function readSchema(client: Client): Promise<SchemaSnapshot> {
  const out = {} as SchemaSnapshot;
  for (const kind of SCHEMA_KINDS) {
    const rows = (await client.query<{ key: string; def: string }>(SCHEMA_SQL[kind])).rows;
    out[kind] = new Map(rows.map((r) => [r.key, r.def ?? '']));
  }
  return out;
}

export interface SchemaDiff {
  missing: string[];
  extra: string[];
  changed: { key: string; source: string; target: string }[];
  same: number;
}

const collator = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Compares two maps of key -> definition. `normalize` is applied to definitions before comparing. */
export function diffMaps(
  source: Map<string, string>,
  target: Map<string, string>,
  normalize: (s: string) => string = (s) => s,
): SchemaDiff {
  const d: SchemaDiff = { missing: [], extra: [], changed: [], same: 0 };
  for (const [k, v] of source) {
    if (!target.has(k)) d.missing.push(k);
    else if (normalize(v) !== normalize(target.get(k)!)) d.changed.push({ key: k, source: v, target: target.get(k)! });
    else d.same++;
  }
  for (const k of target.keys()) if (!source.has(k)) d.extra.push(k);
  d.missing.sort(collator);
  d.extra.sort(collator);
  d.changed.sort((a, b) => collator(a.key, b.key));
  return d;
}

/** Collapses whitespace: pg_get_viewdef's line layout is not part of a view's meaning. */
export const normalizeWhitespace = (s: string): string => s.replace(/\s+/g, ' ').trim();

function clip(s: string, n = 160): string {
  return s.length > n ? `${s.slice(0, n - 3)}...` : s;
}

/** Objects list for a diff: "missing on target: x", "extra on target: y", "differs: z: source ... | target ...". */
export function diffObjects(d: SchemaDiff): string[] {
  return [
    ...d.missing.map((k) => `missing on target: ${k}`),
    ...d.extra.map((k) => `extra on target: ${k}`),
    ...d.changed.map((c) => `differs: ${c.key}: source "${clip(c.source)}" | target "${clip(c.target)}"`),
  ];
}
