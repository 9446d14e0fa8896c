import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as path from 'path';
import { ARGV_PASSWORD_WARNING } from '../../cli/redact';
import { runCli } from './run-cli';

describe('tj-pg-upgrade CLI: usage', () => {
  it('--help lists the commands and exit codes; each command has its own --help', async () => {
    const [top, pre, val] = await Promise.all([
      runCli(['--help']),
      runCli(['precheck', '--help']),
      runCli(['validate', '-h']),
    ]);
    assert.equal(top.code, 0);
    assert.match(top.stdout, /Usage: tj-pg-upgrade <command>/);
    assert.match(top.stdout, /precheck\s+report everything/);
    assert.match(top.stdout, /validate\s+prove the target/);
    assert.match(top.stdout, /0 all checks passed .* 1 a check failed, 2 usage or connection error/);
    assert.equal(pre.code, 0);
    assert.match(pre.stdout, /--source <url>/);
    assert.match(pre.stdout, /sslmode=disable\/allow\/prefer need --insecure/);
    assert.equal(val.code, 0);
    for (const flag of [
      '--target <url>',
      '--expect-version <v>',
      '--tooljet-db <name>',
      '--analyze',
      '--fix-sequences',
      '--jobs <n>',
      '--json',
      '--insecure',
    ]) {
      assert.ok(val.stdout.includes(flag), flag);
    }
  });

  it('usage errors are one line on stderr with exit code 2, and never echo a password', async () => {
    const cases: [string[], RegExp][] = [
      [[], /^$/],
      [['rehearsal'], /unknown command "rehearsal" \(commands: precheck, validate/],
      [
        ['validate', '--bogus'],
        /tj-pg-upgrade validate: Unknown option '--bogus' \(see tj-pg-upgrade validate --help\)/,
      ],
      [
        ['validate', '--source', 'postgresql://u:hunter2secret@h/db'],
        /validate needs --target <url> \(or TJ_PG_TARGET_URL\)/,
      ],
      [
        ['validate', '--source', 'postgresql://h/a', '--target', 'postgresql://h/b', '--jobs', '0'],
        /--jobs must be 1-16/,
      ],
      [
        ['validate', '--source', 'postgresql://h/a', '--target', 'postgresql://h/b', '--expect-version', 'latest'],
        /--expect-version must look like 16\.9 or 16/,
      ],
      [['precheck'], /precheck needs --source <url>/],
      [
        ['precheck', '--source', 'postgresql://u:hunter2secret@h/db?sslmode=verify-ful'],
        /invalid sslmode "verify-ful"/,
      ],
      [['precheck', '--source', 'postgresql://u:hunter2secret@h/db', 'extra'], /Unexpected argument 'extra'/],
    ];
    const runs = await Promise.all(cases.map(([args]) => runCli(args)));
    runs.forEach((r, i) => {
      assert.equal(r.code, 2, `${cases[i][0].join(' ')}: ${r.stderr}`);
      // A password in argv draws one warning line first (tests/cli/redact.test.ts); then the error, one line.
      const lines = r.stderr.trim().split('\n');
      if (cases[i][0].some((a) => a.includes('hunter2secret')))
        assert.equal(lines.shift(), `tj-pg-upgrade ${cases[i][0][0]}: warning: ${ARGV_PASSWORD_WARNING}`);
      assert.ok(lines.length <= 1, r.stderr);
      assert.match(lines.join('\n'), cases[i][1]);
      assert.ok(!(r.stdout + r.stderr).includes('hunter2secret'));
    });
    assert.match(runs[0].stdout, /Usage: tj-pg-upgrade/);
  });

  it('--json reports usage and connection errors as JSON too', async () => {
    const r = await runCli(['precheck', '--json', '--source', 'postgresql://u:p@127.0.0.1:1/x']);
    assert.equal(r.code, 2);
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(doc, { command: 'precheck', ok: false, error: { kind: 'refused', message: doc.error.message } });
    assert.match(doc.error.message, /^source: cannot connect to 127\.0\.0\.1:1: connection refused/);
  });

  it('runs as `npx tj-pg-upgrade` from the project directory (package.json bin)', () => {
    const root = path.join(__dirname, '..', '..');
    const r = spawnSync('npx', ['tj-pg-upgrade', 'validate', '--help'], { cwd: root, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Usage: tj-pg-upgrade validate --source <url> --target <url>/);
  });
});
