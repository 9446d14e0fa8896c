// results.md: ToolJet's "PostgreSQL 16.9 Upgrade Test Results" document (the template in the guide's overview, Phase 3)
// filled with what the rehearsal measured; and the short summary printed at the end of a run. Pure renderers of the
// report (which holds no secrets).
import { CheckResult } from '../../checks/report';
import { PLACEHOLDERS } from './configs';
import { PhaseReport, RehearsalReport } from './report';

const ICON: Record<string, string> = { pass: '✅', warn: '⚠️', fail: '❌', skipped: '⏭️' };
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
const secs = (s: number | undefined): string => (s === undefined ? '—' : `${s.toFixed(s < 10 ? 2 : 1)} s`);

function checkRows(p: PhaseReport): string[] {
  return p.checks.map((c: CheckResult) => {
    const objects = c.objects.length
      ? `<br>${c.objects
          .slice(0, 12)
          .map((o) => `• ${cell(o)}`)
          .join('<br>')}${c.objects.length > 12 ? `<br>• … and ${c.objects.length - 12} more (results.json)` : ''}`
      : '';
    return `| ${cell(p.name)} | ${cell(c.name)}${c.database ? ` [${cell(c.database)}]` : ''} | ${ICON[c.status]} ${c.status} | ${cell(c.detail)}${objects} |`;
  });
}

function sourceLine(r: RehearsalReport): string {
  if (r.source.kind === 'fixture') {
    const f = r.source.fixture;
    return `PostgreSQL ${r.source.version ?? '13.21'} on this machine (${r.source.endpoint}), seeded with the ToolJet-shaped fixture${f ? ` (${f.sizeMb} MB: ${f.counts.organizations} workspaces, ${f.counts.users} users, ${f.counts.apps} apps)` : ''}`;
  }
  return `your PostgreSQL ${r.source.version ?? ''} at ${r.source.endpoint} (${r.source.display}), read only`;
}

