// precheck's schema-restore checks and what it cannot check, on a real PostgreSQL 13.21 (its own, so that the
// cluster holds only what these tests put there) and the shared 16.9 (tests/checks/pair.ts) as the restore target:
// - "objects using what 16 removed": views, CHECK constraints, defaults, index expressions and policies using the
//   factorial operators, numeric_fac, the geometric @, datlastsysoid, found from the catalog; function bodies
//   naming pg_stop_backup or using ! are warnings (a restore does not check bodies). The list itself is compared
//   with the real 13.21 and 16.9 catalogs.
// - "schema restore on 16.9": pg_dump --schema-only replayed into 16.9 (what rehearse passes) fails on the same
//   database, with psql's error; without a 16.9 server the result says it did not run and which check stood in.
// - "unlogged tables": each named (a restored snapshot has them empty).
// - "databases checked": a database the role may not CONNECT to fails (exit 1) with what is unknown there.
import { strict as assert } from 'assert';
import { runPrecheck } from '../../../checks/precheck';
import { PRECHECK_CHECKS } from '../../../checks/precheck/list';
import { REMOVED_IN_16 } from '../../../checks/precheck/sql';
import type { CheckResult } from '../../../checks/report';
import { ConnectionTarget, resolveTarget, withDatabase } from '../../../lib/pg/connection';
import { replaySchema } from '../../../lib/pg/copy';
import { LocalServer, startServer, verifyFull } from '../../helpers/servers';
import { pair } from '../pair';

const REMOVED_USES = [
  'CREATE VIEW v_fac AS SELECT 5 ! AS f, !! 4 AS g',
  'CREATE VIEW v_sys AS SELECT datname, datlastsysoid FROM pg_database',
  `CREATE VIEW v_geo AS SELECT box '((0,0),(1,1))' @ box '((0,0),(2,2))' AS inside`,
  'CREATE TABLE t_chk (n int CHECK (numeric_fac(n) < 1000), d numeric DEFAULT numeric_fac(3))',
  'CREATE INDEX t_idx ON t_chk ((numeric_fac(n)))',
  'CREATE TABLE t_pol (b box)',
  'ALTER TABLE t_pol ENABLE ROW LEVEL SECURITY',
  `CREATE POLICY p ON t_pol USING (b @ box '((0,0),(9,9))')`,
  'CREATE FUNCTION f_backup() RETURNS void LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_stop_backup(); END $$',
  'CREATE FUNCTION f_sql(int) RETURNS numeric LANGUAGE sql AS $$ SELECT $1 ! $$',
];

function byName(checks: CheckResult[], name: string): CheckResult {
  const c = checks.find((x) => x.name === name);
  assert.ok(c, `no check ${name}`);
  return c;
}

