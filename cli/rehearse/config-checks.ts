// The checks of the configs phase, made on the files as written under --out: modes and content, every endpoint
// setting naming the clone in all four targets, the same CA bundle everywhere, and no generated secret outside the
// two secret files.
import * as fs from 'fs';
import * as path from 'path';
import { check, CheckResult } from '../../checks/report';
import { TARGET_KINDS } from '../../targets';
import { CONTAINER_CA_PATH } from '../../targets/shared/render';
import { caBundleSha256 } from '../../lib/tls/ca-bundle';
import type { DatabaseTarget } from '../../targets/shared/render';
import { RenderedFile, RunSecrets } from './configs';
import { endpointPart, leakForms, leavesOf, pointsAt } from './leaves';

/** The checks of the configs phase, on the files as written. */
export function configChecks(
  outDir: string,
  files: RenderedFile[],
  clone: DatabaseTarget,
  caPem: string,
  secrets: RunSecrets,
): CheckResult[] {
  const checks: CheckResult[] = [];
  const onDisk = files.map((f) => {
    const abs = path.join(outDir, ...f.path.split('/'));
    return { f, abs, text: fs.readFileSync(abs, 'utf8'), mode: fs.statSync(abs).mode & 0o777 };
  });
  const badMode = onDisk
    .filter((x) => x.mode !== x.f.mode)
    .map((x) => `${x.f.path}: mode ${x.mode.toString(8)}, expected ${x.f.mode.toString(8)}`);
  const changed = onDisk
    .filter((x) => x.text !== x.f.text)
    .map((x) => `${x.f.path}: content differs from the rendering`);
  checks.push(
    badMode.length || changed.length
      ? check('configuration written', 'fail', 'files on disk differ from the rendering', [...badMode, ...changed])
      : check(
          'configuration written',
          'pass',
          `${files.length} files for ${TARGET_KINDS.join(', ')}`,
          files.map((f) => `${f.path} (${f.mode.toString(8)}${f.secret ? ', secrets' : ''}): ${f.description}`),
        ),
  );

  const problems: string[] = [];
  const perTarget: Record<string, number> = {};
  for (const f of files) {
    for (const l of leavesOf(f)) {
      const wrong = pointsAt(l, clone);
      if (wrong) problems.push(wrong);
      else if (endpointPart(l.name)) perTarget[f.target] = (perTarget[f.target] ?? 0) + 1;
    }
  }
  const missing = TARGET_KINDS.filter((t) => !perTarget[t]);
  checks.push(
    problems.length || missing.length
      ? check(
          'every target points at the clone',
          'fail',
          `settings that do not name the clone ${clone.host}:${clone.port}${missing.length ? `; none found for ${missing.join(', ')}` : ''}`,
          problems,
        )
      : check(
          'every target points at the clone',
          'pass',
          `every host, port, user and PostgREST URI setting names ${clone.host}:${clone.port} (${TARGET_KINDS.map((t) => `${t} ${perTarget[t]}`).join(', ')})`,
        ),
  );

  const sha = caBundleSha256(caPem);
  const bundleProblems: string[] = [];
  const get = (p: string): string => onDisk.find((x) => x.f.path === p)?.text ?? '';
  if (get('docker/certs/global-bundle.pem') !== caPem)
    bundleProblems.push('docker/certs/global-bundle.pem is not the run CA');
  if (!get('docker/docker-compose.override.yml').includes(`target: ${CONTAINER_CA_PATH}`))
    bundleProblems.push(`the compose override does not mount the bundle at ${CONTAINER_CA_PATH}`);
  const cm = JSON.parse(get('eks/configmap-rds-ssl-cert.json') || '{}');
  if (cm?.data?.['global-bundle.pem'] !== caPem) bundleProblems.push('the EKS ConfigMap does not hold the run CA');
  if (!get('ecs/task-definition.json').includes(`"value": "${sha}"`))
    bundleProblems.push('the ECS init container does not pin the bundle SHA-256');
  if (!get('ami/user-data.sh').includes(`TJ_CA_SHA256='${sha}'`))
    bundleProblems.push('the AMI user-data does not pin the bundle SHA-256');
  checks.push(
    bundleProblems.length
      ? check('CA bundle', 'fail', 'the CA bundle is not wired identically into every target', bundleProblems)
      : check(
          'CA bundle',
          'pass',
          `the run CA (standing in for global-bundle.pem, sha256 ${sha.slice(0, 16)}...) is mounted for Docker, held by the EKS ConfigMap and pinned by SHA-256 in the ECS task definition and the AMI user-data`,
        ),
  );

  const leaks: string[] = [];
  for (const x of onDisk) {
    if (x.f.secret) {
      if ((x.mode & 0o077) !== 0) leaks.push(`${x.f.path} holds secrets but is mode ${x.mode.toString(8)}`);
      continue;
    }
    for (const [name, value] of Object.entries(secrets))
      if (leakForms(value).some((v) => x.text.includes(v))) leaks.push(`${x.f.path} contains the value of ${name}`);
  }
  checks.push(
    leaks.length
      ? check(
          'secrets only in secret stores',
          'fail',
          'a generated secret appears outside the .env / Kubernetes Secret, or a secret file is readable by others',
          leaks,
        )
      : check(
          'secrets only in secret stores',
          'pass',
          `the generated password and keys appear only in ${files
            .filter((f) => f.secret)
            .map((f) => f.path)
            .join(' and ')} (mode 600); ECS and AMI reference secrets by ARN/name`,
        ),
  );
  return checks;
}
