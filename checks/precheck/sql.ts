// SQL of the pre-upgrade checks (13 -> 16), as pure strings. Modelled on pg_upgrade's own checks (check.c on the
// 16 branch: data type usage, datallowconn, prepared transactions, encoding conversions, postfix operators,
// incompatible polymorphics) and on RDS's additional prerequisites. Everything here is a catalog read.

/** Schemas whose objects are never the user's (system catalogs, temp and toast schemas). */
export const USER_SCHEMA_FILTER = (alias: string): string =>
  `${alias}.nspname NOT IN ('pg_catalog', 'information_schema') AND ${alias}.nspname !~ '^pg_temp_' AND ${alias}.nspname !~ '^pg_toast'`;

/** reg* types whose referenced OIDs pg_upgrade does not preserve (regclass, regrole, regtype are preserved). */
export const UNSTABLE_REG_TYPES = [
  'regcollation',
  'regconfig',
  'regdictionary',
  'regnamespace',
  'regoper',
  'regoperator',
  'regproc',
  'regprocedure',
];

/** Base queries: each yields one column `oid` with the problem type(s). */
export const TYPE_BASES = {
  /** Not every server has every reg* type (regcollation is 13+), hence names, not casts. */
  reg: `SELECT t.oid FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
        WHERE n.nspname = 'pg_catalog' AND t.typname IN (${UNSTABLE_REG_TYPES.map((t) => `'${t}'`).join(', ')})`,
  /** Composite types created by initdb (OID below FirstNormalObjectId 16384) or living in information_schema. */
  systemComposite: `SELECT t.oid FROM pg_catalog.pg_type t LEFT JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
        WHERE t.typtype = 'c' AND (t.oid < 16384 OR n.nspname = 'information_schema')`,
  /** aclitem's on-disk format changed in 16. */
  aclitem: `SELECT 'pg_catalog.aclitem'::pg_catalog.regtype::oid AS oid`,
};

/**
 * Stored columns (tables, materialized views, indexes) whose type is one of `base` or contains one: the closure over
 * domains, arrays, composite types (including table row types) and ranges. Same closure pg_upgrade computes.
 */
export function columnsUsingTypes(base: string): string {
  return `
WITH RECURSIVE problem(oid) AS (
  ${base}
  UNION
  SELECT w.oid
  FROM problem p,
  LATERAL (
    SELECT d.oid FROM pg_catalog.pg_type d WHERE d.typtype = 'd' AND d.typbasetype = p.oid
    UNION ALL
    SELECT arr.oid FROM pg_catalog.pg_type arr WHERE arr.typtype = 'b' AND arr.typelem = p.oid
    UNION ALL
    SELECT ct.oid FROM pg_catalog.pg_type ct
      JOIN pg_catalog.pg_class cc ON cc.reltype = ct.oid
      JOIN pg_catalog.pg_attribute ca ON ca.attrelid = cc.oid
      WHERE ct.typtype = 'c' AND NOT ca.attisdropped AND ca.atttypid = p.oid
    UNION ALL
    SELECT r.rngtypid FROM pg_catalog.pg_range r WHERE r.rngsubtype = p.oid
  ) w
)
SELECT n.nspname, c.relname, a.attname, c.relkind::text AS relkind,
       pg_catalog.format_type(a.atttypid, a.atttypmod) AS type
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE a.atttypid IN (SELECT oid FROM problem)
  AND NOT a.attisdropped
  AND a.attnum > 0
  AND c.relkind IN ('r', 'm', 'i')
  AND ${USER_SCHEMA_FILTER('n')}
ORDER BY 1, 2, 3`;
}

/** User-defined encoding conversions (their function signature changed in 14). */
export const ENCODING_CONVERSIONS = `
SELECT n.nspname, c.conname,
       pg_catalog.pg_encoding_to_char(c.conforencoding) AS source_encoding,
       pg_catalog.pg_encoding_to_char(c.contoencoding) AS target_encoding,
       c.conproc::pg_catalog.regprocedure::text AS function
FROM pg_catalog.pg_conversion c JOIN pg_catalog.pg_namespace n ON n.oid = c.connamespace
WHERE c.oid >= 16384
ORDER BY 1, 2`;

/** User-defined postfix (right-unary) operators, removed in 14. */
export const POSTFIX_OPERATORS = `
SELECT n.nspname, o.oprname, pg_catalog.format_type(o.oprleft, NULL) AS left_type
FROM pg_catalog.pg_operator o JOIN pg_catalog.pg_namespace n ON n.oid = o.oprnamespace
WHERE o.oprright = 0 AND o.oid >= 16384
ORDER BY 1, 2`;

