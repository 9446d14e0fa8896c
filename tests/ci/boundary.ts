// The CI boundary of issue 14 (finding 1), as a check over parsed GitHub workflow files: a job that runs branch code
// must not be able to reach a production credential. docs/guard-rails-and-ci.md, "The CI boundary", describes the
// repository settings that enforce the same line against a branch that edits these files; this check keeps the
// workflows themselves from drifting across it.
//
// A job runs branch code when the workflow runs for a pull request, or when the job has no environment restricted to
// main (`workflow_dispatch` runs any branch's copy of the file; a push-to-main trigger does not stop a branch from
// dispatching it). Such a job may not:
//   - name a main-only environment (staging, production, production-preview);
//   - read a secret other than GITHUB_TOKEN, except PULUMI_ACCESS_TOKEN in the reviewed `preview` environment;
//   - read a role variable other than AWS_PREVIEW_ROLE_ARN in `preview` (so no AWS_DEPLOY_ROLE_ARN), or DEPLOY_RUNNER;
//   - run anywhere but a GitHub-hosted runner given literally (no self-hosted label, no expression);
//   - get `id-token: write` outside `preview`, or inherit permissions;
// and no workflow may use pull_request_target or workflow_run (they run with the base repository's secrets).
// Main-only jobs must also say `if: github.ref == 'refs/heads/main'`, and never run in a pull-request workflow.
// Besides: every action pinned to a commit SHA; no `${{ }}` inside a `run:` script (pass values through env); every
// pulumi/actions preview or up with `policyPacks: policy`, every up after a preview in the same job.

export const MAIN_ONLY_ENVIRONMENTS: readonly string[] = ['staging', 'production', 'production-preview'];
export const PREVIEW_ENVIRONMENT = 'preview';
const GITHUB_HOSTED = /^(ubuntu|windows|macos)-[A-Za-z0-9.-]+$/;
const PR_TRIGGERS = ['pull_request', 'pull_request_target', 'pull_request_review', 'pull_request_review_comment'];
const FORBIDDEN_TRIGGERS = ['pull_request_target', 'workflow_run'];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

export interface Problem {
  job?: string;
  message: string;
}

function triggersOf(workflow: Obj): string[] {
  const on = workflow.on;
  if (typeof on === 'string') return [on];
  if (Array.isArray(on)) return on.map(String);
  return isObj(on) ? Object.keys(on) : [];
}

function environmentOf(job: Obj): string | undefined {
  const e = job.environment;
  if (typeof e === 'string') return e;
  if (isObj(e) && typeof e.name === 'string') return e.name;
  return undefined;
}

/** Every `${{ … }}` expression in a value, plus bare `if:` conditions (which need no `${{ }}`). */
function expressions(v: unknown, key?: string): string[] {
  if (typeof v === 'string') {
    const out = [...v.matchAll(/\$\{\{([\s\S]*?)\}\}/g)].map((m) => m[1]);
    if (key === 'if' && out.length === 0) out.push(v);
    return out;
  }
  if (Array.isArray(v)) return v.flatMap((x) => expressions(x));
  if (isObj(v)) return Object.entries(v).flatMap(([k, x]) => expressions(x, k));
  return [];
}

function contextRefs(exprs: string[], context: 'secrets' | 'vars'): string[] {
  const out: string[] = [];
  for (const e of exprs) {
    for (const m of e.matchAll(new RegExp(`\\b${context}\\b(?:\\.([A-Za-z0-9_-]+))?`, 'g'))) {
      out.push(m[1] ?? `${context}[*]`);
    }
  }
  return out;
}

function stepsOf(job: Obj): Obj[] {
  return Array.isArray(job.steps) ? job.steps.filter(isObj) : [];
}

function permissionsOf(job: Obj): Obj | string | undefined {
  const p = job.permissions;
  return isObj(p) || typeof p === 'string' ? p : undefined;
}

