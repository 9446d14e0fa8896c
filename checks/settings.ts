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
  // Fail closed: a query that row-level security would filter raises an error instead of returning fewer rows
  // (pg_dump does the same). Which tables RLS hides from the role is also read up front (read/content.ts).
  row_security: 'off',
};

/** For source sessions: every transaction read-only, even statements outside the snapshot transactions. */
export const READ_ONLY: Record<string, string> = { default_transaction_read_only: 'on' };

/**
 * Bounds on every server-side wait of one session, from the run's deadline: statement_timeout (no statement outlives
 * the run), lock_timeout (a lock held by someone else fails that object instead of waiting), TCP keepalives from the
 * server's side (a client that vanished is noticed within about two minutes), and for source sessions
 * idle_in_transaction_session_timeout (a validator that stops answering cannot hold its snapshot open past the
 * deadline; the source's vacuum is held back meanwhile).
 */
export function sessionLimits(deadlineMs: number, side: 'source' | 'target'): Record<string, string> {
  const ms = String(Math.max(1, Math.round(deadlineMs)));
  return {
    statement_timeout: ms,
    lock_timeout: String(Math.min(LOCK_TIMEOUT_MS, Math.max(1, Math.round(deadlineMs)))),
    tcp_keepalives_idle: '60',
    tcp_keepalives_interval: '10',
    tcp_keepalives_count: '6',
    ...(side === 'source' ? { idle_in_transaction_session_timeout: ms } : {}),
  };
}

/** How long a read waits for a lock somebody else holds before that object fails (not the whole run). */
export const LOCK_TIMEOUT_MS = 30_000;