describe('precheck: schema-restore blockers, unlogged tables, databases it could not enter', () => {
  let s13: LocalServer;
  let admin: ConnectionTarget;

  before(async () => {
    const p = await pair();
    s13 = await startServer(13, p.tls, { password: p.s16.password });
    admin = resolveTarget(s13.url('postgres', verifyFull(p.tls)), { env: {} });
    await p.exec(admin, 'CREATE DATABASE pre_removed', 'CREATE DATABASE pre_ok', 'CREATE DATABASE pre_locked');
    await p.exec(withDatabase(admin, 'pre_removed'), ...REMOVED_USES);
    await p.exec(
      withDatabase(admin, 'pre_ok'),
      'CREATE TABLE kept (id int PRIMARY KEY)',
      'CREATE UNLOGGED TABLE "session cache" (k text)',
      `INSERT INTO "session cache" SELECT 'k' || i FROM generate_series(1, 10) i`,
      'ANALYZE "session cache"',
    );
    await p.exec(
      admin,
      'REVOKE CONNECT ON DATABASE pre_locked FROM PUBLIC',
      `CREATE ROLE pre_checker LOGIN PASSWORD '${p.s16.password}'`,
    );
  });
  after(async () => {
    await s13?.stop();
  });

  it('the list of what 16 removed is exactly what 13.21 has and 16.9 lacks, less what a restore re-resolves', async () => {
    const p = await pair();
    const t16 = resolveTarget(p.s16.url('postgres', verifyFull(p.tls)), { env: {} });
    const read = async (t: ConnectionTarget): Promise<{ f: string[]; o: string[]; c: string[] }> =>
      JSON.parse(
        await p.value(
          t,
          `SELECT json_build_object(
             'f', ARRAY(SELECT replace(p.oid::regprocedure::text, ' ', '') FROM pg_proc p WHERE p.pronamespace = 'pg_catalog'::regnamespace),
             'o', ARRAY(SELECT replace(o.oid::regoperator::text, ' ', '') FROM pg_operator o WHERE o.oprnamespace = 'pg_catalog'::regnamespace),
             'c', ARRAY(SELECT c.relname || '.' || a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                        WHERE c.relnamespace = 'pg_catalog'::regnamespace AND c.relkind IN ('r', 'v') AND a.attnum > 0 AND NOT a.attisdropped))::text`,
        ),
      );
    const [on13, on16] = [await read(admin), await read(t16)];
    const gone = (k: 'f' | 'o' | 'c'): string[] => on13[k].filter((x) => !on16[k].includes(x)).sort();
    // What a restore re-resolves by itself, or what has a check of its own (see REMOVED_IN_16).
    const reresolved = (x: string): boolean =>
      /anyarray|anyelement/.test(x) ||
      /^binary_upgrade_/.test(x) ||
      /\(integer,integer,cstring,internal,integer\)$/.test(x) ||
      // a defaulted argument added (14), VARIADIC text[] instead of text (15), printed qualified as a keyword on 16
      /^(pg_terminate_backend|pg_create_logical_replication_slot|pg_get_publication_tables|json_object)\(/.test(x);
    assert.deepEqual(
      gone('f').filter((x) => !reresolved(x)),
      [...REMOVED_IN_16.functions].sort(),
    );
    assert.deepEqual(
      gone('o').filter((x) => !reresolved(x)),
      [...REMOVED_IN_16.operators].sort(),
    );
    assert.deepEqual(gone('c'), REMOVED_IN_16.columns.map(([t, c]) => `${t}.${c}`).sort());
  });

  it('as a superuser with a 16.9 server to restore into: names every use of what 16 removed, the failed restore and the unlogged table', async () => {
    const p = await pair();
    const t16 = resolveTarget(p.s16.url('postgres', verifyFull(p.tls)), { env: {} });
    const replayed: string[] = [];
    const r = await runPrecheck({
      source: admin,
      env: {},
      replay: (database) => {
        replayed.push(database);
        return replaySchema({ source: admin, target: t16, database });
      },
    });
    assert.deepEqual(
      r.checks.map((c) => c.name),
      PRECHECK_CHECKS.map((c) => c.name),
    );
    const removed = byName(r.checks, 'objects using what 16 removed');
    assert.equal(removed.status, 'fail');
    assert.deepEqual(removed.objects, [
      'pre_removed: constraint t_chk_n_check on table t_chk uses function numeric_fac(bigint)',
      'pre_removed: default value for column d of table t_chk uses function numeric_fac(bigint)',
      'pre_removed: index t_idx uses function numeric_fac(bigint)',
      'pre_removed: policy p on table t_pol uses operator @(box,box)',
      'pre_removed: view v_fac uses function numeric_fac(bigint)',
      'pre_removed: view v_fac uses operator !!(NONE,bigint)',
      'pre_removed: view v_fac uses operator !(bigint,NONE)',
      'pre_removed: view v_geo uses operator @(box,box)',
      'pre_removed: view v_sys uses column pg_catalog.pg_database.datlastsysoid',
      'pre_removed: function public.f_backup() (plpgsql) mentions pg_stop_backup',
      'pre_removed: function public.f_sql(integer) (sql) mentions the factorial operator (! or !!)',
    ]);
    assert.match(removed.detail, /not by a restore: `tj-pg-upgrade rehearse` replays pg_dump --schema-only into 16\.9/);
    const restore = byName(r.checks, 'schema restore on 16.9');
    assert.equal(restore.status, 'fail');
    assert.deepEqual(replayed.sort(), ['postgres', 'pre_locked', 'pre_ok', 'pre_removed', 'template1']);
    assert.match(restore.objects[0], /^pre_removed: psql restore into .* failed \(exit 3\): .*ERROR: /);
    assert.ok(restore.objects.includes('pre_ok: restored'), restore.objects.join('\n'));
    const unlogged = byName(r.checks, 'unlogged tables');
    assert.equal(unlogged.status, 'warn');
    assert.deepEqual(unlogged.objects, ['pre_ok: table public.session cache (about 10 rows)']);
    assert.match(unlogged.detail, /starts with them EMPTY/);
    assert.equal(byName(r.checks, 'databases checked').status, 'pass');
    // The replay leaves no scratch database behind.
    assert.equal(await p.value(t16, `SELECT count(*) FROM pg_database WHERE datname LIKE 'tj_replay_%'`), '0');
  });

  it('as a role that may not CONNECT to a database: that database fails, exit 1, with what is unknown there', async () => {
    const r = await runPrecheck({
      source: resolveTarget(admin.display.replace('postgres@', 'pre_checker@'), {
        env: { PGPASSWORD: admin.password },
      }),
      env: {},
    });
    const dbs = byName(r.checks, 'databases checked');
    assert.equal(dbs.status, 'fail');
    assert.match(
      dbs.detail,
      /1 could not be checked, so their blockers are unknown: connect as a role allowed into every database/,
    );
    const line = dbs.objects.find((o) => o.startsWith('NOT CHECKED: pre_locked'));
    assert.ok(line, dbs.objects.join('\n'));
    assert.match(line, /permission denied for database "?pre_locked"?.*; unknown there: reg\* data types, /);
    assert.equal(r.exitCode, 1);
    assert.match(
      byName(r.checks, 'schema restore on 16.9').detail,
      /^not run: precheck alone has no 16\.9 server to restore into, so "objects using what 16 removed" was checked from the catalog instead/,
    );
  });
});