/** Problems with one workflow file (parsed). */
export function checkWorkflow(workflow: Obj): Problem[] {
  const problems: Problem[] = [];
  const triggers = triggersOf(workflow);
  const prWorkflow = triggers.some((t) => PR_TRIGGERS.includes(t));
  for (const t of triggers.filter((x) => FORBIDDEN_TRIGGERS.includes(x))) {
    problems.push({ message: `trigger ${t} runs with the base repository's secrets: not allowed` });
  }
  const top = workflow.permissions;
  if (!isObj(top) || Object.keys(top).length !== 0) {
    problems.push({ message: 'workflow-level permissions must be {} (each job asks for what it needs)' });
  }
  const jobs = isObj(workflow.jobs) ? workflow.jobs : {};
  for (const [name, raw] of Object.entries(jobs)) {
    if (!isObj(raw)) continue;
    const job = raw;
    const add = (message: string) => problems.push({ job: name, message });
    const env = environmentOf(job);
    const mainOnly = env !== undefined && MAIN_ONLY_ENVIRONMENTS.includes(env);
    const branchCode = prWorkflow || !mainOnly;
    const exprs = expressions(job);
    const permissions = permissionsOf(job);
    if (permissions === undefined) add('no job-level permissions (it would inherit the workflow default)');
    if (typeof permissions === 'string') add(`permissions: ${permissions} (list each one the job needs)`);

    if (mainOnly && prWorkflow) add(`environment ${env} in a pull-request workflow`);
    if (mainOnly && !/github\.ref\s*==\s*'refs\/heads\/main'/.test(String(job.if ?? ''))) {
      add(`environment ${env} without if: github.ref == 'refs/heads/main'`);
    }
    if (branchCode) {
      if (env !== undefined && env !== PREVIEW_ENVIRONMENT) {
        add(`runs branch code in environment ${env} (only ${PREVIEW_ENVIRONMENT} is for branch code)`);
      }
      for (const s of contextRefs(exprs, 'secrets')) {
        if (s === 'GITHUB_TOKEN') continue;
        if (s === 'PULUMI_ACCESS_TOKEN' && env === PREVIEW_ENVIRONMENT) continue;
        add(`runs branch code and reads secrets.${s}`);
      }
      for (const v of contextRefs(exprs, 'vars')) {
        if (v === 'AWS_PREVIEW_ROLE_ARN' && env === PREVIEW_ENVIRONMENT) continue;
        if (/ROLE|DEPLOY|RUNNER|\[\*\]/.test(v)) add(`runs branch code and reads vars.${v}`);
      }
      const runsOn = job['runs-on'];
      if (typeof runsOn !== 'string' || !GITHUB_HOSTED.test(runsOn)) {
        add(`runs branch code on ${JSON.stringify(runsOn)}: only a GitHub-hosted runner, given literally`);
      }
      if (isObj(permissions) && permissions['id-token'] === 'write' && env !== PREVIEW_ENVIRONMENT) {
        add('runs branch code with id-token: write outside the preview environment');
      }
    }

    // Steps.
    let previewed = false;
    stepsOf(job).forEach((step, i) => {
      const where = `step ${typeof step.name === 'string' ? `"${step.name}"` : i + 1}`;
      const uses = typeof step.uses === 'string' ? step.uses : undefined;
      if (uses && !uses.startsWith('./') && !/@[0-9a-f]{40}$/.test(uses))
        add(`${where}: ${uses} is not pinned to a SHA`);
      if (typeof step.run === 'string' && step.run.includes('${{')) {
        add(`${where}: \${{ }} inside run: (pass values through env:, never into the script text)`);
      }
      if (uses?.startsWith('pulumi/actions@')) {
        const w = isObj(step.with) ? step.with : {};
        if (w.command === 'preview' || w.command === 'up') {
          if (w.policyPacks !== 'policy') add(`${where}: pulumi ${String(w.command)} without policyPacks: policy`);
        }
        if (w.command === 'preview') previewed = true;
        if (w.command === 'up' && !previewed) {
          add(`${where}: pulumi up without a preview before it in the job (stack policies run only in a preview)`);
        }
      }
      if (uses?.startsWith('aws-actions/configure-aws-credentials@')) {
        const role = String((isObj(step.with) ? step.with : {})['role-to-assume'] ?? '');
        if (branchCode && !(env === PREVIEW_ENVIRONMENT && /^\$\{\{\s*vars\.AWS_PREVIEW_ROLE_ARN\s*\}\}$/.test(role))) {
          add(`${where}: runs branch code and assumes ${role}`);
        }
      }
    });
  }
  return problems;
}

/** Problems with a composite action (parsed). */
export function checkAction(action: Obj): Problem[] {
  const problems: Problem[] = [];
  const runs = isObj(action.runs) ? action.runs : {};
  const steps = Array.isArray(runs.steps) ? runs.steps.filter(isObj) : [];
  steps.forEach((step, i) => {
    const where = `step ${typeof step.name === 'string' ? `"${step.name}"` : i + 1}`;
    const uses = typeof step.uses === 'string' ? step.uses : undefined;
    if (uses && !uses.startsWith('./') && !/@[0-9a-f]{40}$/.test(uses)) {
      problems.push({ message: `${where}: ${uses} is not pinned to a SHA` });
    }
    if (typeof step.run === 'string' && step.run.includes('${{')) {
      problems.push({ message: `${where}: \${{ }} inside run: (pass values through env:)` });
    }
  });
  if (contextRefs(expressions(action), 'secrets').length > 0) {
    problems.push({ message: 'a composite action reads secrets (pass them from the job)' });
  }
  return problems;
}
