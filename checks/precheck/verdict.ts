// The verdict most precheck checks give: objects found fail the check with what is wrong and what to do; none found
// pass it. Shared by the upgrade's checks (list.ts) and strategy replication's (replication.ts).
import { check, CheckResult } from '../report';

/** Objects found: fail with `what` and `action`; none: pass with `none`. */
export function blocker(name: string, found: string[], what: string, action: string, none: string): CheckResult {
  return found.length ? check(name, 'fail', `${what} ${action}`, found) : check(name, 'pass', none);
}
