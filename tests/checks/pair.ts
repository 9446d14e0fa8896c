// The per-check tests' servers and runner. One PostgreSQL 13.21 (source) and one 16.9 (target), TLS verify-full
// against a CA of the run's own, started on first use and shared by every per-check test file of the mocha run
// (stopped by a root after hook); each test makes its own databases on them. A check runs through the same runner
// and with the same sessions as in `validate` / `postcheck` (checks/check.ts): pinned settings, a read-only source,
// snapshot pools, the target's autocommit session as `admin`.
import * as crypto from 'crypto';
import type { Client } from 'pg';
import { CheckOptions, DatabaseCheck, runDatabaseChecks, runServerChecks, ServerCheck } from '../../checks/check';
import type { TableComparison } from '../../checks/read/content';
import type { CheckResult } from '../../checks/report';
import { serverFacts } from '../../checks/session';
import { PINNED_SETTINGS, READ_ONLY } from '../../checks/settings';
import { connect, ConnectionTarget, resolveTarget, withDatabase } from '../../lib/pg/connection';
import { LocalServer, makeTlsFixture, startServer, TlsFixture, verifyFull } from '../helpers/servers';

export interface Pair {
  tls: TlsFixture;
  s13: LocalServer;
  s16: LocalServer;
  /** Creates database `name` on both servers (dropped first if it exists) and runs the statements on each side. */
  databases(
    name: string,
    source: string[],
    target: string[],
  ): Promise<{ source: ConnectionTarget; target: ConnectionTarget }>;
  /**
   * Creates database `name` on one side as a copy of `template` (CREATE DATABASE ... TEMPLATE: a file copy, much
   * faster than seeding again) and runs the statements in it. Returns the connection target of the copy.
   */
  copy(side: 'source' | 'target', template: string, name: string, statements?: string[]): Promise<ConnectionTarget>;
  /**
   * A LOGIN role that is neither superuser nor BYPASSRLS on both servers (as RDS's master user is not), created on
   * first use with the pair's password; returns `t` connecting as it.
   */
  asValidator(t: ConnectionTarget): Promise<ConnectionTarget>;
  /** Runs statements in a database, autocommit, one by one. */
  exec(t: ConnectionTarget, ...statements: string[]): Promise<void>;
  /** The first column of the first row. */
  value(t: ConnectionTarget, sql: string): Promise<string>;
}

let shared: Promise<Pair> | undefined;

/** The pair's non-superuser validating role (asValidator). */
export const VALIDATOR = 'tj_validator';

async function start(): Promise<Pair> {
  const tls = makeTlsFixture();
  // autovacuum off: statistics appear only when a test (or --analyze) makes them. One password for both, as a clone
  // restored from the source's snapshot has (the rollback report's command passes one PGPASSWORD).
  const extra = { settings: { autovacuum: 'off' }, password: crypto.randomBytes(12).toString('hex') };
  const [s13, s16] = await Promise.all([startServer(13, tls, extra), startServer(16, tls, extra)]);
  const admin = (s: LocalServer, db: string): ConnectionTarget =>
    resolveTarget(s.url(db, verifyFull(tls)), { env: {} });
  const exec = async (t: ConnectionTarget, ...statements: string[]): Promise<void> => {
    const c = await connect(t);
    try {
      for (const s of statements) await c.query(s);
    } finally {
      await c.end();
    }
  };
  const value = async (t: ConnectionTarget, sql: string): Promise<string> => {
    const c = await connect(t);
    try {
      const r = await c.query({ text: sql, rowMode: 'array' });
      return String(r.rows[0][0]);
    } finally {
      await c.end();
    }
  };
  let validatorReady: Promise<void> | undefined;
  return {
    tls,
    s13,
    s16,
    exec,
    value,
    async copy(side, template, name, statements = []) {
      const s = side === 'source' ? s13 : s16;
      await exec(
        admin(s, 'postgres'),
        `DROP DATABASE IF EXISTS "${name}"`,
        `CREATE DATABASE "${name}" TEMPLATE "${template}"`,
      );
      const t = withDatabase(admin(s, 'postgres'), name);
      if (statements.length) await exec(t, ...statements);
      return t;
    },
    async asValidator(t) {
      validatorReady ??= (async () => {
        for (const s of [s13, s16])
          await exec(
            admin(s, 'postgres'),
            `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${VALIDATOR}') THEN CREATE ROLE ${VALIDATOR} LOGIN NOSUPERUSER NOBYPASSRLS; END IF; END $$`,
            `ALTER ROLE ${VALIDATOR} PASSWORD '${extra.password}'`,
          );
      })();
      await validatorReady;
      return resolveTarget(
        `postgresql://${VALIDATOR}:${extra.password}@localhost:${t.port}/${encodeURIComponent(t.database)}?sslmode=verify-full&sslrootcert=${encodeURIComponent(tls.ca.certFile)}`,
        { env: {} },
      );
    },
    async databases(name, source, target) {
      const out = { source: admin(s13, name), target: admin(s16, name) };
      for (const [s, sql] of [
        [s13, source],
        [s16, target],
      ] as const) {
        await exec(admin(s, 'postgres'), `DROP DATABASE IF EXISTS "${name}"`, `CREATE DATABASE "${name}"`);
        await exec(withDatabase(admin(s, 'postgres'), name), ...sql);
      }
      return out;
    },
  };
}

