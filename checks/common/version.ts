// Server versions: the source's is reported; the target must run the expected version (--expect-version: "16.9"
// exact, or "16" for the major only).
import type { ServerCheck } from '../check';
import { check, CheckResult } from '../report';
import { versionNumber } from '../session';

export function versionCheck(actual: string, expected: string): CheckResult {
  const number = versionNumber(actual);
  const ok = expected.includes('.') ? number === expected : number.split('.')[0] === expected;
  return ok
    ? check('target version', 'pass', `target runs PostgreSQL ${number} (expected ${expected})`)
    : check(
        'target version',
        'fail',
        `target runs PostgreSQL ${number}, expected ${expected}: the upgrade has not reached the expected version (check the engine version / parameter group)`,
      );
}

export const version: ServerCheck = {
  name: 'version',
  async run(ctx) {
    const out: CheckResult[] = [];
    if (ctx.source)
      out.push(check('source version', 'pass', `source runs PostgreSQL ${versionNumber(ctx.source.facts.version)}`));
    out.push(versionCheck(ctx.target.facts.version, ctx.options.expectVersion));
    return out;
  },
};
