// Session settings shared by the checks.

/**
 * Settings that change the text form of a row. Pinned identically on both sides before any row is hashed.
 * search_path = pg_catalog makes regclass/regtype and constraint/index definitions print schema-qualified names.
 */
export const PINNED_SETTINGS: Record<string, string> = {
  TimeZone: 'UTC',
  DateStyle: 'ISO, MDY',
  IntervalStyle: 'postgres',
  extra_float_digits: '3',
  bytea_output: 'hex',
  lc_monetary: 'C',
  search_path: 'pg_catalog',
};

/** For source sessions: every transaction read-only, even statements outside the snapshot transactions. */
export const READ_ONLY: Record<string, string> = { default_transaction_read_only: 'on' };