export function renderResultsMarkdown(r: RehearsalReport): string {
  const L: string[] = [];
  const date = r.startedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  L.push('# PostgreSQL 16.9 Upgrade Test Results', '');
  L.push(
    `Written by \`tj-pg-upgrade rehearse\` (local rehearsal of ToolJet's AWS RDS PostgreSQL 13 → 16.9 runbook). Every figure below was measured in this run.`,
    '',
  );
  L.push('## Test Environment', '');
  L.push(
    `- Database: PostgreSQL ${r.clone.version ?? '16.9'} clone on this machine${r.clone.endpoint ? ` (${r.clone.endpoint})` : ''}, copied from the source by ${r.method.name}`,
  );
  L.push(`- Source: ${sourceLine(r)}`);
  L.push(
    `- Databases: ${r.source.databases.join(', ') || '—'}${r.source.tooljetDatabase ? ` (ToolJet Database: ${r.source.tooljetDatabase})` : ' (no ToolJet Database on the source)'}`,
  );
  L.push(`- TLS: ${r.clone.tls}`);
  L.push(
    '- ToolJet Version: not started by the rehearsal; its database connection was made exactly as ToolJet makes it (see "Functionality Test Results")',
  );
  L.push(
    '- Deployment Method: Docker, AMI, ECS and EKS configuration rendered; the Docker `.env` was used for the live connections',
  );
  L.push(`- Test Date: ${date}`);
  L.push(
    `- Tools: Node.js ${r.environment.node}; ${r.environment.pgDump}; ${r.environment.psql}; PostgreSQL ran as ${r.environment.postgresRunsAs}`,
    '',
  );

  L.push(`## Recommended Production Upgrade: ${r.ok ? '✅ Proceed' : '❌ Needs fixes'}`, '');
  if (r.ok)
    L.push(
      `Every check passed${r.warnings.length ? ` (${r.warnings.length} warning${r.warnings.length === 1 ? '' : 's'} below, none blocking)` : ''}. Next: the same on an RDS clone (\`pulumi up --stack staging\`), then ToolJet's feature checklist on a staging ToolJet.`,
      '',
    );
  else
    L.push(
      `${r.blockers.length ? `${r.blockers.length} pre-upgrade blocker(s) stop the upgrade. ` : ''}${r.failures.length ? `${r.failures.length} failed check(s). ` : ''}Fix what is listed under "Issues Found" and rehearse again.`,
      '',
    );

  L.push('## Issues Found', '');
  if (!r.blockers.length && !r.failures.length) L.push('None.');
  for (const b of r.blockers) L.push(`- ❌ Blocker: ${b}`);
  for (const f of r.failures) L.push(`- ❌ ${f}`);
  L.push('');
  if (r.warnings.length) {
    L.push('Warnings (not blocking):', '');
    for (const w of r.warnings) L.push(`- ⚠️ ${w}`);
    L.push('');
  }

  L.push('## Functionality Test Results', '');
  L.push('| Phase | Check | Result | Detail |', '|---|---|---|---|');
  for (const p of r.phases) {
    if (p.checks.length) L.push(...checkRows(p));
    else if (p.status !== 'pass') L.push(`| ${p.name} | — | ${ICON[p.status]} ${p.status} | ${cell(p.summary)} |`);
  }
  L.push('');

  if (r.tables.length) {
    L.push('## Data: row counts per table', '');
    L.push('| Database | Table | Source rows | Clone rows | Content checksum |', '|---|---|---:|---:|---|');
    for (const t of r.tables) {
      L.push(
        `| ${cell(t.database)} | ${cell(t.table)} | ${t.sourceRows ?? '—'} | ${t.cloneRows ?? '—'} | ${t.note ? `not compared: ${cell(t.note)}` : t.identical ? '✅ identical' : '❌ differs'} |`,
      );
    }
    L.push('');
  }

  L.push('## Phase timings', '');
  L.push('| # | Phase | Result | Time | Summary |', '|---|---|---|---:|---|');
  r.phases.forEach((p, i) =>
    L.push(`| ${i + 1} | ${cell(p.title)} | ${ICON[p.status]} ${p.status} | ${secs(p.seconds)} | ${cell(p.summary)} |`),
  );
  L.push(`|  | total |  | ${secs(r.seconds)} |  |`, '');

  L.push(`## Copy and cutover (${r.method.name})`, '');
  L.push(`Why ${r.method.name}: ${r.method.why}`, '');
  const c = r.cutover;
  if (c.measured && c.downtimeSeconds !== undefined) {
    const w = c.writes;
    if (w)
      L.push(
        `- Simulated ToolJet writes on the source while the clone copied and streamed: ${Object.values(w.transactions).reduce((a, b) => a + b, 0)} transactions (${w.statements.inserts} inserts, ${w.statements.updates} updates, ${w.statements.deletes} deletes) over ${secs(w.seconds)}`,
      );
    if (r.strategy === 'replication') {
      L.push(
        `- Writes stopped → \`replicate catch-up\` (every committed change applied, every table ready): ${secs(c.caughtUpSeconds)}`,
      );
      L.push(
        `- \`replicate finish\` (sequences set to the source's values, materialized views refreshed): ${secs(c.finishSeconds)} (${c.sequences?.length ?? 0} sequences)`,
      );
    } else {
      L.push(`- Writes stopped → clone caught up: ${secs(c.caughtUpSeconds)}`);
      L.push(`- Replica detached (subscriptions and slots dropped): ${secs(c.detachSeconds)}`);
      L.push(
        `- Sequences set to the source's values: ${secs(c.sequencesSeconds)} (${c.sequences?.length ?? 0} sequences)`,
      );
    }
    L.push(`- Validation with ANALYZE: ${secs(c.validateSeconds)}`);
    L.push(
      `- **Downtime a ToolJet user would see (writes stopped → validated): ${secs(c.downtimeSeconds)}**, plus restarting ToolJet on the new configuration (Node reads NODE_EXTRA_CA_CERTS only at start).`,
    );
    if (r.strategy === 'replication')
      L.push(
        '- RDS projection (docs/rehearsal.md, "strategy replication"): catch-up is bound by what was written but not yet applied when ToolJet stopped (seconds at ToolJet\'s write rates; `replicate status` shows the lag before the window), finish by the number of sequences and materialized views, validate by the data size at the GB/s validate measures here and in `npm run bench`.',
      );
    const rv = r.reverse;
    if (rv) {
      L.push('', '### Reverse replication and rollback (strategy replication)', '');
      L.push(
        `- \`replicate reverse\` (forward subscription dropped, 16.9 publishes, 13.21 subscribes without a copy): ${secs(rv.reverseSeconds)}`,
      );
      L.push(
        `- Writes on 16.9 after the cutover: ${Object.values(rv.writes.transactions).reduce((a, b) => a + b, 0)} transactions over ${secs(rv.writes.seconds)}; \`replicate catch-up --direction reverse\`: ${secs(rv.catchUpSeconds)}; \`replicate finish --direction reverse\`: ${secs(rv.finishSeconds)}`,
      );
      L.push(
        `- rollback-report --strategy replication: ${rv.rowsOnlyOnClone === 0 ? '✅ 0 rows missing on 13.21' : `❌ ${rv.rowsOnlyOnClone} row(s) only on 16.9`}; what does not flow back: sequences (set by finish --direction reverse), DDL (not replicated)`,
      );
      L.push(`- \`replicate teardown\`: ${rv.teardown.join('; ')}`);
    }
  } else {
    L.push(`- Cutover not measured: ${c.reason ?? 'the rehearsal stopped before it'}`);
    if (r.copy)
      L.push(
        `- Copy: ${secs(r.copy.seconds)} for ${r.copy.databases.map((d) => `${d.name}${d.bytes !== undefined ? ` (${(d.bytes / 1048576).toFixed(1)} MB of SQL)` : ''}`).join(', ')}; with dump/restore ToolJet's writes stop for the copy and the validation.`,
      );
  }
  L.push('');

  L.push('## Performance Observations', '');
  if (r.copy) L.push(`- Copy of ${r.copy.databases.map((d) => d.name).join(', ')}: ${secs(r.copy.seconds)}`);
  const v = r.phases.find((p) => p.name === 'validate');
  if (v && v.status !== 'skipped')
    L.push(
      `- Validation (schema, row counts, content checksums of every row on both sides, ANALYZE): ${secs(v.seconds)}`,
    );
  L.push(
    '- Query Response Time, Application Load Time, Memory Usage: not measured here (no ToolJet running, no production load, servers on one machine). Measure them on a staging ToolJet against the RDS clone.',
    '',
  );

  if (r.files.length) {
    L.push('## Rendered ToolJet configuration (pointing at the local clone)', '');
    L.push(
      `Under \`${r.outDir}\`. Files marked "secrets" hold the run's generated password and keys and are mode 600; nothing else does. AWS names a local run cannot know are placeholders: account ${PLACEHOLDERS.account}, region ${PLACEHOLDERS.region}, secret ARNs \`…:secret:tooljet/…\`, bundle object s3://${PLACEHOLDERS.caBundleObject.bucket}/${PLACEHOLDERS.caBundleObject.key}, TOOLJET_HOST ${PLACEHOLDERS.tooljetHost}. The Pulumi program renders the same files with your stack's values.`,
      '',
    );
    L.push('| File | Target | Mode | What |', '|---|---|---|---|');
    for (const f of r.files)
      L.push(`| ${cell(f.path)} | ${f.target} | ${f.mode}${f.secret ? ' (secrets)' : ''} | ${cell(f.description)} |`);
    L.push('');
  }

  if (r.rollback) {
    L.push('## Rollback drill (activeDatabase: source)', '');
    L.push(
      `Every target rendered again for the source and compared setting by setting: ${r.rollback.problems.length ? `❌ ${r.rollback.problems.length} problem(s)` : `✅ only the endpoint moves, ${r.rollback.from} → ${r.rollback.to}`}.`,
      '',
    );
    L.push('| File | Setting | Clone | Rollback |', '|---|---|---|---|');
    for (const ch of r.rollback.changes)
      L.push(`| ${cell(ch.file)} | ${cell(ch.key)} | ${cell(ch.from)} | ${cell(ch.to)} |`);
    for (const p of r.rollback.problems) L.push(`| ❌ | ${cell(p)} | | |`);
    L.push('');
  }

  if (r.kept) {
    L.push('## Kept (--keep)', '');
    L.push(
      `Work directory ${r.kept.workDir}. The servers are still running (the password is PG_PASS in docker/.env):`,
      '',
    );
    for (const s of r.kept.servers)
      L.push(`- ${s.role}: PostgreSQL ${s.version} at ${s.endpoint}, pid ${s.pid}, data ${s.dataDir}`);
    L.push(
      '',
      `Stop them with \`kill ${r.kept.servers.map((s) => s.pid).join(' ')}\` and remove ${r.kept.workDir}.`,
      '',
    );
  }
  return L.join('\n');
}

