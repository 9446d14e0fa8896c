// Schema parity: the same catalog queries on source and target give one map per object kind (key = qualified
// name, see names.ts; value = a definition string); a pure diff then names what is missing, extra or different.
// Objects that belong to extensions, system schemas, and partition clones (recreated from their parents) are left
// out. Views and materialized views are compared by their own check (validate/view-definitions.ts: deparsed on the
// target, since 13 and 16 print unchanged views differently); owners, privileges and row-level security by theirs.
import type { Client } from 'pg';
import { qualifiedSql as Q } from './names';

export const SCHEMA_KINDS = [
  'schemas',
  'tables',
  'columns',
  'inheritance',
  'partitions',
  'indexes',
  'constraints',
  'sequences',
  'functions',
  'types',
  'triggers',
  'rules',
  'storage',
  'replicaIdentity',
  'comments',
  'extensions',
] as const;
export type SchemaKind = (typeof SCHEMA_KINDS)[number];
export type SchemaSnapshot = Record<SchemaKind, Map<string, string>>;

export const USER_NS = (n: string): string =>
  `${n}.nspname NOT IN ('pg_catalog', 'information_schema') AND ${n}.nspname !~ '^pg_temp_' AND ${n}.nspname !~ '^pg_toast'`;
export const NOT_EXT = (catalog: string, oid: string): string =>
  `NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x WHERE x.classid = '${catalog}'::pg_catalog.regclass AND x.objid = ${oid} AND x.deptype = 'e')`;

/** Sorted reloptions as "a=1, b=2" (empty text when none). */
const OPTIONS = (expr: string): string =>
  `coalesce((SELECT string_agg(o, ', ' ORDER BY o COLLATE "C") FROM pg_catalog.unnest(${expr}) o), '')`;

