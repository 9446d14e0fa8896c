// `tj-pg-upgrade rehearse`: the whole runbook on this machine (cli/rehearse). Loaded only when run; the rehearsal
// itself is imported inside run(), so --help stays light.
import { COMMON, CONNECTION_HELP, Command, str, UsageError } from '../command';
import { DEFAULT_SIZE_MB } from '../rehearse/defaults';
import { DEFAULT_OUT, RehearsalUsageError } from '../rehearse/outdir';

export const command: Command = {
  help: `Usage: tj-pg-upgrade rehearse [--source <url>] [--size-mb N] [--out DIR] [--keep] [--json]

Rehearses ToolJet's PostgreSQL 13 -> 16.9 upgrade on this machine, with real PostgreSQL 13.21 and 16.9:
  1 source    a local PostgreSQL 13.21 seeded with a ToolJet-shaped fixture, or your --source (only ever read)
  2 precheck  blockers stop the rehearsal (exit 1) with the report
  3 clone     a point-in-time copy on a local PostgreSQL 16.9 with TLS (a CA generated for the run stands in for
              the RDS CA bundle): logical replication from the local source; pg_dump | psql from a --source
  4 cutover   (local source) writes stopped -> clone caught up -> replica detached -> sequences set
  5 validate  tj-pg-upgrade validate --analyze, ToolJet database and ToolJet Database
  6 configs   ToolJet configuration for Docker, ECS, EKS and AMI pointing at the clone, written under --out
  7 tooljet   connections made exactly as ToolJet makes them, from the rendered Docker .env
  8 rollback  every target rendered again with activeDatabase: source and compared setting by setting
  9 results   results.md (ToolJet's "PostgreSQL 16.9 Upgrade Test Results") and results.json under --out

Options:
  --source <url>      your PostgreSQL 13 (e.g. a restored copy of production); read-only session. Without it, a
                      local 13.21 with the fixture. Keep the password out of argv: PGPASSWORD works.
  --tooljet-db <name> the ToolJet Database on --source's server (default: tooljet_db if it exists there)
  --size-mb <n>       size of the generated fixture in MB (default ${DEFAULT_SIZE_MB}; not with --source)
  --out <dir>         where the configuration and results go (default ./${DEFAULT_OUT}); must be new, empty, or an
                      earlier rehearsal's output (which is replaced)
  --strategy <s>      clone (default) or replication: rehearse strategy replication with tj-pg-upgrade replicate
                      (fixture only): setup, writes, catch-up, finish, validate, reverse, writes on 16.9, catch-up
                      and finish reverse, rollback-report (0 rows missing), teardown; downtime per phase in results.md
  --keep              leave both servers running and the temporary files in place (the summary says how to stop them)
  --json              print results.json on stdout instead of the summary
  --insecure          allow sslmode=disable/allow/prefer for --source (plain text)
  -q, --quiet         no progress lines on stderr
  -h, --help          this help

${CONNECTION_HELP}

Ctrl-C (SIGINT) or SIGTERM stops the servers and removes the temporary files and a partly written --out.
Exit codes: 0 everything passed (warnings allowed), 1 a blocker or a failed check (see results.md), 2 usage or
connection error, 130/143 interrupted.`,
  options: {
    json: COMMON.json,
    insecure: COMMON.insecure,
    quiet: COMMON.quiet,
    help: COMMON.help,
    source: { type: 'string' },
    'tooljet-db': { type: 'string' },
    'size-mb': { type: 'string' },
    out: { type: 'string' },
    keep: { type: 'boolean' },
    strategy: { type: 'string' },
  },
  async run(values, io) {
    const sizeText = str(values, 'size-mb');
    if (sizeText !== undefined && !/^\d+(\.\d+)?$/.test(sizeText))
      throw new UsageError(`--size-mb must be a positive number of MB, got "${sizeText}"`);
    const strategy = str(values, 'strategy') ?? 'clone';
    if (strategy !== 'clone' && strategy !== 'replication')
      throw new UsageError(`--strategy must be clone or replication, got "${strategy}"`);
    const out = str(values, 'out') ?? DEFAULT_OUT;
    if (!out.trim()) throw new UsageError('--out needs a directory');
    const controller = new AbortController();
    const onSignal = (sig: NodeJS.Signals): void => {
      if (controller.signal.aborted) return;
      io.err(`\ntj-pg-upgrade rehearse: ${sig} received: stopping the servers and removing temporary files ...`);
      controller.abort(sig);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const say = values.quiet ? undefined : (line: string) => io.err(line);
    try {
      const { renderSummary, runRehearsal } = await import('../rehearse');
      const report = await runRehearsal({
        source: str(values, 'source'),
        tooljetDb: str(values, 'tooljet-db'),
        sizeMb: sizeText === undefined ? undefined : Number(sizeText),
        out,
        keep: !!values.keep,
        strategy,
        insecure: !!values.insecure,
        env: io.env,
        signal: controller.signal,
        onPhase: say,
        onProgress: io.progress ? say : undefined,
      });
      if (report.interrupted) {
        io.err(
          `tj-pg-upgrade rehearse: interrupted by ${report.interrupted}; servers stopped${values.keep ? '' : ', temporary files removed'}`,
        );
        return report.exitCode;
      }
      if (values.json) io.out(JSON.stringify(report, null, 2));
      else io.out(renderSummary(report, `${report.outDir}/results.md`));
      return report.exitCode;
    } catch (err) {
      if (controller.signal.aborted) {
        // Interrupted before anything was started (nothing to clean up).
        io.err(`tj-pg-upgrade rehearse: interrupted by ${controller.signal.reason}`);
        return controller.signal.reason === 'SIGTERM' ? 143 : 130;
      }
      if (err instanceof RehearsalUsageError) throw new UsageError(err.message);
      throw err;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};
