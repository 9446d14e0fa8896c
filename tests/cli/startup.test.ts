// The CLI is a compiled application: bin/tj-pg-upgrade.js runs dist/ (built by `npm ci` and by `npm test` before
// mocha), loads only the subcommand that runs, and says how to fix a missing build. Checked on the real files.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
const MAIN = path.join(ROOT, 'dist', 'cli', 'main.js');

/** The modules loaded by the compiled CLI for `argv`, relative to the project, as the child process saw them. */
function modulesLoadedBy(argv: string[]): { code: number; modules: string[] } {
  const script = `
    const m = require(${JSON.stringify(MAIN)});
    m.main(${JSON.stringify(argv)}, { out: () => {}, err: () => {}, env: {}, progress: false }).then((code) => {
      process.stdout.write(JSON.stringify({ code, modules: Object.keys(require.cache) }));
      process.exit(0);
    });`;
  const r = spawnSync(process.execPath, ['-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH },
  });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { code: number; modules: string[] };
  return { code: out.code, modules: out.modules.map((m) => path.relative(ROOT, m)) };
}

/** Every .ts file under `dir`, recursively. */
function sources(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
    );
}

describe('tj-pg-upgrade: a compiled application', () => {
  it('dist/ is built from the current sources (npm test builds it first; after editing, npm run build)', () => {
    assert.ok(fs.existsSync(MAIN), 'dist/cli/main.js is missing: run npm run build');
    const js = (ts: string): string => path.join(ROOT, 'dist', path.relative(ROOT, ts)).replace(/\.ts$/, '.js');
    const older = (ts: string): boolean => fs.statSync(js(ts)).mtimeMs < fs.statSync(ts).mtimeMs;
    // Every file of cli/ and checks/ is compiled; of lib/ and config/ only what the CLI imports.
    const stale = [
      ...['cli', 'checks']
        .flatMap((d) => sources(path.join(ROOT, d)))
        .filter((ts) => !fs.existsSync(js(ts)) || older(ts)),
      ...['lib', 'config']
        .flatMap((d) => sources(path.join(ROOT, d)))
        .filter((ts) => fs.existsSync(js(ts)) && older(ts)),
    ];
    assert.deepEqual(
      stale.map((f) => path.relative(ROOT, f)),
      [],
      'dist/ is older than these sources: run npm run build',
    );
  });

  it('--help loads no subcommand, no pg, no checks and nothing of Pulumi', () => {
    const { code, modules } = modulesLoadedBy(['--help']);
    assert.equal(code, 0);
    const ours = modules.filter((m) => !m.startsWith('node_modules')).sort();
    assert.deepEqual(ours, [
      'dist/checks/report.js',
      'dist/cli/command.js',
      'dist/cli/commands/index.js',
      'dist/cli/main.js',
    ]);
    assert.deepEqual(
      modules.filter((m) => m.startsWith('node_modules')),
      [],
    );
  });

  it('a subcommand loads only itself: validate --help loads neither pg nor the checks; validate loads pg and its checks, not the others', () => {
    const help = modulesLoadedBy(['validate', '--help']);
    assert.equal(help.code, 0);
    assert.ok(help.modules.includes('dist/cli/commands/validate.js'));
    assert.deepEqual(
      help.modules.filter((m) => /node_modules|dist\/checks\/(?!report)|dist\/lib\//.test(m)),
      [],
    );

    const run = modulesLoadedBy([
      'validate',
      '--source',
      'postgresql://u@127.0.0.1:1/a',
      '--target',
      'postgresql://u@127.0.0.1:1/b',
    ]);
    assert.equal(run.code, 2, 'connection refused');
    assert.ok(
      run.modules.includes('dist/checks/validate/index.js') &&
        run.modules.some((m) => m.startsWith('node_modules/pg/')),
    );
    const others = run.modules.filter((m) =>
      /@pulumi|dist\/cli\/rehearse|dist\/checks\/(precheck|postcheck|rollback)|dist\/config|typescript|ts-node/.test(m),
    );
    assert.deepEqual(others, []);
  });

  it('bin/tj-pg-upgrade.js without dist/ says in one line how to build it (exit 2)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tj-nodist-'));
    try {
      fs.mkdirSync(path.join(dir, 'bin'));
      fs.copyFileSync(path.join(ROOT, 'bin', 'tj-pg-upgrade.js'), path.join(dir, 'bin', 'tj-pg-upgrade.js'));
      const r = spawnSync(process.execPath, [path.join(dir, 'bin', 'tj-pg-upgrade.js'), '--help'], {
        cwd: dir,
        encoding: 'utf8',
      });
      assert.equal(r.status, 2);
      assert.equal(r.stdout, '');
      assert.equal(
        r.stderr,
        `tj-pg-upgrade: the compiled CLI (dist/cli/main.js) is missing: run npm ci (or npm run build) in ${dir}\n`,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('package.json: npm ci builds dist/ (prepare), npm test builds before testing, dist/ is not committed', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    assert.equal(pkg.bin['tj-pg-upgrade'], 'bin/tj-pg-upgrade.js');
    assert.equal(pkg.scripts.prepare, 'npm run build');
    // dist/ is emptied first: a file the CLI no longer imports would otherwise stay behind, stale.
    assert.match(pkg.scripts.build, /rmSync\('dist'.*&& tsc -p tsconfig\.build\.json$/);
    assert.match(pkg.scripts.test, /^npm run build && /);
    assert.match(fs.readFileSync(path.join(ROOT, '.gitignore'), 'utf8'), /^dist\/$/m);
  });
});
