// README.md stays short, and the docs hold together: every relative link in README.md and docs/*.md points at a file
// that exists and, with an #anchor, at a heading of that file (anchors as GitHub renders them).
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { brokenLinks, headingAnchors, headingSlug, markdownLinks } from '../helpers/markdown';
import { REPO_ROOT } from '../helpers/stack-file';

const README = path.join(REPO_ROOT, 'README.md');
const DOCS_DIR = path.join(REPO_ROOT, 'docs');
const docs = (): string[] =>
  fs
    .readdirSync(DOCS_DIR)
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => path.join(DOCS_DIR, f));

/** Lines as `wc -l` counts them (newline characters). */
function lineCount(text: string): number {
  return (text.match(/\n/g) ?? []).length;
}

describe('README.md and docs/', () => {
  it('README.md is under 250 lines', () => {
    const lines = lineCount(fs.readFileSync(README, 'utf8'));
    assert.ok(lines < 250, `README.md has ${lines} lines; keep it under 250 and move reference material into docs/`);
  });

  it('README.md links into docs/: every doc in docs/ is reachable from it', () => {
    const linked = new Set(
      markdownLinks(fs.readFileSync(README, 'utf8'))
        .map((l) => l.target.split('#')[0])
        .filter((t) => t.startsWith('docs/'))
        .map((t) => path.join(REPO_ROOT, t)),
    );
    const unlinked = docs().filter((d) => !linked.has(d));
    assert.deepEqual(
      unlinked.map((d) => path.relative(REPO_ROOT, d)),
      [],
    );
  });

  for (const file of [README, ...docs()]) {
    const name = path.relative(REPO_ROOT, file);
    it(`${name}: every relative link points at an existing file and heading`, () => {
      assert.deepEqual(brokenLinks(file), []);
    });
  }
});

describe('the Markdown reader the docs tests rely on', () => {
  it('makes GitHub anchors from headings: punctuation and code marks dropped, spaces to hyphens, repeats numbered', () => {
    assert.equal(headingSlug('Post-deploy validation (`validation.*`)'), 'post-deploy-validation-validation');
    assert.equal(headingSlug('CI/CD (`.github/`)'), 'cicd-github');
    assert.equal(
      headingSlug('The cutover: one `pulumi up` in a maintenance window'),
      'the-cutover-one-pulumi-up-in-a-maintenance-window',
    );
    assert.equal(headingSlug('How "production" is decided'), 'how-production-is-decided');
    assert.deepEqual(
      [...headingAnchors('# A\n## Keys\n```sh\n# not a heading\n```\n### Keys\n')],
      ['a', 'keys', 'keys-1'],
    );
  });

  it('finds links outside code only, with their line numbers', () => {
    const text = 'see [a](a.md) and `[b](b.md)`\n```\n[c](c.md)\n```\n| [d](d.md#x) | ![e](img/e.png) |\n';
    assert.deepEqual(markdownLinks(text), [
      { line: 1, target: 'a.md' },
      { line: 5, target: 'd.md#x' },
      { line: 5, target: 'img/e.png' },
    ]);
  });

  it('reports a missing file, a missing heading and an anchor into a non-Markdown file; accepts the rest', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tj-docs-links-'));
    try {
      fs.writeFileSync(path.join(dir, 'other.md'), '# Other\n\n## The `cleanup` key\n');
      fs.writeFileSync(path.join(dir, 'data.json'), '{}\n');
      const file = path.join(dir, 'index.md');
      fs.writeFileSync(
        file,
        [
          '# Index',
          '[ok](other.md) [ok](other.md#the-cleanup-key) [ok](#index) [ok](https://example.com/x#y) [ok](data.json)',
          '[gone](missing.md)',
          '[no heading](other.md#no-such-heading)',
          '[self, no heading](#nowhere)',
          '[not markdown](data.json#x)',
        ].join('\n'),
      );
      assert.deepEqual(brokenLinks(file), [
        'index.md:3: missing.md: missing.md does not exist',
        'index.md:4: other.md#no-such-heading: other.md has no heading with the anchor #no-such-heading',
        'index.md:5: #nowhere: index.md has no heading with the anchor #nowhere',
        'index.md:6: data.json#x: an anchor into something that is not a Markdown file',
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
