// `tj-pg-upgrade rehearse`: ToolJet's PostgreSQL 13 -> 16.9 runbook, end to end, on this machine.
//
//   source    a local PostgreSQL 13.21 seeded with the ToolJet fixture, or the user's --source (read only)
//   precheck  pg_upgrade/RDS blockers stop the rehearsal (exit 1) with the report
//   clone     a consistent copy on a local PostgreSQL 16.9 with TLS (a CA generated for the run stands in for the
//             RDS bundle): logical replication from the local source, dump/restore from a --source
//             (why: docs/rehearsal.md "Copy method, and why")
//   cutover   (replication) writes stopped -> clone caught up -> subscriptions dropped -> sequences set
//   validate  `validate --analyze` on the ToolJet database and the ToolJet Database; cutover + validate = downtime
//   configs   the four targets (Docker, ECS, EKS, AMI) rendered for the clone under --out
//   tooljet   connections made exactly as ToolJet makes them, from the rendered Docker .env
//   rollback  every target rendered again for the source (activeDatabase: source) and compared setting by setting
//   results   results.md (ToolJet's "PostgreSQL 16.9 Upgrade Test Results") and results.json
//
// Servers and temporary files are removed at the end unless --keep, and on an interrupt (the caller aborts `signal`).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runPrecheck } from '../../checks/precheck';
import { check, CheckResult, summarize } from '../../checks/report';
import { configChecks } from './config-checks';
import { DEFAULT_SIZE_MB } from './defaults';
import { fmt, Phases } from './phases';
import { READ_ONLY } from '../../checks/settings';
import { runValidate } from '../../checks/validate';
import {
  connect,
  ConnectionConfigError,
  ConnectionError,
  ConnectionTarget,
  resolveTarget,
  withDatabase,
} from '../../lib/pg/connection';
import { copyDatabase, replaySchema, requireClientTool } from '../../lib/pg/copy';
import { copyRoles, ensureLoginRole, RoleCopy } from '../../lib/pg/roles';
import { LocalServer } from '../../lib/pg/local-server';
import { TARGET_KINDS } from '../../targets';
import type { DatabaseTarget } from '../../targets/shared/render';
import { renderTargetConfigs, RenderedFile, RunSecrets, writeConfigs } from './configs';
import { checkOutDir, OutDirState, prepareOutDir, RehearsalUsageError } from './outdir';
import { detachReplication, Replication, startReplication, syncSequences, waitForInitialSync } from './replication';
import * as replicate from '../../lib/replication/run';
import { runRollbackReport } from '../../checks/rollback';
import { PhaseName, PhaseReport, RehearsalReport } from './report';
import { renderResultsMarkdown } from './results';
import { compareRenderings } from './rollback';
import {
  CLONE_SETTINGS,
  fileForServer,
  FIXTURE,
  localTarget,
  makeRunTls,
  RunTls,
  seedFixture,
  SOURCE_SETTINGS,
  startRunServer,
} from './servers';
import { containerEnv, toolJetConnectionChecks } from './tooljet-connection';
import { generateSecret, RehearsalInterrupted, sleep, throwIfAborted, Workspace } from './workspace';
import { TrafficWriter, waitForMarkers, WriterStats } from './writer';

export { DEFAULT_SIZE_MB };
export const MAX_SIZE_MB = 100_000;
export const EXPECTED_VERSION = '16.9';
/** Minimum time the simulated ToolJet writes run before the cutover (they start when the clone subscribes). */
export const MIN_WRITE_SECONDS = 1;

export interface RehearseOptions {
  /** The user's PostgreSQL 13 (libpq URL or keyword string; PG* in `env` fill gaps). Without it: the local fixture. */
  source?: string;
  /** Size of the generated fixture in MB (not with `source`). */
  sizeMb?: number;
  /** Where the configuration and results go. */
  out: string;
  /** Leave the servers running and every file in place. */
  keep?: boolean;
  /** The ToolJet Database on the --source server (default: tooljet_db when it exists there). */
  tooljetDb?: string;
  insecure?: boolean;
  env?: NodeJS.ProcessEnv;
  /**
   * replication: rehearse strategy replication with tj-pg-upgrade replicate's own steps (fixture only): setup,
   * writes, catch-up, finish, validate, reverse, writes on 16.9, catch-up/finish reverse, rollback-report, teardown.
   */
  strategy?: 'clone' | 'replication';
  /** Aborting it (reason: the signal name) interrupts the rehearsal and cleans up. */
  signal?: AbortSignal;
  /** A line at the start and end of every phase, with the elapsed time. */
  onPhase?: (line: string) => void;
  /** Finer progress inside phases. */
  onProgress?: (line: string) => void;
}

const PG_NAME = /^[A-Za-z_][A-Za-z0-9_$.-]{0,62}$/;

