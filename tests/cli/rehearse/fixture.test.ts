// `tj-pg-upgrade rehearse` end to end on the default fixture: real PostgreSQL 13.21 -> 16.9, logical replication
// with a measured cutover, validation, the four rendered targets, ToolJet's connection, the rollback drill, results.
// When the tests run as root, the CLI runs as an unprivileged user here (the --source tests run it as root), so both
// ways of running it are covered.
import { strict as assert } from 'assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as util from 'util';
import { fixtureCounts, TOOLJET_DB_NAMES } from '../../../lib/fixture';
import type { RehearsalReport } from '../../../cli/rehearse';
import { TARGET_KINDS } from '../../../targets';
import {
  filesUnder,
  leftovers,
  processesMentioning,
  RehearseRun,
  runRehearse,
  scratch,
  unprivilegedUser,
} from './helpers';

describe('rehearse: the default fixture end to end', () => {
  const user = unprivilegedUser();
  const box = scratch(user);
  const out = path.join(box.dir, 'out');
  let run: RehearseRun;
  let report: RehearsalReport;
  let clonePort: string;
  let sourcePort: string;

  before(async function () {
    this.timeout(120_000);
    run = await runRehearse(['--out', out], { tmpdir: box.tmp, user });
    assert.ok(
      fs.existsSync(path.join(out, 'results.json')),
      `no results.json; exit ${run.code}\n${run.stderr}\n${run.stdout}`,
    );
    report = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8'));
    clonePort = report.clone.endpoint!.split(':')[1];
    sourcePort = report.source.endpoint.split(':')[1];
  });
  after(() => box.cleanup());

  const phase = (name: string) => report.phases.find((p) => p.name === name)!;
  const checkOf = (phaseName: string, name: string) => {
    const c = phase(phaseName).checks.find((x) => x.name === name);
    assert.ok(
      c,
      `no check "${name}" in ${phaseName}: ${phase(phaseName)
        .checks.map((x) => x.name)
        .join(', ')}`,
    );
    return c;
  };

  it('exits 0, recommends Proceed, and every phase passed in order', () => {
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.equal(report.ok, true, JSON.stringify(report.failures));
    assert.equal(report.recommendation, 'Proceed');
    assert.deepEqual(
      report.phases.map((p) => p.name),
      ['source', 'precheck', 'clone', 'cutover', 'validate', 'configs', 'tooljet', 'rollback', 'results'],
    );
    for (const p of report.phases)
      assert.ok(p.status === 'pass' || p.status === 'warn', `${p.name}: ${p.status} ${p.summary}`);
    assert.equal(report.source.kind, 'fixture');
    assert.equal(report.source.version, '13.21');
    assert.equal(report.clone.version, '16.9');
    assert.equal(report.method.name, 'logical replication');
    assert.equal(report.source.fixture!.sizeMb, 5, 'the default fixture size');
    if (user)
      assert.match(
        report.environment.postgresRunsAs,
        /^nobody$/,
        'run by an unprivileged user, PostgreSQL runs as that user',
      );
    assert.deepEqual(report.blockers, []);
  });

  it('prints a line per phase with the elapsed time on stderr, and a summary on stdout', () => {
    for (const [i, name] of [
      'source',
      'precheck',
      'clone',
      'cutover',
      'validate',
      'configs',
      'tooljet',
      'rollback',
      'results',
    ].entries()) {
      assert.match(
        run.stderr,
        new RegExp(`^\\[\\s*\\d+\\.\\ds\\] ${i + 1}/9 ${name}: .* \\.\\.\\.$`, 'm'),
        `start line of ${name}`,
      );
      assert.match(
        run.stderr,
        new RegExp(`^\\[\\s*\\d+\\.\\ds\\] ${i + 1}/9 ${name}: ok( with warnings)? in \\d+\\.\\d+ s`, 'm'),
        `end line of ${name}`,
      );
    }
    assert.match(
      run.stdout,
      /^Rehearsal PASSED: PostgreSQL 13\.21 -> 16\.9\. Recommended production upgrade: Proceed$/m,
    );
    assert.match(run.stdout, /^ {2}downtime {3}\d+\.\d+ s \(writes stopped -> caught up/m);
    assert.match(run.stdout, new RegExp(`Results: ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/results\\.md`));
    assert.match(run.stdout, /exit 0\n?$/);
  });

  it('measured the cutover: live writes replicated, caught up, sequences set, validated', () => {
    const c = report.cutover;
    assert.equal(c.measured, true);
    assert.ok(
      c.writes!.transactions.tooljet_production > 5 && c.writes!.transactions.tooljet_db > 5,
      JSON.stringify(c.writes),
    );
    assert.ok(c.writes!.statements.deletes > 0);
    for (const k of ['caughtUpSeconds', 'detachSeconds', 'sequencesSeconds', 'validateSeconds'] as const)
      assert.ok(c[k]! >= 0 && c[k]! < 60, `${k} ${c[k]}`);
    const parts = c.caughtUpSeconds! + c.detachSeconds! + c.sequencesSeconds! + c.validateSeconds!;
    assert.ok(Math.abs(c.downtimeSeconds! - parts) < 0.01, `downtime ${c.downtimeSeconds} = sum of parts ${parts}`);
    // The orders table (serial id) kept receiving rows: its sequence on the clone was set to the source's last id.
    const orders = c.sequences!.find((s) => s.includes(`${TOOLJET_DB_NAMES.orders}_id_seq`));
    assert.ok(orders, JSON.stringify(c.sequences));
    // Names that need quotes are reported quoted (validate keys tables by their quoted name parts).
    const ordersRows = report.tables.find((t) => t.table.endsWith(`"${TOOLJET_DB_NAMES.orders}"`))!;
    assert.match(
      orders,
      new RegExp(`, ${ordersRows.sourceRows}, true\\)`),
      'set to the last id = row count (ids 1..n, no deletes)',
    );
  });

  it('validated every table of both databases: equal counts and identical content, including rows written during the copy', () => {
    const counts = fixtureCounts(5);
    const rows = (db: string, table: string) => report.tables.find((t) => t.database === db && t.table === table)!;
    assert.equal(report.tables.filter((t) => t.database === 'tooljet_production').length, 15);
    assert.equal(report.tables.filter((t) => t.database === 'tooljet_db').length, 2);
    for (const t of report.tables) {
      assert.equal(t.identical, true, `${t.database} ${t.table}`);
      assert.equal(t.sourceRows, t.cloneRows);
    }
    assert.equal(rows('tooljet_production', 'public.users').sourceRows, counts.users);
    assert.equal(rows('tooljet_production', 'public.apps').sourceRows, counts.apps);
    // The simulated writes added orders and audit rows (and deleted some audit rows) after the fixture was seeded.
    const w = report.cutover.writes!;
    assert.equal(
      rows('tooljet_db', `"${TOOLJET_DB_NAMES.schema}"."${TOOLJET_DB_NAMES.orders}"`).sourceRows,
      counts.orders + w.transactions.tooljet_db,
    );
    assert.equal(
      rows('tooljet_production', 'public.audit_logs').sourceRows,
      counts.apps * counts.auditLogsPerApp + w.transactions.tooljet_production - w.statements.deletes,
    );
    assert.match(checkOf('validate', 'target version').detail, /PostgreSQL 16\.9 \(expected 16\.9\)/);
    const stats = phase('validate').checks.filter((c) => c.name === 'statistics');
    assert.equal(stats.length, 2, 'ANALYZE in the ToolJet database and the ToolJet Database');
    for (const s of stats) assert.match(s.detail, /--analyze ran ANALYZE on \d+ target table/);
    assert.ok(
      phase('validate').checks.some(
        (c) => c.name === 'reachable (target)' && c.database === 'tooljet_db' && c.status === 'pass',
      ),
    );
  });

  it('wrote the four targets under --out, pointing at the clone, with the run CA as the bundle', () => {
    const files = filesUnder(out);
    for (const f of [
      'docker/.env',
      'docker/docker-compose.override.yml',
      'docker/certs/global-bundle.pem',
      'ecs/task-definition.json',
      'ecs/execution-role-policy.json',
      'ecs/task-role-policy.json',
      'eks/secret-tooljet-server.json',
      'eks/configmap-rds-ssl-cert.json',
      'eks/patch-deployment-tooljet.json',
      'eks/patch-deployment-tooljet-postgrest.json',
      'ami/user-data.sh',
      'results.md',
      'results.json',
    ]) {
      assert.ok(files.includes(f), `${f} missing: ${files.join(', ')}`);
    }
    const env = util.parseEnv(fs.readFileSync(path.join(out, 'docker/.env'), 'utf8')) as Record<string, string>;
    assert.equal(fs.statSync(path.join(out, 'docker/.env')).mode & 0o777, 0o600);
    assert.equal(fs.statSync(path.join(out, 'eks/secret-tooljet-server.json')).mode & 0o777, 0o600);
    assert.deepEqual(
      [env.PG_HOST, env.PG_PORT, env.PG_DB, env.TOOLJET_DB_HOST, env.TOOLJET_DB_PORT, env.TOOLJET_DB],
      ['localhost', clonePort, 'tooljet_production', 'localhost', clonePort, 'tooljet_db'],
    );
    assert.equal(env.PGSSLMODE, 'verify-full');
    assert.equal(env.NODE_EXTRA_CA_CERTS, '/certs/global-bundle.pem');
    assert.match(
      env.PGRST_DB_URI,
      new RegExp(
        `^postgres://tooljet:[^@]+@localhost:${clonePort}/tooljet_db\\?sslmode=verify-full&sslrootcert=/certs/global-bundle\\.pem$`,
      ),
    );

    const bundle = fs.readFileSync(path.join(out, 'docker/certs/global-bundle.pem'), 'utf8');
    const ca = new crypto.X509Certificate(bundle);
    assert.equal(ca.ca, true, 'the bundle is a CA certificate');
    assert.match(ca.subject, /tj-pg-upgrade rehearsal CA/);
    const sha = crypto.createHash('sha256').update(bundle).digest('hex');

    const td = JSON.parse(fs.readFileSync(path.join(out, 'ecs/task-definition.json'), 'utf8'));
    const envOf = (c: { environment: { name: string; value: string }[] }) =>
      Object.fromEntries(c.environment.map((e) => [e.name, e.value]));
    const tj = envOf(td.containerDefinitions.find((c: { name: string }) => c.name === 'tooljet'));
    assert.deepEqual(
      [tj.PG_HOST, tj.PG_PORT, tj.PGSSLMODE, tj.NODE_EXTRA_CA_CERTS],
      ['localhost', clonePort, 'verify-full', '/certs/global-bundle.pem'],
    );
    assert.equal(
      envOf(td.containerDefinitions.find((c: { name: string }) => c.name === 'rds-ca-bundle')).TJ_CA_SHA256,
      sha,
    );

    const cm = JSON.parse(fs.readFileSync(path.join(out, 'eks/configmap-rds-ssl-cert.json'), 'utf8'));
    assert.equal(cm.data['global-bundle.pem'], bundle);
    const patch = JSON.parse(fs.readFileSync(path.join(out, 'eks/patch-deployment-tooljet.json'), 'utf8'));
    const penv = Object.fromEntries(
      patch.spec.template.spec.containers[0].env.map((e: { name: string; value: string }) => [e.name, e.value]),
    );
    assert.deepEqual([penv.PG_HOST, penv.PG_PORT], ['localhost', clonePort]);

    const ud = fs.readFileSync(path.join(out, 'ami/user-data.sh'), 'utf8');
    assert.match(ud, /^TJ_PG_HOST='localhost'$/m);
    assert.match(ud, new RegExp(`^TJ_PG_PORT='${clonePort}'$`, 'm'));
    assert.match(ud, new RegExp(`^TJ_CA_SHA256='${sha}'$`, 'm'));
  });

  it('keeps the generated secrets in the .env and the Kubernetes Secret only: not in results, output or other files', () => {
    const env = util.parseEnv(fs.readFileSync(path.join(out, 'docker/.env'), 'utf8')) as Record<string, string>;
    const secrets = {
      PG_PASS: env.PG_PASS,
      LOCKBOX_MASTER_KEY: env.LOCKBOX_MASTER_KEY,
      SECRET_KEY_BASE: env.SECRET_KEY_BASE,
      PGRST_JWT_SECRET: env.PGRST_JWT_SECRET,
    };
    for (const [k, v] of Object.entries(secrets)) assert.ok(v && v.length >= 32, `${k} generated`);
    const places: Record<string, string> = { stdout: run.stdout, stderr: run.stderr };
    for (const f of filesUnder(out))
      if (!['docker/.env', 'eks/secret-tooljet-server.json'].includes(f))
        places[f] = fs.readFileSync(path.join(out, f), 'utf8');
    for (const [where, text] of Object.entries(places)) {
      for (const [k, v] of Object.entries(secrets)) {
        for (const form of [v, encodeURIComponent(v), Buffer.from(v).toString('base64')])
          assert.ok(!text.includes(form), `${where} contains ${k}`);
      }
    }
    const secret = JSON.parse(fs.readFileSync(path.join(out, 'eks/secret-tooljet-server.json'), 'utf8'));
    assert.equal(secret.stringData.PG_PASS, env.PG_PASS, 'the Kubernetes Secret holds the same password');
  });

  it('connected exactly as ToolJet would from the .env: node-postgres with PGSSLMODE + NODE_EXTRA_CA_CERTS, createdb, PostgREST URI', () => {
    for (const name of [
      'ToolJet database setup (createdb)',
      'ToolJet server connection (node-postgres)',
      'TLS verification is on',
      'PostgREST connection (libpq)',
    ]) {
      assert.equal(checkOf('tooljet', name).status, 'pass', name);
    }
    assert.match(
      checkOf('tooljet', 'ToolJet server connection (node-postgres)').detail,
      new RegExp(
        `tooljet_production and tooljet_db at localhost:${clonePort} as tooljet: TLSv1\\.[23], certificate verified, PostgreSQL 16\\.9`,
      ),
    );
    assert.match(
      checkOf('tooljet', 'TLS verification is on').detail,
      /refused \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN)\)/,
    );
    assert.match(
      checkOf('tooljet', 'PostgREST connection (libpq)').detail,
      /connected to tooljet_db: TLSv1\.[23], PostgreSQL 16\.9/,
    );
  });

  it('rollback drill: every target re-rendered for the source, only the endpoint moved, and the rollback .env reaches 13.21', () => {
    const rb = report.rollback!;
    assert.deepEqual(rb.problems, []);
    assert.equal(rb.from, `localhost:${clonePort}`);
    assert.equal(rb.to, `127.0.0.1:${sourcePort}`);
    assert.deepEqual(Object.keys(rb.endpointSettings).sort(), [...TARGET_KINDS].sort());
    for (const ch of rb.changes) {
      if (ch.key.startsWith('line '))
        assert.match(ch.to, /point ToolJet at 127\.0\.0\.1/, 'only a comment naming the host');
      else
        assert.match(
          `${ch.key}=${ch.to}`,
          new RegExp(
            `(HOST.*=127\\.0\\.0\\.1|PORT.*=${sourcePort}|PGRST_DB_URI.*=postgres://tooljet(:\\*\\*\\*)?@127\\.0\\.0\\.1:${sourcePort}/)`,
          ),
          JSON.stringify(ch),
        );
    }
    assert.ok(rb.changes.some((c) => c.file === 'ami/user-data.sh' && c.key === 'TJ_PG_HOST'));
    assert.ok(rb.changes.some((c) => c.file === 'eks/patch-deployment-tooljet-postgrest.json'));
    assert.match(
      checkOf('rollback', 'ToolJet server connection (node-postgres), rollback .env').detail,
      new RegExp(`at 127\\.0\\.0\\.1:${sourcePort} as tooljet: TLSv1\\.[23], certificate verified, PostgreSQL 13\\.21`),
    );
  });

  it("results.md is ToolJet's test-results document filled with the measured facts", () => {
    const md = fs.readFileSync(path.join(out, 'results.md'), 'utf8');
    assert.match(md, /^# PostgreSQL 16\.9 Upgrade Test Results$/m);
    assert.match(md, /^## Recommended Production Upgrade: ✅ Proceed$/m);
    assert.match(
      md,
      new RegExp(
        `^- Database: PostgreSQL 16\\.9 clone on this machine \\(localhost:${clonePort}\\), copied from the source by logical replication$`,
        'm',
      ),
    );
    assert.match(md, /^- Source: PostgreSQL 13\.21 on this machine/m);
    assert.match(md, /^## Issues Found\n\nNone\.$/m);
    assert.match(
      md,
      new RegExp(
        `^\\| tooljet_production \\| public\\.users \\| ${fixtureCounts(5).users} \\| ${fixtureCounts(5).users} \\| ✅ identical \\|$`,
        'm',
      ),
    );
    assert.match(md, /^\| 4 \| cutover: writes stopped -> caught up \| ✅ pass \| \d+\.\d+ s \|/m);
    assert.match(md, /\*\*Downtime a ToolJet user would see \(writes stopped → validated\): \d+\.\d+ s\*\*/);
    assert.match(md, /^\| tooljet \| PostgREST connection \(libpq\) \| ✅ pass \|/m);
    assert.match(md, /^\| docker\/\.env \| PG_HOST \| localhost \| 127\.0\.0\.1 \|$/m);
    assert.match(md, /^\| docker\/\.env \| docker \| 0600 \(secrets\) \|/m);
  });

  it('cleaned up: no PostgreSQL process and no temporary files left', () => {
    assert.deepEqual(leftovers(box.tmp), []);
    assert.deepEqual(processesMentioning(box.tmp), []);
  });
});
