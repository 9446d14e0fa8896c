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
       (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) AS superuser,
       EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'rdsadmin') AS rds`;

// ---- schema-restore blockers: what 14, 15 and 16 removed ----

/**
 * Built-in functions, operators and catalog columns of PostgreSQL 13 that 16 no longer has. Measured, not recalled:
 * every pg_catalog function (by name and argument types), operator (by name and operand types) and column of a
 * pg_catalog table or view in 13.21 that 16.9 lacks (tests/checks/precheck/removed.test.ts compares this list with
 * the real servers), less what a restore re-resolves by itself: the array functions and || operators that 14 moved
 * from anyarray/anyelement to anycompatible* (polymorphic functions has its own check), functions that only gained
 * a defaulted argument (pg_terminate_backend, pg_create_logical_replication_slot) or changed OUT columns, encoding
 * conversion functions (their own check) and binary-upgrade internals. A view, CHECK constraint, column default,
 * index expression, trigger, policy or rule that uses one of these makes the schema restore into 16 fail.
 * 14: factorial (! and !! and numeric_fac), the geometric containment operators @ and ~ (use <@ and @>), and a few
 * geometric functions nothing implemented; 15: exclusive backup (pg_start_backup/pg_stop_backup became
 * pg_backup_start/pg_backup_stop; pg_is_in_backup, pg_backup_start_time gone), pg_database.datlastsysoid,
 * pg_stat_ssl.compression.
 */
export const REMOVED_IN_16 = {
  functions: [
    'numeric_fac(bigint)',
    'currtid(oid,tid)',
    'close_lb(line,box)',
    'close_sl(lseg,line)',
    'dist_bl(box,line)',
    'dist_lb(line,box)',
    'path_center(path)',
    'point(path)',
    'pg_start_backup(text,boolean,boolean)',
    'pg_stop_backup()',
    'pg_stop_backup(boolean,boolean)',
    'pg_is_in_backup()',
    'pg_backup_start_time()',
  ],
  operators: [
    '!(bigint,NONE)',
    '!!(NONE,bigint)',
    '##(line,box)',
    '##(lseg,line)',
    '<->(box,line)',
    '<->(line,box)',
    '@(box,box)',
    '@(circle,circle)',
    '@(lseg,box)',
    '@(lseg,line)',
    '@(point,box)',
    '@(point,circle)',
    '@(point,line)',
    '@(point,lseg)',
    '@(point,path)',
    '@(point,polygon)',
    '@(polygon,polygon)',
    '@@(NONE,path)',
    '~(aclitem[],aclitem)',
    '~(box,box)',
    '~(circle,circle)',
    '~(circle,point)',
    '~(path,point)',
    '~(polygon,point)',
    '~(polygon,polygon)',
  ],
  columns: [
    ['pg_database', 'datlastsysoid'],
    ['pg_stat_ssl', 'compression'],
  ] as [string, string][],
};

/**
 * User objects whose stored expression trees use something REMOVED_IN_16 lists: views and rules (pg_rewrite),
 * CHECK and domain constraints (conbin), column defaults (adbin), index expressions and predicates, trigger WHEN
 * clauses, policies, function argument defaults and SQL-standard bodies (14+). PostgreSQL records no pg_depend rows
 * for built-in (pinned) objects, so the trees themselves are read: a function call is ":funcid <oid>" (":opfuncid"
 * under an operator), an operator ":opno <oid>". A removed catalog column is found in the deparsed view or rule.
 * Parameters: $1 functions, $2 operators (regprocedure/regoperator text), $3 column names, as REMOVED_IN_16 has them.
 */
export const USES_OF_REMOVED = `
WITH removed(kind, oid, what) AS (
  SELECT 'function', pg_catalog.to_regprocedure(f)::oid, 'function ' || f
  FROM pg_catalog.unnest($1::text[]) f WHERE pg_catalog.to_regprocedure(f) IS NOT NULL
  UNION ALL
  SELECT 'operator', pg_catalog.to_regoperator(o)::oid, 'operator ' || o
  FROM pg_catalog.unnest($2::text[]) o WHERE pg_catalog.to_regoperator(o) IS NOT NULL
),
trees(classid, objid, tree, deparsed) AS (
  SELECT 'pg_catalog.pg_rewrite'::pg_catalog.regclass, r.oid, r.ev_action::text || coalesce(r.ev_qual::text, ''),
         CASE WHEN r.rulename = '_RETURN' THEN pg_catalog.pg_get_viewdef(r.ev_class) ELSE pg_catalog.pg_get_ruledef(r.oid) END
  FROM pg_catalog.pg_rewrite r WHERE r.oid >= 16384
  UNION ALL
  SELECT 'pg_catalog.pg_constraint'::pg_catalog.regclass, c.oid, c.conbin::text, NULL
  FROM pg_catalog.pg_constraint c WHERE c.conbin IS NOT NULL AND c.oid >= 16384
  UNION ALL
  SELECT 'pg_catalog.pg_attrdef'::pg_catalog.regclass, d.oid, d.adbin::text, NULL FROM pg_catalog.pg_attrdef d WHERE d.oid >= 16384
  UNION ALL
  SELECT 'pg_catalog.pg_class'::pg_catalog.regclass, i.indexrelid, coalesce(i.indexprs::text, '') || coalesce(i.indpred::text, ''), NULL
  FROM pg_catalog.pg_index i WHERE i.indexrelid >= 16384 AND (i.indexprs IS NOT NULL OR i.indpred IS NOT NULL)
  UNION ALL
  SELECT 'pg_catalog.pg_trigger'::pg_catalog.regclass, t.oid, t.tgqual::text, NULL
  FROM pg_catalog.pg_trigger t WHERE t.tgqual IS NOT NULL AND t.oid >= 16384
  UNION ALL
  SELECT 'pg_catalog.pg_policy'::pg_catalog.regclass, p.oid, coalesce(p.polqual::text, '') || coalesce(p.polwithcheck::text, ''), NULL
  FROM pg_catalog.pg_policy p WHERE p.oid >= 16384
  UNION ALL
  SELECT 'pg_catalog.pg_proc'::pg_catalog.regclass, p.oid,
         coalesce(p.proargdefaults::text, '') || coalesce(pg_catalog.to_jsonb(p) ->> 'prosqlbody', ''), NULL
  FROM pg_catalog.pg_proc p WHERE p.oid >= 16384 AND (p.proargdefaults IS NOT NULL OR pg_catalog.to_jsonb(p) ->> 'prosqlbody' IS NOT NULL)
),
uses(classid, objid, what) AS (
  SELECT t.classid, t.objid, r.what
  FROM trees t, LATERAL pg_catalog.regexp_matches(t.tree, ':(funcid|opfuncid|aggfnoid|winfnoid|opno) ([0-9]+)', 'g') m
  JOIN removed r ON r.oid = m[2]::oid AND (m[1] = 'opno') = (r.kind = 'operator')
  UNION ALL
  SELECT t.classid, t.objid, 'column pg_catalog.' || c.rel || '.' || c.col
  FROM trees t, ROWS FROM (pg_catalog.unnest($3::text[]), pg_catalog.unnest($4::text[])) AS c(rel, col)
  WHERE t.deparsed ~ ('\\m' || c.rel || '\\M') AND t.deparsed ~ ('\\m' || c.col || '\\M')
)
SELECT DISTINCT
       CASE WHEN u.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass
              AND (SELECT r.rulename FROM pg_catalog.pg_rewrite r WHERE r.oid = u.objid) = '_RETURN'
            THEN pg_catalog.pg_describe_object('pg_catalog.pg_class'::pg_catalog.regclass,
                   (SELECT r.ev_class FROM pg_catalog.pg_rewrite r WHERE r.oid = u.objid), 0)
            ELSE pg_catalog.pg_describe_object(u.classid, u.objid, 0) END AS object,
       u.what