/** Checks the options that need no connection; throws RehearsalUsageError / ConnectionConfigError (exit 2). */
export function checkRehearseOptions(o: RehearseOptions): { out: OutDirState; source?: ConnectionTarget } {
  if (o.source !== undefined && o.sizeMb !== undefined) {
    throw new RehearsalUsageError('--size-mb sizes the generated fixture and cannot be combined with --source');
  }
  if (o.strategy === 'replication' && o.source !== undefined) {
    throw new RehearsalUsageError(
      '--strategy replication rehearses on the local fixture only: it creates publications, subscriptions and slots, and the rehearsal never changes your --source',
    );
  }
  if (o.source === undefined && o.tooljetDb !== undefined) {
    throw new RehearsalUsageError(
      '--tooljet-db names the ToolJet Database on your --source; the fixture brings its own (tooljet_db)',
    );
  }
  if (o.sizeMb !== undefined && !(Number.isFinite(o.sizeMb) && o.sizeMb > 0 && o.sizeMb <= MAX_SIZE_MB)) {
    throw new RehearsalUsageError(
      `--size-mb must be a number of MB above 0 and at most ${MAX_SIZE_MB}, got ${o.sizeMb}`,
    );
  }
  if (o.tooljetDb !== undefined && !PG_NAME.test(o.tooljetDb)) {
    throw new RehearsalUsageError(`--tooljet-db must be a plain database name, got ${JSON.stringify(o.tooljetDb)}`);
  }
  if (o.source !== undefined && !o.source.trim()) throw new RehearsalUsageError('--source needs a connection string');
  const out = checkOutDir(o.out);
  const source =
    o.source !== undefined
      ? resolveTarget(o.source, {
          env: o.env ?? process.env,
          insecure: o.insecure,
          applicationName: 'tj-pg-upgrade rehearse',
          name: '--source',
        })
      : undefined;
  if (source && source.database === o.tooljetDb)
    throw new RehearsalUsageError(`--tooljet-db must differ from the --source database (${source.database})`);
  return { out, source };
}

const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

function toolVersion(tool: 'pg_dump' | 'psql'): string {
  try {
    return requireClientTool(tool);
  } catch (err) {
    throw new RehearsalUsageError((err as Error).message);
  }
}

function postgresUser(): string {
  if (process.getuid?.() === 0) return `${process.env.TJ_PG_RUN_AS || 'nobody'} (this process is root)`;
  try {
    return os.userInfo().username;
  } catch {
    return String(process.getuid?.() ?? '?');
  }
}

