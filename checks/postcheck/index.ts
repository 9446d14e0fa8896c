// `tj-pg-upgrade postcheck`: checks an upgraded instance ON ITS OWN, for when there is no source left to compare
// with (after an RDS blue/green switchover the provider deletes the old instance). Verified TLS, the server version,
// sequences against the columns they feed (logical replication does not carry sequences), extensions still to
// update, and tables without optimizer statistics. Writes only with --fix-sequences (setval) and --analyze.
import { Client } from 'pg';
import { connect, ConnectionError, ConnectionTarget, resolveTarget, withDatabase } from '../../lib/pg/connection';
import { check, CheckResult, exitCodeFor } from '../report';
import { PINNED_SETTINGS } from '../settings';
import { serverFacts, tlsCheck, versionCheck } from '../validate';
import { analyzeTables, outdatedExtensions, tablesWithoutStatistics } from '../validate/target';
import { describeUse, fixSequenceUse, readSequenceUses } from './owned-sequences';

export interface PostcheckOptions {
  target: string | ConnectionTarget | undefined;
  expectVersion?: string;
  tooljetDb?: string;
  fixSequences?: boolean;
  analyze?: boolean;
  insecure?: boolean;
  env?: NodeJS.ProcessEnv;
  onProgress?: (m: string) => void;
}

export interface PostcheckResult {
  target: { display: string; version: string };
  checks: CheckResult[];
  writes: string[];
  notices: string[];
  exitCode: 0 | 1;
}

async function checkDatabase(c: Client, label: string, opts: PostcheckOptions, writes: string[]): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  const uses = await readSequenceUses(c);
  const lagging = uses.filter((u) => u.lagging);
  if (!lagging.length) {
    out.push(check('sequences vs columns', 'pass', `${uses.length} sequence(s) feeding columns all hand out values beyond what their columns hold`, [], label));
  } else if (opts.fixSequences) {
    const done: string[] = [];
    for (const u of lagging) {
      const w = await fixSequenceUse(c, u);
      done.push(w);
      writes.push(`${label}: ${w}`);
    }
    out.push(check('sequences vs columns', 'warn', `--fix-sequences moved ${done.length} sequence(s) past the largest value in their columns (logical replication does not carry sequences)`, done, label));
  } else {
    out.push(check('sequences vs columns', 'fail', `${lagging.length} sequence(s) would hand out values their columns already hold (the next INSERT fails with a duplicate key): rerun with --fix-sequences`, lagging.map(describeUse), label));
  }

  const outdated = await outdatedExtensions(c);
  out.push(outdated.length
    ? check('extension updates', 'warn', `${outdated.length} extension(s) are older than the version 16 ships; a major upgrade does not update them`, outdated, label)
    : check('extension updates', 'pass', 'every extension is at its default version', [], label));

  const missing = await tablesWithoutStatistics(c);
  if (missing.length && opts.analyze) {
    const done = await analyzeTables(c, missing);
    writes.push(...done.map((d) => `${label}: ${d}`));
    out.push(check('statistics', 'pass', `--analyze ran ANALYZE on ${done.length} table(s) that had no statistics`, done, label));
  } else if (missing.length) {
    out.push(check('statistics', 'warn', `${missing.length} table(s) with rows have no optimizer statistics (a major upgrade does not carry them): rerun with --analyze`, missing.map((t) => `${t.schema}.${t.name}`), label));
  } else {
    out.push(check('statistics', 'pass', 'every table with rows has statistics', [], label));
  }
  return out;
}

export async function runPostcheck(opts: PostcheckOptions): Promise<PostcheckResult> {
  const progress = opts.onProgress ?? (() => undefined);
  const t = typeof opts.target === 'object' && opts.target
    ? opts.target
    : resolveTarget(opts.target, { env: opts.env, insecure: opts.insecure, applicationName: 'tj-pg-upgrade postcheck' });
  const expected = opts.expectVersion ?? '16.9';
  if (!/^\d+(\.\d+)?$/.test(expected)) throw new Error(`invalid expected version "${expected}" (e.g. 16.9 or 16)`);
  const checks: CheckResult[] = [];
  const writes: string[] = [];
  progress(`connecting to ${t.display}`);
  const main = await connect(t, { settings: PINNED_SETTINGS });
  let version = '';
  try {
    const facts = await serverFacts(main);
    version = facts.version.split(/\s/)[0];
    checks.push(tlsCheck('target', main, t, facts), versionCheck(facts.version, expected));
    progress(`${t.database}: sequences, extensions, statistics`);
    checks.push(...(await checkDatabase(main, t.database, opts, writes)));
  } finally {
    await main.end().catch(() => undefined);
  }
  if (opts.tooljetDb) {
    let c: Client | undefined;
    try {
      c = await connect(withDatabase(t, opts.tooljetDb), { settings: PINNED_SETTINGS });
    } catch (err) {
      const why = err instanceof ConnectionError ? err.message : String(err);
      checks.push(check('reachable', 'fail', `ToolJet Database ${opts.tooljetDb} is not reachable: ${why}`, [], opts.tooljetDb));
    }
    if (c) {
      try {
        progress(`${opts.tooljetDb}: sequences, extensions, statistics`);
        checks.push(check('reachable', 'pass', `ToolJet Database ${opts.tooljetDb} accepts verified connections`, [], opts.tooljetDb));
        checks.push(...(await checkDatabase(c, opts.tooljetDb, opts, writes)));
      } finally {
        await c.end().catch(() => undefined);
      }
    }
  }
  return { target: { display: t.display, version }, checks, writes, notices: t.notices, exitCode: exitCodeFor(checks) };
}
