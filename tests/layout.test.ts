// The layout's import rules (docs/layout.md), checked on the import graph of every .ts file of the repository: each
// `import`/`export ... from` (type-only ones too: a loop of types is a loop of concerns), `require()` and `import()`
// of a relative path is an edge.
//   - No import loop through config/, targets/, cutover/ or lib/.
//   - config/reader.ts imports nothing else of config/ (every parser takes a Reader without depending on another).
//   - targets/ never imports the configuration back: only the settings parsers (and the kind contract that names the
//     parser's type) import config/, and only config/reader.ts. Renderers and targets/shared import none of it.
//   - One owner for CA bundles: only lib/tls/ca-bundle.ts parses PEM certificates.
//   - Rendering never reaches the configuration: the pure renderers (targets', monitoring/'s, the validate command's)
//     import nothing of config/, not even through another file.
//   - Components take narrow Args: no `*Config` type of config/ (the whole stack's or a section of it) in a component's
//     Args, and no `dependsOn` (it travels in the resource options).
// And tests/ mirrors the tree: every folder of tests (but helpers/ and the fixtures/ of a test) is a source folder.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT } from './helpers/stack-file';

const SKIP = new Set(['node_modules', 'dist', '.git']);

function sourceFiles(dir = REPO_ROOT): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(e.name)) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

const rel = (f: string) => path.relative(REPO_ROOT, f).split(path.sep).join('/');