/** Runs the rehearsal. Rejects only for usage/connection problems found before anything was rehearsed (exit 2). */
export async function runRehearsal(opts: RehearseOptions): Promise<RehearsalReport> {
  const t0 = Date.now();
  const env = opts.env ?? process.env;
  const keep = !!opts.keep;
  const signal = opts.signal;
  const { out, source: userSource } = checkRehearseOptions(opts);
  const environment = {
    node: process.version,
    pgDump: toolVersion('pg_dump'),
    psql: toolVersion('psql'),
    postgresRunsAs: postgresUser(),
    platform: `${process.platform} ${process.arch}`,
  };
  throwIfAborted(signal);

  const replicationStrategy = opts.strategy === 'replication';
  // strategy replication: the 16.9 server publishes too (reverse replication after the cutover).
  const cloneSettings = replicationStrategy
    ? { ...CLONE_SETTINGS, wal_level: 'logical', max_wal_senders: '40', synchronous_commit: 'on' }
    : CLONE_SETTINGS;
  const ws = Workspace.create(keep);
  if (userSource?.password) ws.secret(userSource.password);
  const phases = new Phases(t0, ws, signal, opts.onPhase, opts.onProgress);
  const progress = (m: string): void => phases.progress(m);
  const report: RehearsalReport = {
    command: 'rehearse',
    ok: false,
    exitCode: 1,
    recommendation: 'Needs fixes',
    startedAt: new Date(t0).toISOString(),
    seconds: 0,
    environment,
    source: userSource
      ? { kind: 'url', display: userSource.display, endpoint: userSource.endpoint, databases: [] }
      : {
          kind: 'fixture',
          display: '',
          endpoint: '',
          databases: [FIXTURE.database, FIXTURE.tooljetDatabase],
          tooljetDatabase: FIXTURE.tooljetDatabase,
        },
    clone: {
      tls: 'TLS only (hostssl); server certificate from a CA generated for this run, which stands in for the RDS CA bundle; every client verifies it (verify-full)',
    },
    method: userSource
      ? {
          name: 'dump/restore',
          why: 'your --source is only read: pg_dump 15 takes one consistent snapshot per database and psql restores it in one transaction. Logical replication would need wal_level=logical (rds.logical_replication=1 and a reboot on RDS), a publication and a replication slot on your server, which the rehearsal does not create.',
        }
      : {
          name: 'logical replication',
          why: 'the schema is copied with pg_dump --schema-only, then subscriptions copy the rows and stream every later write; this is the low-downtime cutover (writes stop only while the clone catches up and is validated), and it lets the rehearsal measure that downtime.',
        },
    cutover: userSource
      ? {
          measured: false,
          reason:
            'dump/restore of a read-only --source: no replication to cut over. With dump/restore, writes must stop for the whole copy plus validation.',
        }
      : { measured: true },
    tables: [],
    ...(replicationStrategy && { strategy: 'replication' as const }),
    phases: phases.list,
    blockers: [],
    warnings: [],
    failures: [],
    files: [],
    outDir: out.dir,
  };

  // Run state (servers, targets), shared by the phases.
  let tls: RunTls | undefined;
  let srcServer: LocalServer | undefined;
  let clonePromise: Promise<LocalServer> | undefined;
  let cloneServer: LocalServer | undefined;
  let src: ConnectionTarget | undefined; // admin/read target of the source
  let cloneAdmin: ConnectionTarget | undefined;
  let cloneUser: string = FIXTURE.user;
  let roleCopy: RoleCopy | undefined;
  let databases: string[] = [];
  let tooljetDbOnSource: string | undefined;
  let tooljetDbName: string = FIXTURE.tooljetDatabase;
  let replication: Replication | undefined;
  /** strategy replication: the options of tj-pg-upgrade replicate (forward). */
  let repl: replicate.ReplicationOptions | undefined;
  let writer: TrafficWriter | undefined;
  let writesStoppedAt = 0;
  let cloneDb: DatabaseTarget | undefined;
  let configFiles: RenderedFile[] | undefined;
  let outPrepared = false;
  const runSecrets: RunSecrets = {
    dbPassword: ws.secret(generateSecret(16)),
    lockboxMasterKey: ws.secret(generateSecret(32)),
    secretKeyBase: ws.secret(generateSecret(64)),
    pgrstJwtSecret: ws.secret(generateSecret(32)),
  };
  /** The 16.9 clone server and its admin target (started at the beginning for the fixture, here for --source). */
  const ensureClone = async (): Promise<void> => {
    if (cloneServer) return;
    cloneServer = clonePromise
      ? await clonePromise
      : await startRunServer(ws, tls!, 16, FIXTURE.cloneSuperuser, runSecrets.dbPassword, keep, cloneSettings);
    throwIfAborted(signal);
    cloneAdmin = localTarget(cloneServer, FIXTURE.cloneHost, 'postgres', tls!, 'tj-pg-upgrade rehearse');
  };
  const ensureOut = (): void => {
    if (!outPrepared) prepareOutDir(out);
    outPrepared = true;
  };

  // On an interrupt the servers stop at once, so whatever the phase is waiting for fails fast; shutdown() awaits this.
  let abortStop: Promise<unknown> | undefined;
  const onAbort = (): void => {
    abortStop = Promise.all([writer?.stop().catch(() => undefined), ws.stopServers()]);
  };
  signal?.addEventListener('abort', onAbort, { once: true });

  let stop: string | undefined;
  const attempt = async (
    name: PhaseName,
    fn: (checks: CheckResult[]) => Promise<string>,
  ): Promise<PhaseReport | undefined> => {
    if (stop) {
      phases.skip(name, stop);
      return undefined;
    }
    try {
      const rec = await phases.run(name, fn);
      return rec;
    } catch (err) {
      if (err instanceof RehearsalInterrupted) throw err;
      if (
        name === 'source' &&
        (err instanceof ConnectionError || err instanceof ConnectionConfigError || err instanceof RehearsalUsageError)
      )
        throw err;
      stop = `not run: the ${name} phase failed`;
      return undefined;
    }
  };

  /** strategy replication, cutover: writes stopped -> replicate catch-up -> replicate finish (validate follows). */
  const replicationCutover = async (checks: CheckResult[]): Promise<string> => {
    const stats: WriterStats = await writer!.stop();
    writesStoppedAt = Date.now();
    writer = undefined;
    const tx = Object.values(stats.transactions).reduce((a, b) => a + b, 0);
    checks.push(
      check(
        'writes stopped',
        'pass',
        `${tx} transactions (${stats.statements.inserts} inserts, ${stats.statements.updates} updates, ${stats.statements.deletes} deletes) ran on the source while replicating and were stopped, as ToolJet is stopped for the cutover`,
        Object.entries(stats.transactions).map(([db, n]) => `${db}: ${n} transactions`),
      ),
    );
    const c = await replicate.catchUp(repl!, 300);
    const caught = (Date.now() - writesStoppedAt) / 1000;
    // The last row written on the source is on the clone: catch-up's answer checked independently.
    await waitForMarkers(cloneAdmin!, stats.markers, (ms) => sleep(ms, signal));
    checks.push(
      check('replicate catch-up', c.warnings.length ? 'warn' : 'pass', c.lines.join('; '), [
        ...c.warnings,
        ...stats.markers.map((m) => `on the clone: ${m.database}: ${m.table} id ${m.id}`),
      ]),
    );
    const t = Date.now();
    const f = await replicate.finish(repl!);
    const finishSeconds = (Date.now() - t) / 1000;
    const seqs = (f.data.databases as { database: string; sequences: string[] }[]).flatMap((d) =>
      d.sequences.map((x) => `${d.database}: ${x}`),
    );
    checks.push(check('replicate finish', 'pass', f.lines.join('; '), seqs));
    report.cutover = {
      measured: true,
      writes: { transactions: stats.transactions, statements: stats.statements, seconds: stats.seconds },
      caughtUpSeconds: caught,
      detachSeconds: 0,
      sequencesSeconds: finishSeconds,
      finishSeconds,
      sequences: seqs,
    };
    return `caught up in ${fmt(caught)}, finished (sequences, materialized views) in ${fmt(finishSeconds)}; the subscription stays until reverse`;
  };

  /**
   * strategy replication, rollback: replicate reverse -> ToolJet writes on 16.9 -> catch-up and finish reverse ->
   * rollback-report --strategy replication (0 rows only on the clone) -> the new rows are on 13.21 -> teardown.
   */
  const replicationRollback = async (checks: CheckResult[]): Promise<void> => {
    const rev: replicate.ReplicationOptions = {
      ...repl!,
      publisherHost: FIXTURE.cloneHost,
      publisherPort: cloneServer!.port,
      subscriberSslrootcert: fileForServer(srcServer!, 'subscriber-ca.pem', tls!.caPem, 0o644),
      direction: 'reverse',
    };
    let t = Date.now();
    const r = await replicate.reverse(rev, 120);
    const reverseSeconds = (Date.now() - t) / 1000;
    checks.push(check('replicate reverse', 'pass', `in ${fmt(reverseSeconds)}`, r.lines));
    const w = new TrafficWriter(cloneAdmin!, FIXTURE.database, FIXTURE.tooljetDatabase);
    writer = w;
    await w.start();
    await sleep(1000, signal);
    const stats = await w.stop();
    writer = undefined;
    t = Date.now();
    const c = await replicate.catchUp(rev, 120);
    const catchUpSeconds = (Date.now() - t) / 1000;
    await waitForMarkers(src!, stats.markers, (ms) => sleep(ms, signal));
    const tx = Object.values(stats.transactions).reduce((a, b) => a + b, 0);
    checks.push(
      check(
        'writes on 16.9 flow back',
        'pass',
        `${tx} transactions made on 16.9 after the cutover (${stats.statements.inserts} inserts, ${stats.statements.updates} updates, ${stats.statements.deletes} deletes); ${c.lines.join('; ')}; the last row written on 16.9 is on 13.21`,
        stats.markers.map((m) => `on 13.21: ${m.database}: ${m.table} id ${m.id}`),
      ),
    );
    t = Date.now();
    const f = await replicate.finish(rev);
    const finishSeconds = (Date.now() - t) / 1000;
    checks.push(check('replicate finish --direction reverse', 'pass', f.lines.join('; ')));
    const rr = await runRollbackReport({
      source: withDatabase(src!, databases[0]),
      clone: withDatabase(cloneAdmin!, databases[0]),
      tooljetDb: databases[1],
      strategy: 'replication',
      jobs: 2,
      env,
      onProgress: progress,
    });
    checks.push(...rr.checks.map((x) => ({ ...x, name: `rollback-report: ${x.name}` })));
    const td = await replicate.teardown(rev, 'all');
    checks.push(
      check(
        'replicate teardown',
        td.warnings.length ? 'warn' : 'pass',
        `${td.data.removed ? (td.data.removed as string[]).length : 0} object(s) removed`,
        [...td.lines, ...td.warnings],
      ),
    );
    report.reverse = {
      reverseSeconds,
      writes: { transactions: stats.transactions, seconds: stats.seconds },
      catchUpSeconds,
      finishSeconds,
      rowsOnlyOnClone: rr.onlyOnClone,
      teardown: td.lines,
    };
  };

  try {
    // 1. source
    await attempt('source', async (checks) => {
      tls = makeRunTls(ws);
      if (!userSource) {
        const password = runSecrets.dbPassword; // the clone keeps the source's users and passwords, as an RDS snapshot does
        progress(
          `starting PostgreSQL 13.21 (source) and 16.9 (clone) with TLS; PostgreSQL runs as ${environment.postgresRunsAs}`,
        );
        clonePromise = startRunServer(ws, tls, 16, FIXTURE.cloneSuperuser, password, keep, cloneSettings);
        clonePromise.catch(() => undefined);
        srcServer = await startRunServer(ws, tls, 13, FIXTURE.user, password, keep, SOURCE_SETTINGS);
        throwIfAborted(signal);
        src = localTarget(srcServer, FIXTURE.sourceHost, 'postgres', tls, 'tj-pg-upgrade rehearse');
        progress(`seeding the ToolJet fixture (${opts.sizeMb ?? DEFAULT_SIZE_MB} MB)`);
        const seed = await seedFixture(src, opts.sizeMb ?? DEFAULT_SIZE_MB);
        databases = [FIXTURE.database, FIXTURE.tooljetDatabase];
        tooljetDbOnSource = FIXTURE.tooljetDatabase;
        report.source = {
          kind: 'fixture',
          display: withDatabase(src, FIXTURE.database).display,
          version: srcServer.version,
          endpoint: src.endpoint,
          databases,
          tooljetDatabase: tooljetDbOnSource,
          fixture: { sizeMb: seed.sizeMb, counts: seed.counts, rows: seed.rows, seedSeconds: seed.seconds },
        };
        const total = (db: string): number => Object.values(seed.rows[db]).reduce((a, b) => a + b, 0);
        checks.push(
          check(
            'local source',
            'pass',
            `PostgreSQL ${srcServer.version} at ${src.endpoint} (TLS only, certificate from the run's CA), seeded with the ToolJet fixture: ${FIXTURE.database} ${total(FIXTURE.database)} rows in ${Object.keys(seed.rows[FIXTURE.database]).length} tables, ${FIXTURE.tooljetDatabase} ${total(FIXTURE.tooljetDatabase)} rows`,
            databases.flatMap((db) => Object.entries(seed.rows[db]).map(([t, n]) => `${db}: ${t} ${n} rows`)),
          ),
        );
        return `PostgreSQL ${srcServer.version} at ${src.endpoint}, fixture ${seed.sizeMb} MB seeded in ${fmt(seed.seconds)}`;
      }
      src = userSource;
      progress(`connecting to ${src.display} (read only)`);
      const c = await connect(src, { settings: READ_ONLY });
      let version: string;
      let names: string[];
      try {
        version = String((await c.query(`SELECT current_setting('server_version') AS v`)).rows[0].v).split(/\s/)[0];
        names = (
          await c.query(
            `SELECT datname FROM pg_catalog.pg_database WHERE datallowconn AND NOT datistemplate ORDER BY 1`,
          )
        ).rows.map((r) => r.datname);
      } finally {
        await c.end().catch(() => undefined);
      }
      if (opts.tooljetDb !== undefined && !names.includes(opts.tooljetDb)) {
        throw new RehearsalUsageError(
          `--tooljet-db ${opts.tooljetDb} does not exist on ${src.endpoint} (databases: ${names.join(', ')})`,
        );
      }
      tooljetDbOnSource =
        opts.tooljetDb ??
        (src.database !== FIXTURE.tooljetDatabase && names.includes(FIXTURE.tooljetDatabase)
          ? FIXTURE.tooljetDatabase
          : undefined);
      tooljetDbName =
        tooljetDbOnSource ??
        (src.database === FIXTURE.tooljetDatabase ? 'tooljet_db_rehearsal' : FIXTURE.tooljetDatabase);
      databases = [src.database, ...(tooljetDbOnSource ? [tooljetDbOnSource] : [])];
      cloneUser = PG_NAME.test(src.user) ? src.user : FIXTURE.user;
      report.source = {
        kind: 'url',
        display: src.display,
        version,
        endpoint: src.endpoint,
        databases,
        tooljetDatabase: tooljetDbOnSource,
      };
      checks.push(
        check(
          'source',
          'pass',
          `PostgreSQL ${version} at ${src.endpoint}, read-only session (default_transaction_read_only); copying ${databases.join(' and ')}`,
        ),
      );
      if (!tooljetDbOnSource) {
        checks.push(
          check(
            'ToolJet Database on the source',
            'pass',
            `no ToolJet Database (${FIXTURE.tooljetDatabase}) on ${src.endpoint} (give --tooljet-db <name> if it has another name): the clone gets an empty ${tooljetDbName}, created by ToolJet's createdb step`,
          ),
        );
      }
      return `PostgreSQL ${version} at ${src.endpoint} (read only): ${databases.join(', ')}`;
    });

    // 2. precheck, with the exact schema-restore check: the source's roles are created on the 16.9 clone server (as
    // an RDS snapshot keeps them) and each database's pg_dump --schema-only is replayed into a scratch database there.
    await attempt('precheck', async (checks) => {
      await ensureClone();
      progress(`copying the source's roles to the 16.9 server (attributes and memberships; no passwords)`);
      roleCopy = await copyRoles(src!, cloneAdmin!, { [cloneUser]: runSecrets.dbPassword });
      await ensureLoginRole(cloneAdmin!, cloneUser, runSecrets.dbPassword);
      const r = await runPrecheck({
        source: src!,
        env,
        insecure: opts.insecure,
        onProgress: progress,
        replay: (database) => {
          progress(`${database}: replaying pg_dump --schema-only into a scratch database on 16.9`);
          return replaySchema({ source: src!, target: cloneAdmin!, database, env });
        },
      });
      checks.push(...r.checks);
      report.blockers = r.checks
        .filter((c) => c.status === 'fail')
        .map((c) => `${c.name}: ${c.objects.length ? c.objects.join('; ') : c.detail}`);
      const s = summarize(r.checks);
      if (s.fail) stop = 'not run: the precheck found blockers; fix them and rehearse again';
      return s.fail
        ? `${s.fail} blocker(s): ${r.checks
            .filter((c) => c.status === 'fail')
            .map((c) => c.name)
            .join(', ')}`
        : `no blockers in ${r.databases.checked.length} database(s) (${s.warn} warning${s.warn === 1 ? '' : 's'})`;
    });

    // 3. clone: point-in-time copy onto 16.9
    await attempt('clone', async (checks) => {
      await ensureClone();
      const server = cloneServer!;
      const admin = cloneAdmin!;
      report.clone = {
        ...report.clone,
        version: server.version,
        endpoint: admin.endpoint,
        display: withDatabase(admin, databases[0]).display,
      };
      checks.push(
        check(
          'clone server',
          server.version === EXPECTED_VERSION ? 'pass' : 'fail',
          `PostgreSQL ${server.version} at ${admin.endpoint}, TLS only (hostssl), certificate for localhost signed by the run's CA; its bootstrap superuser is ${FIXTURE.cloneSuperuser}, as on RDS; ToolJet's user ${cloneUser} as on the source`,
        ),
      );
      const rc = roleCopy!;
      checks.push(
        check(
          'roles',
          rc.withoutPassword.length ? 'warn' : 'pass',
          `the source's roles are on the clone with their attributes and memberships (${rc.created.length} created, ${rc.existing.length} already there, ${rc.memberships.length} memberships), so the copy keeps every owner and grant${rc.withoutPassword.length ? `; LOGIN roles without a password on the clone (pg_roles does not show passwords; an RDS snapshot keeps them): ${rc.withoutPassword.join(', ')}` : ''}`,
          [
            ...rc.created.map((r) => `created: ${r}`),
            ...rc.existing.map((r) => `already there: ${r}`),
            ...rc.memberships.map((m) => `member: ${m}`),
          ],
        ),
      );
      const started = Date.now();
      if (replicationStrategy) {
        repl = {
          source: withDatabase(src!, databases[0]),
          target: withDatabase(admin, databases[0]),
          databases,
          publisherHost: FIXTURE.sourceHost,
          publisherPort: srcServer!.port,
          // the CA file on the subscriber's own server, as /rdsdbdata/rds-metadata/server-cert.pem is on RDS
          subscriberSslrootcert: fileForServer(server, 'subscriber-ca.pem', tls!.caPem, 0o644),
          replicationPassword: runSecrets.dbPassword,
          onProgress: progress,
        };
        const r = await replicate.setup(repl);
        writer = new TrafficWriter(src!, FIXTURE.database, FIXTURE.tooljetDatabase);
        await writer.start();
        progress('simulated ToolJet writes running on the source; waiting until every table is ready and streaming');
        const syncStarted = Date.now();
        const limit = Math.max(300_000, (opts.sizeMb ?? DEFAULT_SIZE_MB) * 2000);
        let st = await replicate.status(repl);
        while (st.exitCode !== 0) {
          if (Date.now() - syncStarted > limit)
            throw new Error(`initial copy not finished after ${limit / 1000} s: ${st.lines.join('; ')}`);
          await sleep(200, signal);
          st = await replicate.status(repl);
        }
        const syncSeconds = (Date.now() - syncStarted) / 1000;
        const writing = (Date.now() - syncStarted) / 1000;
        if (writing < MIN_WRITE_SECONDS) await sleep((MIN_WRITE_SECONDS - writing) * 1000, signal);
        const dbs = r.data.databases as { database: string; tables: number }[];
        const tables = dbs.reduce((a, d) => a + d.tables, 0);
        report.copy = {
          seconds: (Date.now() - started) / 1000,
          databases: dbs.map((d) => ({ name: d.database, tables: d.tables })),
        };
        checks.push(
          check(
            'replicate setup',
            'pass',
            `tj-pg-upgrade replicate setup: schema copied (owners and grants kept), publication tj_upgrade FOR TABLE on the source, subscription tj_upgrade on the clone over TLS verify-full (CA file on the clone's own server, password in the conninfo, never printed)`,
            r.lines,
          ),
        );
        checks.push(
          check(
            'replicate status',
            'pass',
            `${tables} tables copied and streaming in ${fmt(syncSeconds)} while the source kept taking writes`,
            st.lines,
          ),
        );
        return `strategy replication: ${tables} tables streaming on PostgreSQL ${server.version} at ${admin.endpoint}`;
      }
      if (!userSource) {
        replication = await startReplication({
          source: src!,
          clone: admin,
          cloneServer: server,
          sourceHost: FIXTURE.sourceHost,
          sourcePort: srcServer!.port,
          sourceUser: FIXTURE.user,
          sourcePassword: runSecrets.dbPassword,
          caPem: tls!.caPem,
          databases,
          signal,
          onProgress: progress,
        });
        writer = new TrafficWriter(src!, FIXTURE.database, FIXTURE.tooljetDatabase);
        await writer.start();
        progress('simulated ToolJet writes running on the source; waiting for the initial table copy');
        const syncStarted = Date.now();
        // The initial copy of a big fixture takes a while on a small machine: allow 2 s per MB, at least 5 minutes.
        await waitForInitialSync(
          admin,
          replication,
          signal,
          Math.max(300_000, (opts.sizeMb ?? DEFAULT_SIZE_MB) * 2000),
        );
        const syncSeconds = (Date.now() - syncStarted) / 1000;
        const writing = (Date.now() - syncStarted) / 1000;
        if (writing < MIN_WRITE_SECONDS) await sleep((MIN_WRITE_SECONDS - writing) * 1000, signal);
        const tables = replication.databases.reduce((a, d) => a + d.tables, 0);
        report.copy = {
          seconds: (Date.now() - started) / 1000,
          databases: replication.databases.map((d) => ({ name: d.name, tables: d.tables })),
        };
        checks.push(
          check(
            'schema copy',
            'pass',
            `pg_dump --schema-only | psql --single-transaction for ${databases.join(', ')} in ${fmt(replication.schemaSeconds)}`,
          ),
        );
        checks.push(
          check(
            'logical replication',
            'pass',
            `publication on the source, subscriptions ${replication.databases.map((d) => d.subscription).join(', ')} on the clone connecting over TLS verify-full (run CA, password in a passfile): ${tables} tables copied in ${fmt(syncSeconds)} while the source kept taking writes; the clone now streams every change`,
            replication.databases.map((d) => `${d.name}: ${d.tables} tables, subscription ${d.subscription}`),
          ),
        );
        return `logical replication: ${tables} tables in sync on PostgreSQL ${server.version} at ${admin.endpoint}`;
      }
      const copied: { name: string; bytes: number; seconds: number }[] = [];
      for (const db of databases) {
        throwIfAborted(signal);
        const r = await copyDatabase({
          source: src!,
          target: admin,
          database: db,
          env,
          insecure: opts.insecure,
          onProgress: progress,
        });
        copied.push({ name: db, bytes: r.bytes, seconds: r.seconds });
      }
      report.copy = { seconds: (Date.now() - started) / 1000, databases: copied };
      checks.push(
        check(
          'dump/restore',
          'pass',
          `pg_dump (one snapshot per database, read only) | psql --single-transaction into PostgreSQL ${server.version}: ${copied.map((c) => `${c.name} ${(c.bytes / 1048576).toFixed(1)} MB of SQL in ${fmt(c.seconds)}`).join('; ')}`,
        ),
      );
      return `dump/restore of ${databases.join(', ')} in ${fmt(report.copy.seconds)} onto PostgreSQL ${server.version} at ${admin.endpoint}`;
    });

    // 4. cutover (logical replication only)
    if (userSource) {
      if (stop) phases.skip('cutover', stop);
      else phases.skip('cutover', 'dump/restore: nothing to cut over (see "cutover" in results.md)');
    } else {
      await attempt('cutover', async (checks) => {
        if (replicationStrategy) return replicationCutover(checks);
        const stats: WriterStats = await writer!.stop();
        writesStoppedAt = Date.now();
        writer = undefined;
        const tx = Object.values(stats.transactions).reduce((a, b) => a + b, 0);
        checks.push(
          check(
            'writes stopped',
            'pass',
            `${tx} transactions (${stats.statements.inserts} inserts, ${stats.statements.updates} updates, ${stats.statements.deletes} deletes) ran on the source during the copy and were stopped, as ToolJet would be stopped for the cutover`,
            Object.entries(stats.transactions).map(([db, n]) => `${db}: ${n} transactions`),
          ),
        );
        const caught = await waitForMarkers(cloneAdmin!, stats.markers, (ms) => sleep(ms, signal));
        checks.push(
          check(
            'clone caught up',
            'pass',
            `the last row committed on the source was visible on the clone ${fmt(caught)} after the writes stopped (subscriptions apply in commit order)`,
            stats.markers.map((m) => `${m.database}: ${m.table} id ${m.id}`),
          ),
        );
        let t = Date.now();
        await detachReplication(src!, cloneAdmin!, replication!);
        const detach = (Date.now() - t) / 1000;
        checks.push(
          check(
            'replica detached',
            'pass',
            `subscriptions dropped on the clone (their slots on the source with them) and the publications dropped, in ${fmt(detach)}: the clone stands alone`,
          ),
        );
        t = Date.now();
        const seqs = await syncSequences(src!, cloneAdmin!, databases);
        const seqSeconds = (Date.now() - t) / 1000;
        checks.push(
          check(
            'sequences',
            'pass',
            `${seqs.length} sequence(s) set to the source's values in ${fmt(seqSeconds)} (logical replication does not copy sequences)`,
            seqs,
          ),
        );
        report.cutover = {
          measured: true,
          writes: { transactions: stats.transactions, statements: stats.statements, seconds: stats.seconds },
          caughtUpSeconds: caught,
          detachSeconds: detach,
          sequencesSeconds: seqSeconds,
          sequences: seqs,
        };
        return `caught up in ${fmt(caught)}, detached in ${fmt(detach)}, ${seqs.length} sequences set in ${fmt(seqSeconds)}`;
      });
    }

    // 5. validate
    await attempt('validate', async (checks) => {
      const r = await runValidate({
        source: withDatabase(src!, databases[0]),
        target: withDatabase(cloneAdmin!, databases[0]),
        tooljetDb: tooljetDbOnSource,
        analyze: true,
        expectVersion: EXPECTED_VERSION,
        jobs: 2,
        env,
        insecure: opts.insecure,
        onProgress: progress,
      });
      checks.push(...r.checks);
      for (const d of r.databases) {
        for (const t of d.tables) {
          report.tables.push({
            database: d.source,
            table: t.table,
            sourceRows: t.source?.rows,
            cloneRows: t.target?.rows,
            identical:
              t.source && t.target ? t.source.rows === t.target.rows && t.source.sum === t.target.sum : undefined,
            note: t.skipped,
          });
        }
      }
      if (report.cutover.measured && writesStoppedAt) {
        report.cutover.validateSeconds =
          (Date.now() - writesStoppedAt) / 1000 -
          (report.cutover.caughtUpSeconds ?? 0) -
          (report.cutover.detachSeconds ?? 0) -
          (report.cutover.sequencesSeconds ?? 0);
        report.cutover.downtimeSeconds = (Date.now() - writesStoppedAt) / 1000;
      }
      const s = summarize(r.checks);
      const rows = report.tables.reduce((a, t) => a + (t.sourceRows ?? 0), 0);
      return `${s.pass} passed, ${s.warn} warnings, ${s.fail} failed; ${report.tables.length} tables, ${rows} rows compared; ${r.writes.length} ANALYZE on the clone${report.cutover.downtimeSeconds !== undefined ? `; downtime (writes stopped -> validated) ${fmt(report.cutover.downtimeSeconds)}` : ''}`;
    });

    // 6. configs
    await attempt('configs', async (checks) => {
      cloneDb = {
        host: FIXTURE.cloneHost,
        port: cloneServer!.port,
        user: cloneUser,
        database: databases[0],
        tooljetDatabase: tooljetDbName,
      };
      configFiles = renderTargetConfigs(cloneDb, tls!.caPem, runSecrets);
      ensureOut();
      writeConfigs(out.dir, configFiles);
      report.files = configFiles.map((f) => ({
        path: f.path,
        target: f.target,
        mode: `0${f.mode.toString(8)}`,
        secret: f.secret,
        description: f.description,
      }));
      checks.push(...configChecks(out.dir, configFiles, cloneDb, tls!.caPem, runSecrets));
      return `${configFiles.length} files for ${TARGET_KINDS.join(', ')} under ${out.dir}, pointing at ${cloneDb.host}:${cloneDb.port}`;
    });

    // 7. tooljet: connect as ToolJet from the rendered .env
    await attempt('tooljet', async (checks) => {
      const envFile = path.join(out.dir, 'docker', '.env');
      const vars = containerEnv(
        fs.readFileSync(envFile, 'utf8'),
        path.join(out.dir, 'docker', 'certs', 'global-bundle.pem'),
      );
      checks.push(
        ...(await toolJetConnectionChecks({
          vars,
          expectVersion: EXPECTED_VERSION,
          home: ws.subdir('home'),
          redact: (t) => ws.redact(t),
          createdb: true,
        })),
      );
      return `from ${envFile}: node-postgres (PGSSLMODE + NODE_EXTRA_CA_CERTS), libpq createdb and psql (PGRST_DB_URI) against ${vars.PG_HOST}:${vars.PG_PORT}`;
    });

    // 8. rollback drill
    await attempt('rollback', async (checks) => {
      if (replicationStrategy) await replicationRollback(checks);
      const sourceDb: DatabaseTarget = userSource
        ? { host: src!.host, port: src!.port, user: src!.user, database: databases[0], tooljetDatabase: tooljetDbName }
        : {
            host: FIXTURE.sourceHost,
            port: srcServer!.port,
            user: FIXTURE.user,
            database: FIXTURE.database,
            tooljetDatabase: FIXTURE.tooljetDatabase,
          };
      const back = renderTargetConfigs(sourceDb, tls!.caPem, runSecrets);
      const cmp = compareRenderings(configFiles!, back, cloneDb!, sourceDb);
      const from = `${cloneDb!.host}:${cloneDb!.port}`;
      const to = `${sourceDb.host}:${sourceDb.port}`;
      report.rollback = { ...cmp, from, to };
      const notPointing = cmp.problems.filter((p) => p.startsWith('does not point'));
      const missingTargets = TARGET_KINDS.filter((t) => !cmp.endpointSettings[t]);
      checks.push(
        notPointing.length || missingTargets.length
          ? check(
              'rollback re-points every target',
              'fail',
              `activeDatabase: source leaves settings that do not name the source ${to}${missingTargets.length ? `; no endpoint setting found for ${missingTargets.join(', ')}` : ''}`,
              notPointing,
            )
          : check(
              'rollback re-points every target',
              'pass',
              `activeDatabase: source re-renders ${TARGET_KINDS.join(', ')}: ${Object.values(cmp.endpointSettings).reduce((a, b) => a + b, 0)} endpoint settings now name ${to} (were ${from})`,
              cmp.changes.map((c) => `${c.file} ${c.key}: ${c.from} -> ${c.to}`),
            ),
      );
      const other = cmp.problems.filter((p) => !p.startsWith('does not point'));
      checks.push(
        other.length
          ? check(
              'nothing else changes',
              'fail',
              'the rollback rendering differs in more than the database endpoint',
              other,
            )
          : check(
              'nothing else changes',
              'pass',
              `same ${back.length} files, same keys, secrets, CA bundle, mounts and modes; only the ${cmp.changes.length} endpoint settings${cmp.changes.some((c) => c.key.startsWith('line ')) ? ' (and comment lines naming the host)' : ''} differ`,
            ),
      );
      if (!userSource) {
        // The source keeps its users and passwords (as the clone keeps them from the RDS snapshot): the rollback .env works as is.
        const dotenv = back.find((f) => f.path === 'docker/.env')!;
        const vars = containerEnv(dotenv.text, path.join(out.dir, 'docker', 'certs', 'global-bundle.pem'));
        const live = await toolJetConnectionChecks({
          vars,
          expectVersion: srcServer!.version,
          home: ws.subdir('home'),
          redact: (t) => ws.redact(t),
        });
        checks.push(...live.map((c) => ({ ...c, name: `${c.name}, rollback .env` })));
        return `every target points back at ${to} and ToolJet's connection from the rollback .env reaches PostgreSQL ${srcServer!.version} there`;
      }
      return `every target points back at ${to}; not connected live (the rendered password is the clone's, generated for this run, not your source's)`;
    });

    // 9. results
    await phases.run('results', async (checks) => {
      finish(report, t0);
      if (keep) report.kept = keptInfo(ws, srcServer, cloneServer, src, cloneAdmin);
      ensureOut();
      checks.push(check('results written', 'pass', `${path.join(out.dir, 'results.md')} and results.json`));
      // Recorded before the files are written (a write error fails the run with exit 2).
      report.phases.find((p) => p.name === 'results')!.summary = 'results.md, results.json';
      finish(report, t0);
      fs.writeFileSync(path.join(out.dir, 'results.json'), `${JSON.stringify(report, null, 2)}\n`);
      fs.writeFileSync(path.join(out.dir, 'results.md'), renderResultsMarkdown(report));
      return `${path.join(out.dir, 'results.md')}, results.json`;
    });
    finish(report, t0);
  } catch (err) {
    if (err instanceof RehearsalInterrupted || signal?.aborted) {
      report.interrupted = String(signal?.reason ?? (err as RehearsalInterrupted).signalName ?? 'SIGINT');
      report.exitCode = SIGNAL_EXIT[report.interrupted] ?? 130;
      report.ok = false;
    } else {
      await shutdown(true);
      throw err;
    }
  }
  await shutdown(false);
  return report;

  async function shutdown(failedEarly: boolean): Promise<void> {
    signal?.removeEventListener('abort', onAbort);
    await abortStop;
    await writer?.stop().catch(() => undefined);
    if (clonePromise)
      await clonePromise.then(
        () => undefined,
        () => undefined,
      );
    if (report.interrupted || failedEarly) {
      await ws.cleanupInterrupted(keep && !failedEarly);
      if (outPrepared && !keep) fs.rmSync(out.dir, { recursive: true, force: true });
    } else {
      await ws.cleanup(keep);
    }
  }
}

