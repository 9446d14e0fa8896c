// Which installed extensions stop, complicate or follow up an upgrade to PostgreSQL 16.9. Pure functions over the
// rows of pg_extension; the version table is the default_version of every contrib extension shipped with 16.9
// (read from the 16.9 control files).

export interface InstalledExtension {
  name: string;
  installed: string;
  /** default_version on the source server (null when the source no longer has the control file). */
  available: string | null;
}

/** default_version of the contrib extensions shipped with PostgreSQL 16.9. */
export const PG16_9_DEFAULT_VERSIONS: Record<string, string> = {
  adminpack: '2.1',
  amcheck: '1.3',
  autoinc: '1.0',
  bloom: '1.0',
  bool_plperl: '1.0',
  bool_plperlu: '1.0',
  btree_gin: '1.3',
  btree_gist: '1.7',
  citext: '1.6',
  cube: '1.5',
  dblink: '1.2',
  dict_int: '1.0',
  dict_xsyn: '1.0',
  earthdistance: '1.2',
  file_fdw: '1.0',
  fuzzystrmatch: '1.2',
  hstore: '1.8',
  hstore_plperl: '1.0',
  hstore_plperlu: '1.0',
  hstore_plpython3u: '1.0',
  insert_username: '1.0',
  intagg: '1.1',
  intarray: '1.5',
  isn: '1.2',
  jsonb_plperl: '1.0',
  jsonb_plperlu: '1.0',
  jsonb_plpython3u: '1.0',
  lo: '1.1',
  ltree: '1.2',
  ltree_plpython3u: '1.0',
  moddatetime: '1.0',
  old_snapshot: '1.0',
  pageinspect: '1.12',
  pg_buffercache: '1.4',
  pg_freespacemap: '1.2',
  pg_prewarm: '1.2',
  pg_stat_statements: '1.10',
  pg_surgery: '1.0',
  pg_trgm: '1.6',
  pg_visibility: '1.2',
  pg_walinspect: '1.1',
  pgcrypto: '1.3',
  pgrowlocks: '1.2',
  pgstattuple: '1.5',
  plperl: '1.0',
  plperlu: '1.0',
  plpgsql: '1.0',
  plpython3u: '1.0',
  pltcl: '1.0',
  pltclu: '1.0',
  postgres_fdw: '1.1',
  refint: '1.0',
  seg: '1.4',
  sslinfo: '1.2',
  tablefunc: '1.0',
  tcn: '1.0',
  tsm_system_rows: '1.0',
  tsm_system_time: '1.0',
  unaccent: '1.1',
  'uuid-ossp': '1.1',
  xml2: '1.1',
};

/** Extensions that cannot exist on PostgreSQL 16 (removed from PostgreSQL or unsupported by RDS). */
export const UNSUPPORTED: Record<string, string> = {
  tsearch2: 'removed in PostgreSQL 10; use the built-in text search',
  chkpass: 'removed in PostgreSQL 11; store password hashes in a text column (pgcrypto crypt())',
  plpythonu: 'Python 2 was removed in PostgreSQL 15; port the functions to plpython3u',
  plpython2u: 'Python 2 was removed in PostgreSQL 15; port the functions to plpython3u',
  hstore_plpythonu: 'Python 2 transform removed in PostgreSQL 15; use hstore_plpython3u',
  hstore_plpython2u: 'Python 2 transform removed in PostgreSQL 15; use hstore_plpython3u',
  jsonb_plpythonu: 'Python 2 transform removed in PostgreSQL 15; use jsonb_plpython3u',
  jsonb_plpython2u: 'Python 2 transform removed in PostgreSQL 15; use jsonb_plpython3u',
  ltree_plpythonu: 'Python 2 transform removed in PostgreSQL 15; use ltree_plpython3u',
  ltree_plpython2u: 'Python 2 transform removed in PostgreSQL 15; use ltree_plpython3u',
};

export const POSTGIS_FAMILY = new Set([
  'postgis',
  'postgis_raster',
  'postgis_topology',
  'postgis_sfcgal',
  'postgis_tiger_geocoder',
  'address_standardizer',
  'address_standardizer_data_us',
]);

export interface ExtensionFindings {
  unsupported: string[];
  /** PostGIS-family extensions not at the newest version the source offers: update before upgrading. */
  postgisOutdated: string[];
  /** PostGIS-family extensions already current on the source (still need postgis_extensions_upgrade() after). */
  postgisCurrent: string[];
  pgRepack: string[];
  /** Will need ALTER EXTENSION ... UPDATE after the upgrade (or availability to be confirmed on 16.9). */
  updateAfter: string[];
}

/** Classifies installed extensions; objects are prefixed with `database: `. */
export function classifyExtensions(database: string, rows: InstalledExtension[]): ExtensionFindings {
  const f: ExtensionFindings = {
    unsupported: [],
    postgisOutdated: [],
    postgisCurrent: [],
    pgRepack: [],
    updateAfter: [],
  };
  for (const e of rows) {
    const at = `${database}: ${e.name} ${e.installed}`;
    if (UNSUPPORTED[e.name]) {
      f.unsupported.push(`${at} (${UNSUPPORTED[e.name]})`);
    } else if (POSTGIS_FAMILY.has(e.name)) {
      if (e.available && e.available !== e.installed) f.postgisOutdated.push(`${at} (source offers ${e.available})`);
      else f.postgisCurrent.push(at);
    } else if (e.name === 'pg_repack') {
      f.pgRepack.push(at);
    } else {
      const target = PG16_9_DEFAULT_VERSIONS[e.name];
      if (target === undefined)
        f.updateAfter.push(
          `${at} (not in PostgreSQL contrib: confirm RDS 16.9 offers it, then ALTER EXTENSION "${e.name}" UPDATE)`,
        );
      else if (target !== e.installed)
        f.updateAfter.push(`${at} -> ${target} (ALTER EXTENSION "${e.name}" UPDATE after the upgrade)`);
    }
  }
  return f;
}
