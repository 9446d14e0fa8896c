// The scripts the workflows run, run for real: the pinned RDS CA bundle (issue 12, item 7), the stack check that keeps
// Docker out of CI and places an EKS kubeconfig, and the Kubernetes credentials step (issue 12, item 10). And
// shellcheck over every script and every `run:` block of the workflows and actions.
import { strict as assert } from 'assert';
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseYaml } from '../helpers/yaml';
import { hostPathWithout } from '../helpers/path';
import { planStackForCi, StackCiError } from '../../.github/scripts/ci-stack-check';

const ROOT = path.resolve(__dirname, '../..');
const FETCH = path.join(ROOT, '.github/scripts/fetch-rds-ca-bundle.sh');
const KUBE = path.join(ROOT, '.github/scripts/kube-credentials.sh');

function tmpdir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'tj-ci-'));
  after(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

/** A CA certificate that looks like an RDS root to the fetch script (subject O and OU as AWS issues them). */
function rdsLikeCa(dir: string, cn: string): string {
  const pem = path.join(dir, `${cn.replace(/\W+/g, '-')}.pem`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      path.join(dir, 'key.pem'),
      '-out',
      pem,
      '-days',
      '30',
      '-subj',
      `/C=US/O=Amazon Web Services, Inc./OU=Amazon RDS/ST=WA/CN=${cn}/L=Seattle`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
    ],
    { stdio: 'ignore' },
  );
  return pem;
}

const sha256 = (file: string) => execFileSync('sha256sum', [file]).toString().split(' ')[0];

