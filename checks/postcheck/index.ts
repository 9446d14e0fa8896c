// `tj-pg-upgrade postcheck`: checks an upgraded instance ON ITS OWN, for when there is no source left to compare
// with (after an RDS blue/green switchover the provider deletes the old instance). Verified TLS, the server version,
// sequences against the columns they feed (logical replication does not carry sequences), extensions still to
// update, and tables without optimizer statistics. Writes only with --fix-sequences (setval) and --analyze.
// The checks themselves are in list.ts, in report order.
import type { Client } from 'pg';
import { connect, ConnectionError, ConnectionTarget, resolveTarget, withDatabase } from '../../lib/pg/connection';
import { CheckOptions, runDatabaseChecks, runServerChecks } from '../check';
import { check, CheckResult, exitCodeFor } from '../report';
import { serverFacts, versionNumber } from '../session';
import { PINNED_SETTINGS } from '../settings';
import { POSTCHECK_CHECKS, POSTCHECK_SERVER_CHECKS } from './list';

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

async function checkDatabase(
  c: Client,
  label: string,
  options: CheckOptions,
  writes: string[],
  notices: string[],
  progress: (m: string) => void,
): Promise<CheckResult[]> {
  progress(`${label}: sequences, extensions, statistics`);
  return (await runDatabaseChecks(POSTCHECK_CHECKS, { label, admin: c, options, writes, notices, progress })).results;
}

export async function runPostcheck(opts: PostcheckOptions): Promise<PostcheckResult> {
  const progress = opts.onProgress ?? (() => undefined);
  const t =
    typeof opts.target === 'object' && opts.target
      ? opts.target
      : resolveTarget(opts.target, {
          env: opts.env,
          insecure: opts.insecure,
          applicationName: 'tj-pg-upgrade postcheck',
        });
  const expected = opts.expectVersion ?? '16.9';
  if (!/^\d+(\.\d+)?$/.test(expected)) throw new Error(`invalid expected version "${expected}" (e.g. 16.9 or 16)`);
  const checks: CheckResult[] = [];
  const writes: string[] = [];
  const notices = [...t.notices];
  const options: CheckOptions = { expectVersion: expected, analyze: opts.analyze, fixSequences: opts.fixSequences };
  progress(`connecting to ${t.display}`);
  const main = await connect(t, { settings: PINNED_SETTINGS });
  let version = '';
  try {
    const facts = await serverFacts(main);
    version = versionNumber(facts.version);
    checks.push(
      ...(await runServerChecks(POSTCHECK_SERVER_CHECKS, {
        target: { side: 'target', client: main, connection: t, facts },
        options,
      })),
    );
    checks.push(...(await checkDatabase(main, t.database, options, writes, notices, progress)));
  } finally {
    await main.end().catch(() => undefined);
  }
  if (opts.tooljetDb) {
    let c: Client | undefined;
    try {
      c = await connect(withDatabase(t, opts.tooljetDb), { settings: PINNED_SETTINGS });
    } catch (err) {
      const why = err instanceof ConnectionError ? err.message : String(err);
      checks.push(
        check('reachable', 'fail', `ToolJet Database ${opts.tooljetDb} is not reachable: ${why}`, [], opts.tooljetDb),
      );
    }
    if (c) {
      try {
        checks.push(
          check(
            'reachable',
            'pass',
            `ToolJet Database ${opts.tooljetDb} accepts verified connections`,
            [],
            opts.tooljetDb,
          ),
        );
        checks.push(...(await checkDatabase(c, opts.tooljetDb, options, writes, notices, progress)));
      } finally {
        await c.end().catch(() => undefined);
      }
    }
  }
  return { target: { display: t.display, version }, checks, writes, notices, exitCode: exitCodeFor(checks) };
}