FROM uses u
ORDER BY 1, 2`;

/**
 * Function bodies (LANGUAGE sql and plpgsql, stored as text: PostgreSQL records no dependencies for them) that name
 * something REMOVED_IN_16 lists, or use the factorial operators. A text search: a restore does not check function
 * bodies (pg_dump turns check_function_bodies off), so these fail when called, not when restored.
 */
export const BODIES_NAMING_REMOVED = `
SELECT n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid) AS args, l.lanname,
       array_remove(ARRAY[
         (SELECT string_agg(DISTINCT m[1], ', ') FROM pg_catalog.regexp_matches(p.prosrc, $1, 'gi') m),
         CASE WHEN p.prosrc ~ '[0-9)]\\s*!(?![=~!])' OR p.prosrc ~ '!!\\s*[0-9]' THEN 'the factorial operator (! or !!)' END
       ], NULL) AS mentions
FROM pg_catalog.pg_proc p
JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
JOIN pg_catalog.pg_language l ON l.oid = p.prolang
WHERE l.lanname IN ('sql', 'plpgsql') AND ${USER_SCHEMA_FILTER('n')}
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x WHERE x.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND x.objid = p.oid AND x.deptype = 'e')
  AND (p.prosrc ~* $1 OR p.prosrc ~ '[0-9)]\\s*!(?![=~!])' OR p.prosrc ~ '!!\\s*[0-9]')