/** The shared pair (started on the first call). */
export function pair(): Promise<Pair> {
  shared ??= start();
  return shared;
}

after(async () => {
  if (!shared) return;
  const p = await shared;
  await Promise.all([p.s13.stop(), p.s16.stop()]);
  p.tls.cleanup();
});

export interface CheckRun {
  results: CheckResult[];
  writes: string[];
  notices: string[];
  progress: string[];
  tables: TableComparison[];
}

const OPTIONS: CheckOptions = { expectVersion: '16.9' };

/** Runs database checks on one database pair (or the target alone: `source` undefined) as the commands do. */
export async function runChecks(
  checks: DatabaseCheck[],
  dbs: { source?: ConnectionTarget; target: ConnectionTarget },
  options: Partial<CheckOptions> = {},
  jobs = 2,
): Promise<CheckRun> {
  const admin = await connect(dbs.target, { settings: PINNED_SETTINGS });
  const out: CheckRun = { results: [], writes: [], notices: [], progress: [], tables: [] };
  try {
    const run = await runDatabaseChecks(
      checks,
      {
        label: dbs.target.database,
        admin,
        options: { ...OPTIONS, ...options },
        writes: out.writes,
        notices: out.notices,
        progress: (m) => out.progress.push(m),
      },
      dbs.source
        ? { source: { target: dbs.source, settings: READ_ONLY }, target: { target: dbs.target }, jobs }
        : undefined,
    );
    out.results = run.results;
    out.tables = run.tables;
  } finally {
    await admin.end();
  }
  return out;
}

/** Runs server checks on the main sessions of source (optional) and target, as the commands do. */
export async function runServer(
  checks: ServerCheck[],
  dbs: { source?: ConnectionTarget; target: ConnectionTarget },
  options: Partial<CheckOptions> = {},
): Promise<CheckResult[]> {
  const clients: Client[] = [];
  try {
    const side = async (s: 'source' | 'target', t: ConnectionTarget) => {
      const client = await connect(t, {
        settings: s === 'source' ? { ...PINNED_SETTINGS, ...READ_ONLY } : PINNED_SETTINGS,
      });
      clients.push(client);
      return { side: s, client, connection: t, facts: await serverFacts(client) };
    };
    return await runServerChecks(checks, {
      source: dbs.source ? await side('source', dbs.source) : undefined,
      target: await side('target', dbs.target),
      options: { ...OPTIONS, ...options },
    });
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
}

/** The result called `name` (there must be exactly one). */
export function result(results: CheckResult[], name: string): CheckResult {
  const found = results.filter((r) => r.name === name);
  if (found.length !== 1)
    throw new Error(`expected one result "${name}", got ${found.length}: ${results.map((r) => r.name).join(', ')}`);
  return found[0];
}