const SPECIFIERS = [
  /^\s*(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm,
  /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g,
  /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
];

/** Repository-relative path of each file -> the repository files it imports. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles()) {
    const text = fs.readFileSync(file, 'utf8');
    const deps = new Set<string>();
    for (const re of SPECIFIERS) {
      for (const m of text.matchAll(re)) {
        if (!m[1].startsWith('.')) continue;
        const target = path.resolve(path.dirname(file), m[1]);
        const found = [`${target}.ts`, path.join(target, 'index.ts'), target].find(
          (c) => fs.existsSync(c) && fs.statSync(c).isFile(),
        );
        if (found && found.endsWith('.ts')) deps.add(rel(found));
      }
    }
    graph.set(rel(file), [...deps]);
  }
  return graph;
}

/** Each `interface <Name>Args` / `type <Name>Args =` declaration of a file, with its text up to where it closes. */
function argsDeclarations(text: string): { name: string; body: string }[] {
  const out: { name: string; body: string }[] = [];
  for (const m of text.matchAll(/^export (?:interface|type) (\w+Args)\b/gm)) {
    let depth = 0;
    let opened = false;
    let i = m.index!;
    for (; i < text.length; i++) {
      if (text[i] === '{') {
        depth++;
        opened = true;
      } else if (text[i] === '}') depth--;
      if (opened && depth === 0 && (text[i] === '}' || text[i] === ';') && /[;\n]/.test(text[i + 1] ?? '\n')) {
        // A union continues on the next line with `|`.
        if (!/^\s*\|/.test(text.slice(i + 1).split('\n', 2)[1] ?? '')) break;
      }
    }
    out.push({ name: m[1], body: text.slice(m.index!, i + 1) });
  }
  return out;
}

/** Strongly connected components of more than one file (or a file importing itself): the import loops. */
function loops(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe('layout: the import rules of docs/layout.md', () => {
  const graph = importGraph();
  const importsOf = (f: string) => graph.get(f) ?? [];

  it('finds the import graph (the walk sees the files and their imports)', () => {
    assert.ok(importsOf('config/parse.ts').includes('config/reader.ts'));
    assert.ok(importsOf('targets/index.ts').includes('targets/ecs/index.ts'));
    assert.ok(
      importsOf('targets/ecs/index.ts').includes('targets/ecs/component.ts'),
      'the lazy require of the component counts',
    );
    // The loop finder finds a loop when there is one.
    assert.deepEqual(
      loops(
        new Map([
          ['a', ['b']],
          ['b', ['c']],
          ['c', ['a']],
          ['d', ['a']],
        ]),
      ),
      [['a', 'b', 'c']],
    );
  });

  it('no import loop through config/, targets/, cutover/ or lib/', () => {
    const ours = /^(config|targets|cutover|lib)\//;
    assert.deepEqual(
      loops(graph).filter((scc) => scc.some((f) => ours.test(f))),
      [],
    );
  });

  it('config/reader.ts imports nothing else of config/', () => {
    assert.deepEqual(
      importsOf('config/reader.ts').filter((f) => f.startsWith('config/')),
      [],
    );
  });

  it('targets/ imports only config/reader.ts from config/, and only in the settings parsers and the kind contract', () => {
    const offenders: string[] = [];
    for (const [file, deps] of graph) {
      if (!file.startsWith('targets/')) continue;
      for (const d of deps.filter((x) => x.startsWith('config/'))) {
        const allowed =
          d === 'config/reader.ts' && (/(^|\/)settings\.ts$/.test(file) || file === 'targets/shared/kind.ts');
        if (!allowed) offenders.push(`${file} -> ${d}`);
      }
    }
    assert.deepEqual(offenders, []);
    // The renderers in particular: not even through another file of targets/ that imports config/.
    const reaches = (from: string, seen = new Set<string>()): boolean =>
      importsOf(from).some((d) => d.startsWith('config/') || (!seen.has(d) && (seen.add(d), reaches(d, seen))));
    const renderers = [...graph.keys()].filter((f) => /^targets\/.*(render[^/]*|merge)\.ts$/.test(f));
    assert.ok(renderers.length >= 5, renderers.join(', '));
    assert.deepEqual(
      renderers.filter((f) => reaches(f)),
      [],
    );
  });

  it('no renderer reaches config/ (monitoring/, validation/validate-command.ts, bluegreen/mirror.ts)', () => {
    const reaches = (from: string, seen = new Set<string>()): boolean =>
      importsOf(from).some((d) => d.startsWith('config/') || (!seen.has(d) && (seen.add(d), reaches(d, seen))));
    const renderers = [
      'monitoring/alarms.ts',
      'monitoring/dashboard.ts',
      'monitoring/log-filter.ts',
      'validation/validate-command.ts',
      'bluegreen/mirror.ts',
      'database/attach-parameter-group.ts',
    ];
    for (const f of renderers) assert.ok(graph.has(f), f);
    assert.deepEqual(
      renderers.filter((f) => reaches(f)),
      [],
    );
    // The check follows a path through other files: cutover/estimate.ts imports nothing of config/ itself, and reaches
    // it through the registry (targets/index.ts -> a kind -> its settings parser -> config/reader.ts).
    assert.ok(!importsOf('cutover/estimate.ts').some((d) => d.startsWith('config/')));
    assert.ok(reaches('cutover/estimate.ts'));
  });

  it("components take narrow Args: no config/ *Config type and no dependsOn in a component's Args", () => {
    const configTypes = new Set<string>();
    for (const f of [...graph.keys()].filter((x) => x.startsWith('config/'))) {
      for (const m of fs
        .readFileSync(path.join(REPO_ROOT, f), 'utf8')
        .matchAll(/export (?:interface|type) (\w+Config)\b/g))
        configTypes.add(m[1]);
    }
    assert.ok(
      configTypes.has('StackConfig') && configTypes.has('LoadedStackConfig') && configTypes.has('ValidationConfig'),
    );
    const found: string[] = [];
    const offenders: string[] = [];
    for (const f of [...graph.keys()].filter((x) => !x.startsWith('tests/'))) {
      const text = fs.readFileSync(path.join(REPO_ROOT, f), 'utf8');
      if (!/extends pulumi\.ComponentResource\b/.test(text)) continue;
      for (const args of argsDeclarations(text)) {
        found.push(`${f}: ${args.name}`);
        for (const t of configTypes)
          if (new RegExp(`\\b${t}\\b`).test(args.body)) offenders.push(`${f}: ${args.name} takes ${t}`);
        if (/^\s*(readonly\s+)?dependsOn\??:/m.test(args.body)) offenders.push(`${f}: ${args.name} takes dependsOn`);
      }
    }
    assert.ok(found.length >= 10, found.join('\n'));
    assert.deepEqual(offenders, []);
  });

  it('one owner for CA bundles: only lib/tls/ca-bundle.ts parses PEM certificates', () => {
    const parsers = [...graph.keys()]
      .filter((f) => !f.startsWith('tests/'))
      .filter((f) => /BEGIN CERTIFICATE|X509Certificate/.test(fs.readFileSync(path.join(REPO_ROOT, f), 'utf8')));
    assert.deepEqual(parsers, ['lib/tls/ca-bundle.ts']);
  });
});

/** Every folder under `dir`, repository-relative, but `skip`ped names and what is below them. */
function folders(dir: string, skip: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!e.isDirectory() || skip.has(e.name)) continue;
    const p = path.join(dir, e.name);
    out.push(rel(p), ...folders(p, skip));
  }
  return out;
}

describe('layout: tests/ mirrors the tree', () => {
  it('every test folder (but helpers/, fixtures/, ci/ and clients/) has a source folder of the same path', () => {
    // Two test folders have no source folder of the same name, on purpose: tests/ci tests .ci/ and .github/ (the CI),
    // and tests/clients is the suite that hands artefacts of every folder to real clients (npm run test:clients).
    const tests = folders(path.join(REPO_ROOT, 'tests'), new Set(['helpers', 'fixtures', 'ci', 'clients']));
    assert.ok(tests.includes('tests/targets/ecs') && tests.includes('tests/lib/pg'), tests.join(', '));
    assert.deepEqual(
      tests.filter((t) => !fs.existsSync(path.join(REPO_ROOT, t.slice('tests/'.length)))),
      [],
      'a test folder without a source folder of the same path: move the tests next to what they test',
    );
  });
});
