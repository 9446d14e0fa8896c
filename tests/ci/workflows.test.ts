// The GitHub workflows and actions, parsed (policy/yaml.ts), against the CI boundary of issue 14 (tests/ci/boundary.ts)
// and the deploy rules of issue 12 (items 7 and 10). On main the pull-request preview ran `pulumi preview --stack prod`
// with the repository-wide PULUMI_ACCESS_TOKEN and an OIDC token, outside any environment: the first test fails there.
//
// GitHub behaviour the rules rest on (docs.github.com): environment secrets and variables reach only jobs that name
// the environment, after its protection rules (required reviewers, deployment branches) pass ("Managing environments
// for deployment"); the OIDC token's `sub` is `repo:<owner>/<repo>:environment:<name>` for a job with an environment
// and `repo:<owner>/<repo>:pull_request` for a pull-request job without one ("About security hardening with OpenID
// Connect", example subject claims); a pull_request workflow from a fork gets no secrets and a read-only token.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { parseYaml } from '../helpers/yaml';
import { checkAction, checkWorkflow, PREVIEW_ENVIRONMENT, Problem } from './boundary';

const ROOT = path.resolve(__dirname, '../..');
const WORKFLOWS = path.join(ROOT, '.github/workflows');
const ACTIONS = path.join(ROOT, '.github/actions');

type Obj = Record<string, any>;
const load = (file: string): Obj => parseYaml(fs.readFileSync(file, 'utf8'), path.relative(ROOT, file)) as Obj;
const workflowFiles = () => fs.readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f));
const show = (ps: Problem[]) => ps.map((p) => `${p.job ? `${p.job}: ` : ''}${p.message}`);
const clone = (o: Obj): Obj => JSON.parse(JSON.stringify(o));