ORDER BY 1, 2, 3`;

/** The word-bounded names BODIES_NAMING_REMOVED searches for (functions and columns of REMOVED_IN_16). */
export function removedNamesPattern(): string {
  // point(path) is gone, but point() itself is not (nor the point type): only names that vanished entirely.
  const names = new Set([
    ...REMOVED_IN_16.functions.map((f) => f.slice(0, f.indexOf('('))).filter((n) => n !== 'point'),
    ...REMOVED_IN_16.columns.filter(([, c]) => c !== 'compression').map(([, c]) => c),
  ]);
  return `\\m(${[...names].join('|')})\\M`;
}

/** Unlogged tables (and their sequences): recovery truncates them, so a restored snapshot has them empty. */
export const UNLOGGED_TABLES = `
SELECT n.nspname, c.relname, c.relkind::text AS relkind,
       CASE WHEN c.relkind = 'r' THEN c.reltuples::int8 END AS estimated_rows
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relpersistence = 'u' AND c.relkind IN ('r', 'p', 'm') AND ${USER_SCHEMA_FILTER('n')}
ORDER BY 1, 2`;

// ---- strategy replication (checks/precheck/replication.ts) ----

export const REPLICATION_SETTINGS = `
SELECT current_setting('wal_level') AS wal_level,
       current_setting('rds.logical_replication', true) AS rds_logical,
       current_setting('max_replication_slots')::int AS max_slots,
       current_setting('max_wal_senders')::int AS max_senders,
       (SELECT count(*) FROM pg_catalog.pg_replication_slots)::int AS used_slots,
       (SELECT count(*) FROM pg_catalog.pg_stat_replication)::int AS used_senders,
       (SELECT count(*) FROM pg_catalog.pg_database
        WHERE datallowconn AND NOT datistemplate AND datname NOT IN ('postgres', 'rdsadmin'))::int AS databases`;

export const ALL_SLOTS = `
SELECT slot_name, slot_type, coalesce(database, '') AS database, active FROM pg_catalog.pg_replication_slots ORDER BY 1`;

/** The role (its attributes and rds_replication membership); no row when it does not exist. */
export const REPLICATION_ROLE = `
SELECT r.rolname, r.rolsuper, r.rolreplication, r.rolcanlogin,
       EXISTS (SELECT 1 FROM pg_catalog.pg_roles g WHERE g.rolname = 'rds_replication'
               AND pg_catalog.pg_has_role(r.oid, g.oid, 'MEMBER')) AS rds_replication
FROM pg_catalog.pg_roles r WHERE r.rolname = $1`;

/** Permanent user tables whose updates and deletes cannot be published: no replica identity usable. */
export const TABLES_WITHOUT_REPLICA_IDENTITY = `
SELECT n.nspname, c.relname, c.relreplident::text AS ident
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND c.relpersistence = 'p' AND ${USER_SCHEMA_FILTER('n')}
  AND (c.relreplident = 'n'
       OR (c.relreplident = 'd' AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid AND i.indisprimary))
       OR (c.relreplident = 'i' AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid AND i.indisreplident)))
ORDER BY 1, 2`;

/** Tables the session's role does not own (directly or by membership): CREATE PUBLICATION ... FOR TABLE needs it. */
export const TABLES_NOT_OWNED = `
SELECT n.nspname, c.relname, pg_catalog.pg_get_userbyid(c.relowner) AS owner
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND c.relpersistence = 'p' AND ${USER_SCHEMA_FILTER('n')}
  AND NOT pg_catalog.pg_has_role(c.relowner, 'USAGE')
ORDER BY 1, 2`;