/** One query per kind; each returns (key text, def text). Runs unchanged on 13 and 16. */
export const SCHEMA_SQL: Record<SchemaKind, string> = {
  schemas: `
SELECT ${Q('n.nspname')} AS key, '' AS def
FROM pg_catalog.pg_namespace n
WHERE ${USER_NS('n')} AND ${NOT_EXT('pg_catalog.pg_namespace', 'n.oid')}`,
  tables: `
SELECT ${Q('n.nspname', 'c.relname')} AS key,
       CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'partitioned table' WHEN 'm' THEN 'materialized view' ELSE 'foreign table' END
       || CASE WHEN c.relpersistence = 'u' THEN ' unlogged' ELSE '' END
       || CASE WHEN c.relkind = 'm' AND NOT c.relispopulated THEN ' (not populated)' ELSE '' END AS def
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'm', 'f') AND ${USER_NS('n')} AND ${NOT_EXT('pg_catalog.pg_class', 'c.oid')}`,
  columns: `
SELECT ${Q('n.nspname', 'c.relname', 'a.attname')} AS key,
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
  // Table inheritance (not partitioning): one entry per link, so NO INHERIT shows as that link missing.
  inheritance: `
SELECT ${Q('n.nspname', 'c.relname')} || ' inherits ' || ${Q('pn.nspname', 'p.relname')} AS key, 'position ' || i.inhseqno AS def
FROM pg_catalog.pg_inherits i
JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_class p ON p.oid = i.inhparent
JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace
WHERE NOT c.relispartition AND c.relkind IN ('r', 'p', 'f') AND ${USER_NS('n')} AND ${NOT_EXT('pg_catalog.pg_class', 'c.oid')}`,
  // Partitioned tables (their key) and partitions (their parent and bounds).
  partitions: `
SELECT ${Q('n.nspname', 'c.relname')} AS key,
       concat_ws('; ',
         CASE WHEN c.relispartition THEN 'partition of ' || (SELECT ${Q('pn.nspname', 'p.relname')} FROM pg_catalog.pg_inherits i
              JOIN pg_catalog.pg_class p ON p.oid = i.inhparent JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace
              WHERE i.inhrelid = c.oid) || ' ' || pg_catalog.pg_get_expr(c.relpartbound, c.oid) END,
         CASE WHEN c.relkind = 'p' THEN 'partition by ' || pg_catalog.pg_get_partkeydef(c.oid) END) AS def
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE (c.relispartition OR c.relkind = 'p') AND c.relkind IN ('r', 'p', 'f')
  AND ${USER_NS('n')} AND ${NOT_EXT('pg_catalog.pg_class', 'c.oid')}`,
  indexes: `
SELECT ${Q('n.nspname', 'ic.relname')} AS key,
       pg_catalog.pg_get_indexdef(i.indexrelid) || CASE WHEN NOT i.indisvalid THEN ' (INVALID)' ELSE '' END AS def
FROM pg_catalog.pg_index i
JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
JOIN pg_catalog.pg_namespace n ON n.oid = ic.relnamespace
WHERE ${USER_NS('n')} AND ${NOT_EXT('pg_catalog.pg_class', 'c.oid')}`,
  constraints: `
SELECT ${Q('n.nspname', 'c.relname', 'con.conname')} AS key, pg_catalog.pg_get_constraintdef(con.oid) AS def
FROM pg_catalog.pg_constraint con
JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE con.conparentid = 0 AND ${USER_NS('n')} AND ${NOT_EXT('pg_catalog.pg_class', 'c.oid')}
UNION ALL
SELECT 'domain ' || ${Q('n.nspname', 't.typname', 'con.conname')}, pg_catalog.pg_get_constraintdef(con.oid)
FROM pg_catalog.pg_constraint con
JOIN pg_catalog.pg_type t ON t.oid = con.contypid
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
WHERE con.contypid <> 0 AND ${USER_NS('n')} AND ${NOT_EXT('pg_catalog.pg_type', 't.oid')}`,
  sequences: `
SELECT ${Q('n.nspname', 'c.relname')} AS key,
       pg_catalog.format_type(s.seqtypid, NULL) || ' start ' || s.seqstart || ' increment ' || s.seqincrement
       || ' min ' || s.seqmin || ' max ' || s.seqmax || ' cache ' || s.seqcache || CASE WHEN s.seqcycle THEN ' cycle' ELSE '' END
       || CASE WHEN c.relpersistence = 'u' THEN ' unlogged' ELSE '' END
       || coalesce((SELECT ' owned by ' || ${Q('tn.nspname', 'tc.relname', 'ta.attname')}
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
  // Everything a caller feels besides the body: result, language, volatility, strictness, SECURITY DEFINER and the
  // settings it runs with (SET search_path ...), leakproof, parallel safety, cost and rows; the body as an md5.
  functions: `
SELECT ${Q('n.nspname', 'p.proname')} || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')' AS key,
       CASE p.prokind WHEN 'f' THEN 'function' WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate' ELSE 'window function' END
       || coalesce(' returns ' || pg_catalog.pg_get_function_result(p.oid), '')
       || ' language ' || l.lanname
       || CASE p.provolatile WHEN 'i' THEN ' immutable' WHEN 's' THEN ' stable' ELSE ' volatile' END
       || CASE WHEN p.proisstrict THEN ' strict' ELSE '' END
       || CASE WHEN p.prosecdef THEN ' security definer' ELSE '' END
       || CASE WHEN p.proleakproof THEN ' leakproof' ELSE '' END
       || CASE p.proparallel WHEN 's' THEN ' parallel safe' WHEN 'r' THEN ' parallel restricted' ELSE '' END
       || ' cost ' || p.procost || CASE WHEN p.prorows > 0 THEN ' rows ' || p.prorows ELSE '' END
       || coalesce(' set ' || pg_catalog.array_to_string(p.proconfig, ', '), '')
       || ' body md5 ' || pg_catalog.md5(coalesce(p.prosrc, '')) AS def
FROM pg_catalog.pg_proc p
JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
JOIN pg_catalog.pg_language l ON l.oid = p.prolang
WHERE ${USER_NS('n')} AND ${NOT_EXT('pg_catalog.pg_proc', 'p.oid')}`,
  types: `
SELECT ${Q('n.nspname', 't.typname')} AS key,
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
SELECT ${Q('n.nspname', 'c.relname', 'tg.tgname')} AS key,
       pg_catalog.pg_get_triggerdef(tg.oid) || CASE tg.tgenabled WHEN 'D' THEN ' (disabled)' WHEN 'R' THEN ' (replica)' WHEN 'A' THEN ' (always)' ELSE '' END AS def
FROM pg_catalog.pg_trigger tg
JOIN pg_catalog.pg_class c ON c.oid = tg.tgrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE NOT tg.tgisinternal AND tg.tgparentid = 0 AND ${USER_NS('n')} AND ${NOT_EXT('pg_catalog.pg_class', 'c.oid')}`,
  // Rules other than a view's own ON SELECT rule (those are the view definitions).
  rules: `
SELECT ${Q('n.nspname', 'c.relname')} || ' rule ' || ${Q('r.rulename')} AS key,
       pg_catalog.pg_get_ruledef(r.oid) || CASE r.ev_enabled WHEN 'D' THEN ' (disabled)' WHEN 'R' THEN ' (replica)' WHEN 'A' THEN ' (always)' ELSE '' END AS def
FROM pg_catalog.pg_rewrite r
JOIN pg_catalog.pg_class c ON c.oid = r.ev_class
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE r.rulename <> '_RETURN' AND ${USER_NS('n')} AND ${NOT_EXT('pg_catalog.pg_class', 'c.oid')}`,
  // Storage parameters of tables and their TOAST tables (fillfactor, autovacuum_*, ...) and columns whose storage
  // differs from their type's default (ALTER COLUMN ... SET STORAGE).
  storage: `
SELECT ${Q('n.nspname', 'c.relname')} AS key,
       coalesce(nullif(concat_ws('; ',
         nullif(${OPTIONS('c.reloptions')}, ''),
         nullif((SELECT ${OPTIONS("(SELECT pg_catalog.array_agg('toast.' || o) FROM pg_catalog.unnest(tc.reloptions) o)")} FROM pg_catalog.pg_class tc WHERE tc.oid = c.reltoastrelid), ''),
         (SELECT string_agg(${Q('a.attname')} || ' storage ' || CASE a.attstorage WHEN 'p' THEN 'plain' WHEN 'e' THEN 'external' WHEN 'm' THEN 'main' ELSE 'extended' END, ', ' ORDER BY a.attname COLLATE "C")
          FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
          WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attstorage <> t.typstorage)), ''), 'defaults') AS def
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'm') AND ${USER_NS('n')} AND ${NOT_EXT('pg_catalog.pg_class', 'c.oid')}`,
  replicaIdentity: `
SELECT ${Q('n.nspname', 'c.relname')} AS key,
       CASE c.relreplident WHEN 'd' THEN 'default' WHEN 'n' THEN 'nothing' WHEN 'f' THEN 'full'
         ELSE 'using index ' || coalesce((SELECT ${Q('ic.relname')} FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
                                          WHERE i.indrelid = c.oid AND i.indisreplident), '?') END AS def
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND ${USER_NS('n')} AND ${NOT_EXT('pg_catalog.pg_class', 'c.oid')}`,
  // COMMENT ON anything of the database's own (not of the system or an extension), keyed by the object's identity.
  comments: `
SELECT o.type || ' ' || o.identity AS key, d.description AS def
FROM pg_catalog.pg_description d,
     LATERAL pg_catalog.pg_identify_object(d.classoid, d.objoid, d.objsubid) o
WHERE d.objoid >= 16384 AND d.classoid <> 'pg_catalog.pg_extension'::pg_catalog.regclass
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x WHERE x.classid = d.classoid AND x.objid = d.objoid AND x.deptype = 'e')
  AND coalesce(o.schema NOT IN ('pg_catalog', 'information_schema') AND o.schema !~ '^pg_temp_' AND o.schema !~ '^pg_toast', true)`,
  // Versions are compared by the "extension updates" check; parity is about presence.
  extensions: `SELECT ${Q('e.extname')} AS key, '' AS def FROM pg_catalog.pg_extension e`,
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