describe('CI scripts', () => {
  describe('fetch-rds-ca-bundle.sh: the bundle must equal the sha256 pinned in the repository (issue 12, item 7)', () => {
    let dir: string;
    let bundle: string;
    before(() => {
      dir = tmpdir();
      bundle = rdsLikeCa(dir, 'Amazon RDS us-east-1 Root CA RSA2048 G1');
    });
    const run = (pinFile: string, dest: string) =>
      spawnSync('bash', [FETCH, '--from', bundle, dest], {
        env: { ...process.env, RDS_CA_BUNDLE_PIN_FILE: pinFile },
        encoding: 'utf8',
      });

    it('the repository pin file exists and is what the script reads by default', () => {
      const pin = fs.readFileSync(path.join(ROOT, '.github/rds-ca-bundle.sha256'), 'utf8');
      assert.match(pin, /^# The sha256 of the reviewed RDS CA bundle/);
      assert.match(
        fs.readFileSync(FETCH, 'utf8'),
        /pin_file="\$\{RDS_CA_BUNDLE_PIN_FILE:-\$here\/\.\.\/rds-ca-bundle\.sha256\}"/,
      );
    });

    it('refuses a bundle when nothing is pinned, printing the line to commit, and installs nothing', () => {
      const pinFile = path.join(dir, 'empty.sha256');
      fs.writeFileSync(pinFile, '# nothing pinned yet\n');
      const dest = path.join(dir, 'out-none/global-bundle.pem');
      const r = run(pinFile, dest);
      assert.equal(r.status, 1, r.stderr);
      const line = r.stderr.trim();
      assert.equal(line.split('\n').length, 1, 'one line');
      assert.match(line, new RegExp(`no sha256 pinned in ${pinFile}: review this bundle \\(1 certificates\\)`));
      assert.ok(line.includes(`echo '${sha256(bundle)}  global-bundle.pem' >> ${pinFile}`), line);
      assert.ok(!fs.existsSync(dest));
    });

    it('installs the bundle whose sha256 is pinned', () => {
      const pinFile = path.join(dir, 'good.sha256');
      fs.writeFileSync(pinFile, `# reviewed\n${sha256(bundle)}  global-bundle.pem\n`);
      const dest = path.join(dir, 'out-good/global-bundle.pem');
      const r = run(pinFile, dest);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /1 certificates \(1 valid now\), sha256 [0-9a-f]{64} \(pinned\)/);
      assert.equal(fs.readFileSync(dest, 'utf8'), fs.readFileSync(bundle, 'utf8'));
    });

    it('refuses a changed bundle before any Pulumi command, saying it would roll every target', () => {
      const pinFile = path.join(dir, 'old.sha256');
      fs.writeFileSync(pinFile, `${'a'.repeat(64)}  global-bundle.pem\n`);
      const dest = path.join(dir, 'out-changed/global-bundle.pem');
      const r = run(pinFile, dest);
      assert.equal(r.status, 1);
      assert.match(
        r.stderr.trim(),
        /^fetch-rds-ca-bundle: the RDS CA bundle changed: sha256 [0-9a-f]{64}, pinned a{64} in .*; a new bundle rolls every ToolJet target at the next pulumi up: review it, then commit the new sum to .* in a pull request merged for a maintenance window$/,
      );
      assert.ok(!fs.existsSync(dest));
    });

    it('refuses a pin that is not a sha256', () => {
      const pinFile = path.join(dir, 'bad.sha256');
      fs.writeFileSync(pinFile, 'latest\n');
      const r = run(pinFile, path.join(dir, 'out-bad/x.pem'));
      assert.equal(r.status, 1);
      assert.match(r.stderr, /holds 'latest', not a lower-case hex sha256/);
    });
  });

  describe('ci-stack-check.ts: what a stack needs from CI (issue 12, item 10)', () => {
    let root: string;
    before(() => {
      root = tmpdir();
    });
    const stackFile = (name: string, targets: string) =>
      fs.writeFileSync(
        path.join(root, `Pulumi.${name}.yaml`),
        `config:\n  aws:region: us-east-1\n  tooljet-pg-upgrade:targets:\n${targets}`,
      );

    it('refuses the example staging stack: its Docker target would write /opt/tooljet on a throw-away runner', () => {
      assert.throws(
        () => planStackForCi(ROOT, 'staging', { EKS_CLUSTER_NAME: 'tooljet', RUNNER_TEMP: '/tmp' }),
        (e: unknown) =>
          e instanceof StackCiError &&
          /^Pulumi\.staging\.yaml: targets\.docker writes \/opt\/tooljet .* remove targets\.docker from this stack/.test(
            e.message,
          ),
      );
    });

    it('passes the example prod stack (ECS only: nothing to add)', () => {
      assert.deepEqual(planStackForCi(ROOT, 'prod', {}), { eks: false });
    });

    it('an EKS target needs EKS_CLUSTER_NAME, then gets a kubeconfig in RUNNER_TEMP exported as KUBECONFIG', () => {
      stackFile(
        'eks',
        '    eks:\n      namespace: tooljet\n      context: arn:aws:eks:us-east-1:123456789012:cluster/tj\n',
      );
      assert.throws(() => planStackForCi(root, 'eks', { RUNNER_TEMP: '/rt' }), /set the variable EKS_CLUSTER_NAME/);
      assert.deepEqual(planStackForCi(root, 'eks', { EKS_CLUSTER_NAME: 'tj', RUNNER_TEMP: '/rt' }), {
        eks: true,
        kubeconfig: '/rt/kubeconfig',
        exportKubeconfig: true,
        context: 'arn:aws:eks:us-east-1:123456789012:cluster/tj',
      });
    });

    it("writes the kubeconfig where the stack's targets.eks.kubeconfig says, inside the repository only", () => {
      stackFile('eks2', '    eks:\n      kubeconfig: certs/kubeconfig-eks2\n');
      assert.deepEqual(planStackForCi(root, 'eks2', { EKS_CLUSTER_NAME: 'tj' }), {
        eks: true,
        kubeconfig: path.join(root, 'certs/kubeconfig-eks2'),
        exportKubeconfig: false,
      });
      stackFile('eks3', '    eks:\n      kubeconfig: ../outside\n');
      assert.throws(() => planStackForCi(root, 'eks3', { EKS_CLUSTER_NAME: 'tj' }), /is outside the repository/);
    });

    it('runs as the workflow runs it, printing $GITHUB_OUTPUT lines or one error line', () => {
      stackFile('ecs', '    ecs:\n      cluster: tooljet\n');
      const run = (stack: string) =>
        spawnSync(
          process.execPath,
          ['-r', 'ts-node/register/transpile-only', path.join(ROOT, '.github/scripts/ci-stack-check.ts'), stack],
          {
            cwd: root,
            encoding: 'utf8',
            env: {
              ...process.env,
              NODE_PATH: path.join(ROOT, 'node_modules'),
              TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.json'),
            },
          },
        );
      const ok = run('ecs');
      assert.equal(ok.status, 0, ok.stderr);
      assert.equal(ok.stdout, 'eks=false\n');
      const missing = run('nope');
      assert.equal(missing.status, 1);
      assert.equal(
        missing.stderr,
        'ci-stack-check: Pulumi.nope.yaml does not exist: the workflow names a stack this repository has no file for\n',
      );
    });
  });

  describe('kube-credentials.sh: aws eks update-kubeconfig with the job role', () => {
    let dir: string;
    let bin: string;
    before(() => {
      dir = tmpdir();
      bin = path.join(dir, 'bin');
      fs.mkdirSync(bin);
      // A stand-in for the AWS CLI: records its arguments and writes the kubeconfig where --kubeconfig says.
      fs.writeFileSync(
        path.join(bin, 'aws'),
        '#!/bin/sh\necho "$@" > "$AWS_ARGS_LOG"\nwhile [ $# -gt 0 ]; do [ "$1" = --kubeconfig ] && echo "apiVersion: v1" > "$2"; shift; done\n',
        { mode: 0o755 },
      );
    });

    it('writes the kubeconfig (mode 600), names the context, and exports KUBECONFIG for the next steps', () => {
      const kubeconfig = path.join(dir, 'rt/kubeconfig');
      const githubEnv = path.join(dir, 'github-env');
      const log = path.join(dir, 'args');
      const r = spawnSync('bash', [KUBE], {
        encoding: 'utf8',
        env: {
          PATH: `${bin}:${process.env.PATH}`,
          AWS_ARGS_LOG: log,
          EKS_CLUSTER_NAME: 'tooljet-staging',
          AWS_REGION: 'us-east-1',
          TJ_KUBECONFIG: kubeconfig,
          TJ_EXPORT_KUBECONFIG: 'true',
          TJ_CONTEXT: 'arn:aws:eks:us-east-1:123456789012:cluster/tooljet-staging',
          GITHUB_ENV: githubEnv,
        },
      });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(
        fs.readFileSync(log, 'utf8').trim(),
        `eks update-kubeconfig --name tooljet-staging --region us-east-1 --kubeconfig ${kubeconfig} --alias arn:aws:eks:us-east-1:123456789012:cluster/tooljet-staging`,
      );
      assert.equal(fs.statSync(kubeconfig).mode & 0o777, 0o600);
      assert.equal(fs.readFileSync(githubEnv, 'utf8'), `KUBECONFIG=${kubeconfig}\n`);
    });

    it('fails in one line without the AWS CLI on PATH', () => {
      const r = spawnSync('bash', [KUBE], {
        encoding: 'utf8',
        env: {
          PATH: hostPathWithout(['aws']),
          EKS_CLUSTER_NAME: 'x',
          AWS_REGION: 'us-east-1',
          TJ_KUBECONFIG: path.join(dir, 'k'),
        },
      });
      assert.equal(r.status, 1);
      assert.equal(
        r.stderr,
        'kube-credentials: the AWS CLI is not on PATH: install it on the runner (GitHub-hosted runners have it)\n',
      );
    });
  });

  describe('shellcheck', () => {
    it('passes every script of .github/ and .ci/', () => {
      const scripts = [
        ...fs
          .readdirSync(path.join(ROOT, '.github/scripts'))
          .filter((f) => f.endsWith('.sh'))
          .map((f) => path.join(ROOT, '.github/scripts', f)),
        path.join(ROOT, '.ci/run'),
      ];
      const r = spawnSync('shellcheck', ['-s', 'bash', ...scripts], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stdout + r.stderr);
    });

    it('passes every run: block of the workflows and composite actions (bash, as Actions runs them)', () => {
      const blocks: { where: string; run: string }[] = [];
      const collect = (v: unknown, where: string) => {
        if (Array.isArray(v)) v.forEach((x, i) => collect(x, `${where}[${i}]`));
        else if (v && typeof v === 'object') {
          for (const [k, x] of Object.entries(v)) {
            if (k === 'run' && typeof x === 'string') blocks.push({ where, run: x });
            else collect(x, `${where}.${k}`);
          }
        }
      };
      const files = [
        ...fs.readdirSync(path.join(ROOT, '.github/workflows')).map((f) => path.join('.github/workflows', f)),
        ...fs.readdirSync(path.join(ROOT, '.github/actions')).map((a) => path.join('.github/actions', a, 'action.yml')),
      ];
      for (const f of files) collect(parseYaml(fs.readFileSync(path.join(ROOT, f), 'utf8'), f), f);
      assert.ok(blocks.length >= 6, `found ${blocks.length} run blocks`);
      for (const b of blocks) {
        // Actions runs `bash --noprofile --norc -eo pipefail {0}`; GITHUB_OUTPUT/GITHUB_ENV come from the runner.
        const script = `#!/usr/bin/env bash\nset -eo pipefail\n: "\${GITHUB_OUTPUT:?}" "\${GITHUB_ENV:?}"\n${b.run}\n`;
        const r = spawnSync('shellcheck', ['-s', 'bash', '-'], { input: script, encoding: 'utf8' });
        assert.equal(r.status, 0, `${b.where}:\n${r.stdout}`);
      }
    });
  });
});
