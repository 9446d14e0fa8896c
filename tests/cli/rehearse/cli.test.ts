// The rehearse command's edges: bad flags and unusable input exit 2 with one line and leave nothing behind; SIGINT and
// SIGTERM in the middle of a run stop the servers and remove every temporary file and the partly written --out.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { main } from '../../../cli/main';
import { leftovers, processesMentioning, runRehearse, scratch } from './helpers';

/** The CLI's main() in this process (no child start-up cost); returns the exit code and what it printed. */
async function inProcess(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['rehearse', ...args], {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    env: {},
    progress: false,
  });
  return { code, out, err };
}

describe('rehearse: usage errors and interrupts', () => {
  const box = scratch();
  after(() => box.cleanup());

  it('bad flags and unusable input: exit 2, one line naming the problem, nothing created', async function () {
    this.timeout(60_000);
    const other = path.join(box.dir, 'other');
    fs.mkdirSync(other);
    fs.writeFileSync(path.join(other, 'notes.txt'), 'mine');
    const file = path.join(box.dir, 'a-file');
    fs.writeFileSync(file, '');
    const out = path.join(box.dir, 'never');
    const cases: Array<[string[], RegExp]> = [
      [['--size-mb', 'abc'], /--size-mb must be a positive number of MB, got "abc"/],
      [['--size-mb', '0'], /--size-mb must be a number of MB above 0 and at most 100000, got 0/],
      [
        ['--source', 'postgresql://u@127.0.0.1:1/db', '--size-mb', '3'],
        /--size-mb sizes the generated fixture and cannot be combined with --source/,
      ],
      [['--tooljet-db', 'x'], /--tooljet-db names the ToolJet Database on your --source/],
      [['--bogus'], /Unknown option '--bogus'/],
      [['--out', file], /--out .*a-file exists and is not a directory/],
      [['--out', other], /--out .*other exists and holds other files \(notes\.txt\): choose an empty or new directory/],
      [['--out', path.join(box.dir, 'no', 'such', 'parent')], /the parent directory .* does not exist/],
      [['--source', 'mysql://x'], /not a connection string/],
      [
        ['--source', 'postgresql://u@127.0.0.1:1/db?sslmode=disable'],
        /sslmode=disable would allow an unencrypted connection.*--insecure/,
      ],
      [
        ['--source', 'postgresql://u@127.0.0.1:1/db?sslmode=verify-full'],
        /cannot connect to 127\.0\.0\.1:1: connection refused/,
      ],
      // node's parseArgs words this one over several lines: the CLI folds it into one.
      [['--size-mb', '-3'], /Option '--size-mb' argument is ambiguous.*--size-mb=-XYZ/],
    ];
    // Flag and input checks run in this process; the real binary is spawned for an unknown flag and for a source
    // that refuses the connection (that one gets as far as creating the work directory, which must be gone again).
    const spawned = new Set([4, 10]);
    const runs = await Promise.all(
      cases.map(async ([args], i) => {
        const full = args.includes('--out') ? args : [...args, '--out', out];
        if (spawned.has(i)) {
          const r = await runRehearse(full, { tmpdir: box.tmp });
          return { code: r.code, stdout: r.stdout, stderr: r.stderr };
        }
        const r = await inProcess(full);
        return { code: r.code, stdout: r.out.join('\n'), stderr: r.err.map((l) => `${l}\n`).join('') };
      }),
    );
    runs.forEach((r, i) => {
      const [args, message] = cases[i];
      assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
      const lines = r.stderr.split('\n').filter((l) => l.trim() && !/^\[\s*\d/.test(l));
      assert.equal(lines.length, 1, `${args.join(' ')}: one line, got:\n${r.stderr}`);
      assert.match(lines[0], /^tj-pg-upgrade rehearse: /);
      assert.match(lines[0], message, args.join(' '));
      assert.equal(r.stdout, '');
    });
    assert.ok(!fs.existsSync(out), 'no --out created');
    assert.deepEqual(fs.readdirSync(other), ['notes.txt'], 'a foreign directory is left alone');
    assert.deepEqual(leftovers(box.tmp), []);
  });

  for (const [sig, phase, code] of [
    ['SIGINT', 'clone', 130],
    ['SIGTERM', 'tooljet', 143],
  ] as const) {
    it(`${sig} during the ${phase} phase: exit ${code}, no PostgreSQL process, no temporary file, no partial --out`, async function () {
      this.timeout(90_000);
      const tmp = path.join(box.dir, `tmp-${sig}`);
      fs.mkdirSync(tmp, { mode: 0o755 });
      const out = path.join(box.dir, `out-${sig}`);
      let sent = false;
      let sawServers = 0;
      const run = await runRehearse(['--out', out, '--size-mb', '1'], {
        tmpdir: tmp,
        onStderrLine: (line, child) => {
          if (!sent && new RegExp(`\\d/9 ${phase}: .* \\.\\.\\.$`).test(line)) {
            sent = true;
            sawServers = processesMentioning(tmp).length;
            child.kill(sig);
          }
        },
      });
      assert.ok(sent, `never reached the ${phase} phase:\n${run.stderr}`);
      assert.ok(sawServers >= 2, `both servers were running when the signal was sent (saw ${sawServers} processes)`);
      assert.equal(run.code, code, run.stderr);
      assert.match(run.stderr, new RegExp(`${sig} received: stopping the servers and removing temporary files`));
      assert.match(run.stderr, new RegExp(`interrupted by ${sig}; servers stopped, temporary files removed`));
      assert.deepEqual(processesMentioning(tmp), [], 'no server left running');
      assert.deepEqual(leftovers(tmp), [], 'no temporary directory left');
      assert.ok(!fs.existsSync(out), 'the partly written --out is removed');
    });
  }
});