describe('CI workflows: the boundary a branch cannot cross (issue 14)', () => {
  it('no job that runs branch code can reach a production credential, in any workflow or action', () => {
    const problems: string[] = [];
    for (const f of workflowFiles()) {
      problems.push(...show(checkWorkflow(load(path.join(WORKFLOWS, f)))).map((p) => `${f}: ${p}`));
    }
    for (const a of fs.readdirSync(ACTIONS)) {
      problems.push(...show(checkAction(load(path.join(ACTIONS, a, 'action.yml')))).map((p) => `${a}: ${p}`));
    }
    assert.deepEqual(problems, []);
  });

  it('previews pull requests of staging only, in the reviewed preview environment, with its preview role', () => {
    const pr = load(path.join(WORKFLOWS, 'pull-request.yml'));
    const previews = Object.entries(pr.jobs as Obj).filter(([, j]) =>
      (j.steps ?? []).some((s: Obj) => String(s.uses ?? '').startsWith('pulumi/actions@')),
    );
    assert.deepEqual(
      previews.map(([name]) => name),
      ['preview'],
    );
    const job = previews[0][1];
    assert.equal(job.environment, PREVIEW_ENVIRONMENT);
    assert.equal(job.strategy, undefined, 'no matrix: prod is never previewed by branch code');
    const pulumiSteps = job.steps.filter((s: Obj) => String(s.uses ?? '').startsWith('pulumi/actions@'));
    assert.deepEqual(
      pulumiSteps.map((s: Obj) => [s.with.command, s.with['stack-name']]),
      [['preview', "${{ vars.PULUMI_ORG != '' && format('{0}/staging', vars.PULUMI_ORG) || 'staging' }}"]],
    );
    const prepare = job.steps.find((s: Obj) => s.uses === './.github/actions/prepare-pulumi');
    assert.equal(prepare.with.stack, 'staging');
  });

  it('deploys staging, previews prod for the reviewers, then deploys prod, each in its main-only environment', () => {
    const deploy = load(path.join(WORKFLOWS, 'deploy.yml'));
    const jobs = deploy.jobs as Obj;
    assert.deepEqual(
      Object.fromEntries(Object.entries(jobs).map(([n, j]) => [n, [j.environment ?? null, j.needs ?? null]])),
      {
        test: [null, null],
        staging: ['staging', 'test'],
        'prod-preview': ['production-preview', 'staging'],
        prod: ['production', 'prod-preview'],
      },
    );
    for (const name of ['staging', 'prod']) {
      const commands = jobs[name].steps
        .filter((s: Obj) => String(s.uses ?? '').startsWith('pulumi/actions@'))
        .map((s: Obj) => s.with.command);
      assert.deepEqual(commands, ['preview', 'up'], `${name}: the stack policies run in the preview before the up`);
    }
  });

  describe('the check catches each way across', () => {
    const pr = () => clone(load(path.join(WORKFLOWS, 'pull-request.yml')));
    const deploy = () => clone(load(path.join(WORKFLOWS, 'deploy.yml')));
    const cases: [string, () => Obj, RegExp][] = [
      [
        'a pull-request job in environment staging',
        () => {
          const w = pr();
          w.jobs.preview.environment = 'staging';
          return w;
        },
        /preview: environment staging in a pull-request workflow/,
      ],
      [
        'a pull-request job on the self-hosted runner',
        () => {
          const w = pr();
          w.jobs.test['runs-on'] = '${{ vars.DEPLOY_RUNNER }}';
          return w;
        },
        /test: runs branch code on .*only a GitHub-hosted runner/,
      ],
      [
        'a pull-request job with the repository Pulumi token and no environment (main before issue 14)',
        () => {
          const w = pr();
          delete w.jobs.preview.environment;
          return w;
        },
        /preview: runs branch code and reads secrets\.PULUMI_ACCESS_TOKEN/,
      ],
      [
        'a pull-request job assuming the deploy role',
        () => {
          const w = pr();
          const aws = w.jobs.preview.steps.find((s: Obj) => String(s.uses).startsWith('aws-actions/'));
          aws.with['role-to-assume'] = '${{ vars.AWS_DEPLOY_ROLE_ARN }}';
          return w;
        },
        /preview: runs branch code and reads vars\.AWS_DEPLOY_ROLE_ARN/,
      ],
      [
        'a dispatchable test job given a secret',
        () => {
          const w = deploy();
          w.jobs.test.steps[2].env = { TOKEN: '${{ secrets.PULUMI_ACCESS_TOKEN }}' };
          return w;
        },
        /test: runs branch code and reads secrets\.PULUMI_ACCESS_TOKEN/,
      ],
      [
        'a job in production without the main-only condition',
        () => {
          const w = deploy();
          delete w.jobs.prod.if;
          return w;
        },
        /prod: environment production without if: github\.ref == 'refs\/heads\/main'/,
      ],
      [
        'a pull_request_target trigger',
        () => {
          const w = pr();
          w.on = { pull_request_target: { branches: ['main'] } };
          return w;
        },
        /trigger pull_request_target runs with the base repository's secrets/,
      ],
      [
        'an up without a preview before it',
        () => {
          const w = deploy();
          w.jobs.staging.steps = w.jobs.staging.steps.filter((s: Obj) => s.with?.command !== 'preview');
          return w;
        },
        /staging: step .*pulumi up without a preview before it/,
      ],
      [
        'an up without the policy pack',
        () => {
          const w = deploy();
          delete w.jobs.prod.steps.find((s: Obj) => s.with?.command === 'up').with.policyPacks;
          return w;
        },
        /prod: step .*pulumi up without policyPacks: policy/,
      ],
      [
        'an expression inside a run script',
        () => {
          const w = pr();
          w.jobs.test.steps[2].run = 'echo ${{ github.event.pull_request.title }}';
          return w;
        },
        /test: step .*inside run:/,
      ],
      [
        'an action pinned by tag',
        () => {
          const w = pr();
          w.jobs.test.steps[0].uses = 'actions/checkout@v6';
          return w;
        },
        /test: step 1: actions\/checkout@v6 is not pinned to a SHA/,
      ],
    ];
    for (const [what, make, expected] of cases) {
      it(`refuses ${what}`, () => {
        const problems = show(checkWorkflow(make()));
        assert.ok(
          problems.some((p) => expected.test(p)),
          `expected ${expected} in:\n${problems.join('\n')}`,
        );
      });
    }
  });
});
