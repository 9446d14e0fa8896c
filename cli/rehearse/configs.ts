// The ToolJet configuration of every target kind (the registry, targets/index.ts) for one database (the local clone,
// or the source for the rollback drill), rendered by each kind's renderers exactly as the Pulumi targets render it
// (targets/<kind>/rehearse.ts), as a list of files. AWS-side names the rehearsal cannot know (account, region, secret
// ARNs, the S3 object of the bundle, IAM roles) are obvious placeholders, listed in PLACEHOLDERS; every database and
// TLS setting is real. Pure: no I/O except write.
import * as fs from 'fs';
import * as path from 'path';
import { TargetKind, TARGETS } from '../../targets';
import { DOCKER_SECRET_KEYS, writeFileAtomic } from '../../targets/docker/render';
import type { DatabaseTarget } from '../../targets/shared/render';
import type { RehearsalFile, RehearsalSecrets } from '../../targets/shared/rehearsal';
import { caBundleFromPem } from '../../lib/tls/ca-bundle';

export type { TargetKind } from '../../targets';
export { PLACEHOLDERS } from '../../targets/shared/rehearsal';

export type RunSecrets = RehearsalSecrets;

export interface RenderedFile extends RehearsalFile {
  target: TargetKind;
}

/** Renders every target for `database`; the bundle is `caBundlePem` (the run's CA standing in for global-bundle.pem). */
export function renderTargetConfigs(
  database: DatabaseTarget,
  caBundlePem: string,
  secrets: RunSecrets,
): RenderedFile[] {
  const caBundle = caBundleFromPem(caBundlePem);
  return TARGETS.flatMap((d) => d.rehearse({ database, caBundle, secrets }).map((f) => ({ ...f, target: d.kind })));
}

/** Writes the files under `outDir` (atomically, with their modes). */
export function writeConfigs(outDir: string, files: RenderedFile[]): void {
  for (const f of files) {
    const abs = path.join(outDir, ...f.path.split('/'));
    fs.mkdirSync(path.dirname(abs), { recursive: true, mode: 0o755 });
    writeFileAtomic(abs, f.text, f.mode);
  }
}

/** Keys whose values are secrets, in any target (for hiding values in diffs). */
export const SECRET_KEYS = new Set<string>([...DOCKER_SECRET_KEYS, 'PG_PASS', 'TOOLJET_DB_PASS']);
/** Keys (env names, user-data settings) that name the database endpoint; a rollback may change exactly these. */
export const ENDPOINT_KEYS = new Set<string>([
  'PG_HOST',
  'PG_PORT',
  'PG_USER',
  'TOOLJET_DB_HOST',
  'TOOLJET_DB_PORT',
  'TOOLJET_DB_USER',
  'PGRST_DB_URI',
  'TJ_PG_HOST',
  'TJ_PG_PORT',
  'TJ_PG_USER',
  'TJ_TOOLJET_DB_HOST',
  'TJ_TOOLJET_DB_PORT',
  'TJ_TOOLJET_DB_USER',
]);
