// The local rehearsal, phase by phase, measured through the library functions it is built from (the `rehearse`
// command itself lives elsewhere): precheck of the 13.21 source, copy to 16.9 (measured when the bench builds its
// data), validation in-process, and rendering ToolJet's configuration for every target kind against the 16.9 server.
import * as crypto from 'crypto';
import { runPrecheck } from '../checks/precheck';
import { runValidate } from '../checks/validate';
import { ConnectionTarget } from '../lib/pg/connection';
import { TARGET_KINDS, TARGETS } from '../targets';
import type { DatabaseTarget } from '../targets/shared/render';
import { caBundleFromPem } from '../lib/tls/ca-bundle';
import { timed } from './stats';

export interface Phase {
  phase: string;
  seconds: number;
  detail: string;
}

/** Renders every target kind's artifacts (the registry's, as the rehearsal does) for `database`; their total size in bytes. */
export function renderAllTargets(database: DatabaseTarget, caBundlePem: string): number {
  const caBundle = caBundleFromPem(caBundlePem);
  const hex = (n: number): string => crypto.randomBytes(n).toString('hex');
  const secrets = {
    dbPassword: `bench-${hex(8)}`,
    lockboxMasterKey: hex(32),
    secretKeyBase: hex(64),
    pgrstJwtSecret: hex(24),
  };
  return TARGETS.flatMap((d) => d.rehearse({ database, caBundle, secrets })).reduce((n, f) => n + f.text.length, 0);
}

export interface RehearsalInput {
  source: ConnectionTarget;
  target: ConnectionTarget;
  /** The copy the bench made to build the target (copyDatabase, pg_dump | psql). */
  copy: { seconds: number; bytes: number };
  caBundlePem: string;
  jobs: number;
}

export async function measureRehearsal(input: RehearsalInput): Promise<Phase[]> {
  const phases: Phase[] = [];
  const pre = await timed(() => runPrecheck({ source: input.source }));
  if (pre.value.exitCode !== 0)
    throw new Error(
      `precheck found blockers on the bench source: ${pre.value.checks
        .filter((c) => c.status === 'fail')
        .map((c) => c.name)
        .join(', ')}`,
    );
  phases.push({
    phase: 'precheck',
    seconds: pre.seconds,
    detail: `${pre.value.checks.length} checks, ${pre.value.databases.checked.length} databases, no blocker`,
  });
  phases.push({
    phase: 'copy',
    seconds: input.copy.seconds,
    detail: `pg_dump | psql, ${(input.copy.bytes / 1048576).toFixed(0)} MB of SQL`,
  });
  const val = await timed(() => runValidate({ source: input.source, target: input.target, jobs: input.jobs }));
  if (val.value.exitCode !== 0)
    throw new Error(
      `validate failed on the bench copy: ${val.value.checks
        .filter((c) => c.status === 'fail')
        .map((c) => c.name)
        .join(', ')}`,
    );
  phases.push({
    phase: 'validation',
    seconds: val.seconds,
    detail: `${val.value.checks.length} checks passed (in-process runValidate)`,
  });
  const database: DatabaseTarget = {
    host: input.target.host,
    port: input.target.port,
    user: input.target.user,
    database: input.target.database,
    tooljetDatabase: 'tooljet_db',
  };
  const render = await timed(async () => renderAllTargets(database, input.caBundlePem));
  phases.push({
    phase: 'config rendering',
    seconds: render.seconds,
    detail: `${TARGET_KINDS.join(', ')}: ${(render.value / 1024).toFixed(0)} kB of artifacts`,
  });
  return phases;
}