/** The summary printed at the end of a run (stdout). */
export function renderSummary(r: RehearsalReport, resultsPath?: string): string {
  const L: string[] = [];
  L.push('');
  L.push(
    `Rehearsal ${r.ok ? 'PASSED' : 'FAILED'}: PostgreSQL ${r.source.version ?? '13'} -> ${r.clone.version ?? '16.9'}. Recommended production upgrade: ${r.ok ? 'Proceed' : 'Needs fixes'}`,
  );
  const row = (k: string, v: string): void => {
    L.push(`  ${k.padEnd(10)} ${v}`);
  };
  row('source', sourceLine(r));
  if (r.clone.endpoint)
    row('clone', `PostgreSQL ${r.clone.version} at ${r.clone.endpoint}, TLS verify-full with the run's CA`);
  row('copy', `${r.method.name}${r.copy ? ` in ${secs(r.copy.seconds)}` : ''}`);
  const c = r.cutover;
  if (c.measured && c.downtimeSeconds !== undefined) {
    if (r.strategy === 'replication')
      row(
        'downtime',
        `${secs(c.downtimeSeconds)} (writes stopped -> replicate catch-up ${secs(c.caughtUpSeconds)} -> replicate finish ${secs(c.finishSeconds)} -> validated ${secs(c.validateSeconds)})`,
      );
    else
      row(
        'downtime',
        `${secs(c.downtimeSeconds)} (writes stopped -> caught up ${secs(c.caughtUpSeconds)} -> detached ${secs(c.detachSeconds)} -> sequences ${secs(c.sequencesSeconds)} -> validated ${secs(c.validateSeconds)})`,
      );
  } else if (!c.measured) row('cutover', 'not measured (dump/restore)');
  if (r.reverse)
    row(
      'reverse',
      `writes on 16.9 flowed back to 13.21: rollback-report ${r.reverse.rowsOnlyOnClone} row(s) missing on the source; catch-up reverse ${secs(r.reverse.catchUpSeconds)}`,
    );
  for (const p of r.phases) {
    const s = { pass: 0, warn: 0, fail: 0 };
    for (const ch of p.checks) s[ch.status]++;
    const counts = p.checks.length
      ? ` (${s.pass} passed${s.warn ? `, ${s.warn} warn` : ''}${s.fail ? `, ${s.fail} FAILED` : ''})`
      : '';
    row(
      p.name,
      `${{ pass: 'ok', warn: 'ok (warnings)', fail: 'FAILED', skipped: 'skipped' }[p.status]} ${secs(p.seconds)}${counts}: ${p.summary}`,
    );
  }
  if (r.blockers.length) {
    L.push('', 'Blockers:');
    for (const b of r.blockers) L.push(`  - ${b}`);
  }
  if (r.failures.length) {
    L.push('', 'Failed:');
    for (const f of r.failures) L.push(`  - ${f}`);
  }
  if (r.warnings.length) L.push('', `${r.warnings.length} warning(s): see results.md`);
  if (resultsPath)
    L.push('', `Results: ${resultsPath} (and results.json); configuration for Docker, ECS, EKS, AMI in ${r.outDir}`);
  if (r.kept)
    L.push(
      `Kept: servers running (pids ${r.kept.servers.map((s) => s.pid).join(', ')}; stop with: kill ${r.kept.servers.map((s) => s.pid).join(' ')}), work directory ${r.kept.workDir}`,
    );
  L.push(`Total ${secs(r.seconds)}; exit ${r.exitCode}`);
  return L.join('\n');
}
