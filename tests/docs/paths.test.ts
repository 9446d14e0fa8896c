// The docs tell the truth about paths: every backticked string in README.md and docs/*.md that looks like a path in
// this repository (the rule: looksLikeRepoPath in tests/helpers/markdown.ts) names a file or folder that exists. A
// string with a `/` is taken from the repository root (`targets/ecs/render.ts`, `checks/validate/`); a bare file name
// (`render.ts`) must be the name of some file of the repository. Paths that name something outside the repository on
// purpose are listed below by their first segment, each with where it is.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { inlineCodeSpans, looksLikeRepoPath, missingRepoPaths } from '../helpers/markdown';
import { REPO_ROOT } from '../helpers/stack-file';

/** First path segments (or bare file names) the docs use for things outside this repository. */
const ELSEWHERE: Record<string, string> = {
  certs: 'the RDS CA bundle, downloaded per checkout into certs/ (git-ignored), or its place in a target',
  server: "ToolJet's repository (server/ormconfig.ts)",
  deploy: "ToolJet's repository (deploy/docker/...)",
  'docker-compose.yaml': "ToolJet's compose file",
  docker: 'what the local rehearsal writes under --out',
  ecs: 'what the local rehearsal writes under --out',
  eks: 'what the local rehearsal writes under --out',
  ami: 'what the local rehearsal writes under --out',
  'results.md': 'what the local rehearsal writes under --out',
  'results.json': 'what the local rehearsal writes under --out',
  'tooljet-pg-upgrade': 'the default S3 key of the CA bundle object, and the annotation prefix on EKS',
  'pulumi.com': 'a Pulumi Kubernetes annotation (pulumi.com/patchForce)',
  pulumi: 'the pulumi/actions GitHub Action',
  AWS: 'the CloudWatch namespace AWS/RDS',
  deployments: 'the Kubernetes subresource deployments/scale',
  internal: "terraform-provider-aws's source (internal/service/rds/instance.go)",
};

const DOCS_DIR = path.join(REPO_ROOT, 'docs');
const files = [
  path.join(REPO_ROOT, 'README.md'),
  ...fs
    .readdirSync(DOCS_DIR)
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => path.join(DOCS_DIR, f)),
];

describe('README.md and docs/: backticked repository paths exist', () => {
  for (const file of files) {
    it(`${path.relative(REPO_ROOT, file)}: every path it names exists`, () => {
      assert.deepEqual(missingRepoPaths(file, REPO_ROOT, new Set(Object.keys(ELSEWHERE))), []);
    });
  }

  it('the docs name paths at all (the rule finds the layout doc’s folders)', () => {
    const layout = inlineCodeSpans(fs.readFileSync(path.join(DOCS_DIR, 'layout.md'), 'utf8'))
      .map((s) => s.code)
      .filter(looksLikeRepoPath);
    for (const p of ['targets/index.ts', 'checks/validate/list.ts', 'cutover/scripts.ts'])
      assert.ok(layout.includes(p), `layout.md names ${p}`);
  });
});

describe('what counts as a repository path in the docs', () => {
  it('takes paths with a / and file names with a known extension; leaves out URLs, absolute paths, globs', () => {
    const yes = [
      'targets/ecs/render.ts',
      'checks/validate/',
      'plan/',
      'README.md',
      'render.test.ts',
      'Pulumi.prod.yaml',
    ];
    const no = [
      'https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem',
      '/rdsdbdata/log',
      '/certs/global-bundle.pem',
      '~/.kube/config',
      '../shared/datasets/northwind.sql',
      './component',
      '@pulumi/aws',
      'targets/*/window.sh',
      'targets/<kind>/',
      'certs/...',
      'aws:rds/instance:Instance',
      'sslrootcert=certs/x',
      'tests/plan/plan.test.ts:12',
      'kubectl apply -f eks/',
      '.ts',
      'global-bundle.pem',
      'activeDatabase',
    ];
    assert.deepEqual(
      yes.filter((c) => !looksLikeRepoPath(c)),
      [],
    );
    assert.deepEqual(no.filter(looksLikeRepoPath), []);
  });

  it('reports each missing path with file and line; accepts existing ones, folders, bare names and the elsewhere list', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tj-docs-paths-'));
    try {
      fs.mkdirSync(path.join(root, 'targets', 'ecs'), { recursive: true });
      fs.writeFileSync(path.join(root, 'targets', 'ecs', 'render.ts'), '');
      fs.mkdirSync(path.join(root, 'docs'));
      const file = path.join(root, 'docs', 'x.md');
      fs.writeFileSync(
        file,
        [
          'ok: `targets/ecs/render.ts`, `targets/ecs/`, `render.ts`, `server/ormconfig.ts`',
          '```sh',
          'cat components/gone.ts',
          '```',
          'gone: `components/targets/ecs.ts`',
          'a file is no folder: `targets/ecs/render.ts/`, gone: `window.sh`',
        ].join('\n'),
      );
      assert.deepEqual(missingRepoPaths(file, root, new Set(['server'])), [
        'docs/x.md:5: `components/targets/ecs.ts`: does not exist',
        'docs/x.md:6: `targets/ecs/render.ts/`: no such folder',
        'docs/x.md:6: `window.sh`: no file of that name in the repository',
      ]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