/** Built-in functions that took anyarray/anyelement before 14 and anycompatible* since. */
export const OLD_POLYMORPHICS = [
  'array_append(anyarray,anyelement)',
  'array_cat(anyarray,anyarray)',
  'array_prepend(anyelement,anyarray)',
  'array_remove(anyarray,anyelement)',
  'array_replace(anyarray,anyelement,anyelement)',
  'array_position(anyarray,anyelement)',
  'array_position(anyarray,anyelement,integer)',
  'array_positions(anyarray,anyelement)',
  'width_bucket(anyelement,anyarray)',
];

/** User aggregates (transition/final function) and operators built on those functions with polymorphic types. */
export function incompatiblePolymorphics(): string {
  const fns = `ARRAY[${OLD_POLYMORPHICS.map((f) => `'${f}'`).join(', ')}]::pg_catalog.regprocedure[]`;
  const poly = `ARRAY['anyarray', 'anyelement']::pg_catalog.regtype[]`;
  return `
SELECT 'aggregate' AS kind, p.oid::pg_catalog.regprocedure::text AS name, a.aggtransfn::pg_catalog.regprocedure::text AS uses
FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_aggregate a ON a.aggfnoid = p.oid
WHERE p.oid >= 16384 AND a.aggtransfn = ANY(${fns}) AND a.aggtranstype = ANY(${poly})
UNION ALL
SELECT 'aggregate', p.oid::pg_catalog.regprocedure::text, a.aggfinalfn::pg_catalog.regprocedure::text
FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_aggregate a ON a.aggfnoid = p.oid
WHERE p.oid >= 16384 AND a.aggfinalfn = ANY(${fns}) AND a.aggtranstype = ANY(${poly})
UNION ALL
SELECT 'operator', o.oid::pg_catalog.regoperator::text, o.oprcode::pg_catalog.regprocedure::text
FROM pg_catalog.pg_operator o
WHERE o.oid >= 16384 AND o.oprcode = ANY(${fns}) AND o.oprleft = ANY(${poly})
ORDER BY 1, 2`;
}

/** Installed extensions with the version the source server would install by default. */
export const EXTENSIONS = `
SELECT e.extname AS name, e.extversion AS installed, a.default_version AS available
FROM pg_catalog.pg_extension e LEFT JOIN pg_catalog.pg_available_extensions a ON a.name = e.extname
ORDER BY 1`;

/** Views and materialized views that depend on pg_stat_activity, directly or through other views. */
export const VIEWS_ON_PG_STAT_ACTIVITY = `
WITH RECURSIVE dependent(oid) AS (
  SELECT 'pg_catalog.pg_stat_activity'::pg_catalog.regclass::oid
  UNION
  SELECT r.ev_class
  FROM dependent d
  JOIN pg_catalog.pg_depend dep ON dep.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND dep.refobjid = d.oid
  JOIN pg_catalog.pg_rewrite r ON dep.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND dep.objid = r.oid
  WHERE r.ev_class <> d.oid
)
SELECT n.nspname, c.relname, c.relkind::text AS relkind
FROM dependent d JOIN pg_catalog.pg_class c ON c.oid = d.oid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.oid <> 'pg_catalog.pg_stat_activity'::pg_catalog.regclass AND ${USER_SCHEMA_FILTER('n')}
ORDER BY 1, 2`;

/** The public schema: who owns it, whether PUBLIC may create in it, and which other roles own objects there. */
export const PUBLIC_SCHEMA = `
SELECT pg_catalog.pg_get_userbyid(n.nspowner) AS owner,
       pg_catalog.has_schema_privilege('public', n.oid, 'CREATE') AS public_create,
       ARRAY(SELECT DISTINCT pg_catalog.pg_get_userbyid(c.relowner)::text FROM pg_catalog.pg_class c
             WHERE c.relnamespace = n.oid AND c.relowner <> n.nspowner ORDER BY 1) AS other_owners
FROM pg_catalog.pg_namespace n WHERE n.nspname = 'public'`;

export const LARGE_OBJECTS = `SELECT count(*)::bigint AS n FROM pg_catalog.pg_largeobject_metadata`;

// ---- cluster-wide (run once) ----

export const DATABASES = `
SELECT d.datname, d.datallowconn, d.datconnlimit, d.datistemplate
FROM pg_catalog.pg_database d ORDER BY d.datname`;

export const PREPARED_TRANSACTIONS = `
SELECT gid, database, owner, to_char(prepared AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC' AS prepared
FROM pg_catalog.pg_prepared_xacts ORDER BY database, gid`;

export const LOGICAL_SLOTS = `
SELECT slot_name, plugin, database, slot_type, active
FROM pg_catalog.pg_replication_slots WHERE slot_type <> 'physical' ORDER BY slot_name`;

export const SERVER = `
SELECT current_setting('server_version') AS version, current_setting('server_version_num')::int AS num,
       current_database() AS database, current_user AS "user",
       (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) AS superuser`;