/** Final status, exit code and the lists of blockers, warnings and failures. */
function finish(report: RehearsalReport, t0: number): void {
  const all = report.phases.flatMap((p) => p.checks.map((c) => ({ p, c })));
  report.warnings = all
    .filter(({ c }) => c.status === 'warn')
    .map(({ p, c }) => `${p.name}: ${c.name}${c.database ? ` [${c.database}]` : ''}: ${c.detail}`);
  report.failures = [
    ...report.phases
      .filter((p) => p.status === 'fail' && !p.checks.some((c) => c.status === 'fail'))
      .map((p) => `${p.name}: ${p.summary}`),
    ...all
      .filter(({ p, c }) => c.status === 'fail' && p.name !== 'precheck')
      .map(
        ({ p, c }) =>
          `${p.name}: ${c.name}${c.database ? ` [${c.database}]` : ''}: ${c.detail}${c.objects.length ? ` (${c.objects.slice(0, 5).join('; ')}${c.objects.length > 5 ? '; ...' : ''})` : ''}`,
      ),
  ];
  report.ok =
    !report.phases.some((p) => p.status === 'fail' || (p.status === 'skipped' && p.name !== 'cutover')) &&
    report.blockers.length === 0;
  report.recommendation = report.ok ? 'Proceed' : 'Needs fixes';
  report.exitCode = report.ok ? 0 : 1;
  report.seconds = (Date.now() - t0) / 1000;
}

function keptInfo(
  ws: Workspace,
  s13?: LocalServer,
  s16?: LocalServer,
  src?: ConnectionTarget,
  clone?: ConnectionTarget,
): RehearsalReport['kept'] {
  const servers: NonNullable<RehearsalReport['kept']>['servers'] = [];
  if (s13 && src)
    servers.push({
      role: 'source',
      version: s13.version,
      endpoint: src.endpoint,
      pid: s13.pid,
      dataDir: path.join(s13.dir, 'data'),
    });
  if (s16 && clone)
    servers.push({
      role: 'clone',
      version: s16.version,
      endpoint: clone.endpoint,
      pid: s16.pid,
      dataDir: path.join(s16.dir, 'data'),
    });
  return { workDir: ws.dir, servers };
}
