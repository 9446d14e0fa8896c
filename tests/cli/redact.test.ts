// No password reaches the terminal: for a password holding each character that URL and keyword/value syntax give a
// meaning to, and for JDBC URLs, the compiled CLI (a child process, as a user runs it) is given the password in argv
// and in the environment, against an unreachable server and in malformed strings, in text and --json output. The
// password must appear in no form (as written, percent-decoded, percent-encoded, JSON-escaped) in stdout or stderr,
// while the error still says what to fix; a password in argv draws the one-line `ps` warning, on stderr only.
import { strict as assert } from 'assert';
import { percentEncode } from '../../lib/percent-encode';
import { cliRedaction } from '../../cli/redact';
import { CliRun, runCli } from './run-cli';

const CHARS = ['#', '?', '/', '@', ':', '%', "'", '"', '\\', ' '];
const WARNING =
  'a password on the command line is visible to other users in ps; use PGPASSWORD or TJ_PG_SOURCE_URL/TJ_PG_TARGET_URL';
/** Unreachable on purpose: nothing listens on port 1. */
const HOST = '127.0.0.1';

/** Every form the password could be printed in. */
function forms(pw: string): string[] {
  const out = new Set([pw, encodeURIComponent(pw), percentEncode(pw), JSON.stringify(pw).slice(1, -1)]);
  try {
    out.add(decodeURIComponent(pw));
  } catch {
    /* not decodable: nothing more to look for */
  }
  return [...out].filter((f) => f.length >= 3);
}

/** The password's characters split around `c` (e.g. "Zq8v" and "Kw3p"): a fragment leak shows up too. */
function fragments(pw: string): string[] {
  return pw.split(/[^A-Za-z0-9]/).filter((f) => f.length >= 4);
}

function assertNoPassword(r: CliRun, pw: string, what: string): void {
  const all = r.stdout + r.stderr;
  for (const f of [...forms(pw), ...fragments(pw)]) assert.ok(!all.includes(f), `${what}: "${f}" printed:\n${all}`);
}

/** The last line of stderr: the error (a warning line may come before it). */
function errorLine(r: CliRun): string {
  const lines = r.stderr.trim().split('\n');
  return lines[lines.length - 1];
}

interface Case {
  what: string;
  /** The connection string (argv or environment). */
  url: string;
  password: string;
  /** What the error must say (what to fix). */
  says: RegExp;
}

const kvQuote = (v: string): string => `'${v.replace(/[\\']/g, '\\$&')}'`;

function casesFor(c: string): Case[] {
  const pw = `Zq8v${c}Kw3pX`;
  const enc = encodeURIComponent(pw);
  const refused = /connection refused/;
  return [
    {
      what: `userinfo, percent-encoded (${c})`,
      url: `postgresql://app:${enc}@${HOST}:1/db`,
      password: pw,
      says: refused,
    },
    {
      what: `userinfo, as typed (${c})`,
      url: `postgresql://app:${pw}@${HOST}:1/db?sslmode=verify-full`,
      password: pw,
      says: /--source|percent-encode|connection refused/,
    },
    {
      what: `userinfo, as typed, bad port (${c})`,
      url: `postgresql://app:${pw}@${HOST}:notaport/db`,
      password: pw,
      says: /--source/,
    },
    {
      what: `password= parameter, as typed (${c})`,
      url: `postgresql://${HOST}:1/db?user=app&password=${pw}`,
      password: pw,
      says: /--source|connection refused/,
    },
    {
      what: `password= parameter, percent-encoded (${c})`,
      url: `postgresql://${HOST}:1/db?user=app&password=${enc}`,
      password: pw,
      says: refused,
    },
    {
      what: `keyword/value, quoted (${c})`,
      url: `host=${HOST} port=1 dbname=db user=app password=${kvQuote(pw)}`,
      password: pw,
      says: refused,
    },
    {
      what: `keyword/value, bad port (${c})`,
      url: `host=${HOST} port=x1 dbname=db user=app password=${kvQuote(pw)}`,
      password: pw,
      says: /the port of --source is not a number/,
    },
  ];
}

const JDBC: Case[] = [
  {
    what: 'JDBC URL with user:password@',
    url: `jdbc:postgresql://app:Jd8cPw9xK@${HOST}:1/db`,
    password: 'Jd8cPw9xK',
    says: /drop the "jdbc:" prefix/,
  },
  {
    what: 'JDBC URL with ?user=&password=',
    url: `jdbc:postgresql://${HOST}:1/db?user=app&password=Jd8cPw9xK`,
    password: 'Jd8cPw9xK',
    says: /drop the "jdbc:" prefix/,
  },
  {
    what: 'JDBC URL with ?password= holding # and /',
    url: `jdbc:postgresql://${HOST}:1/db?user=app&password=Jd8c#Pw/9xK`,
    password: 'Jd8c#Pw/9xK',
    says: /drop the "jdbc:" prefix/,
  },
];

/** Runs the CLI for every argv, at most `n` at a time (the machine is shared). */
async function runAll(jobs: { args: string[]; env?: Record<string, string> }[], n = 4): Promise<CliRun[]> {
  const out: CliRun[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < jobs.length) {
        const i = next++;
        out[i] = await runCli(jobs[i].args, jobs[i].env);
      }
    }),
  );
  return out;
}

const otherSide = `postgresql://app:Tg7wQ2nRz@${HOST}:1/db`;

describe('tj-pg-upgrade: passwords are never printed', function () {
  this.timeout(300_000);

  for (const c of CHARS.map((ch) => ({ label: `a password with ${JSON.stringify(ch)}`, cases: casesFor(ch) }))) {
    it(`${c.label}: validate and precheck, argv and environment, text and --json`, async () => {
      const jobs: { args: string[]; env?: Record<string, string>; k: Case; json: boolean; argv: boolean }[] = [];
      // Every string through validate in text and --json; the strings written as typed (the ones the parser may
      // reject) also through precheck --json and from the environment (a child process each: the machine is shared).
      for (const k of c.cases) {
        for (const json of [false, true]) {
          const j = json ? ['--json'] : [];
          jobs.push({ args: ['validate', '--source', k.url, '--target', otherSide, ...j], k, json, argv: true });
        }
        if (!k.what.includes('as typed')) continue;
        jobs.push({ args: ['precheck', '--json', '--source', k.url], k, json: true, argv: true });
        jobs.push({
          args: ['replicate', 'setup', '--source', k.url, '--target', otherSide, '--subscriber-sslrootcert', '/ca.pem'],
          k,
          json: false,
          argv: true,
        });
        jobs.push({
          args: ['validate'],
          env: { TJ_PG_SOURCE_URL: k.url, TJ_PG_TARGET_URL: otherSide },
          k,
          json: false,
          argv: false,
        });
      }
      const runs = await runAll(jobs);
      runs.forEach((r, i) => {
        const { k, json, argv, args } = jobs[i];
        const what = `${args.join(' ')}${argv ? '' : ' (environment)'}`;
        assert.equal(r.code, 2, `${what}: ${r.stderr}`);
        assertNoPassword(r, k.password, what);
        assertNoPassword(r, 'Tg7wQ2nRz', what);
        const err = errorLine(r);
        const says = argv ? k.says : new RegExp(k.says.source.replace(/--source/g, 'TJ_PG_SOURCE_URL'));
        assert.match(err, says, `${what}: ${r.stderr}`);
        const lines = r.stderr.trim().split('\n');
        if (argv) assert.deepEqual(lines.slice(0, -1), [`tj-pg-upgrade ${args[0]}: warning: ${WARNING}`], what);
        else assert.equal(lines.length, 1, `${what}: ${r.stderr}`);
        if (json) {
          const doc = JSON.parse(r.stdout);
          assert.equal(doc.ok, false, what);
          assert.match(doc.error.message, says, what);
          assert.ok(!r.stdout.includes(WARNING), `${what}: the warning is not part of the JSON`);
        } else assert.equal(r.stdout, '', what);
      });
    });
  }

  it('JDBC URLs are refused with what to change, in argv and environment, text and --json', async () => {
    const jobs: { args: string[]; env?: Record<string, string>; k: Case; json: boolean }[] = [];
    for (const k of JDBC) {
      for (const json of [false, true]) {
        const j = json ? ['--json'] : [];
        jobs.push({ args: ['validate', '--source', k.url, '--target', otherSide, ...j], k, json });
        jobs.push({ args: ['precheck', '--source', k.url, ...j], k, json });
        jobs.push({ args: ['validate', '--source', otherSide, '--target', k.url, ...j], k, json });
        jobs.push({ args: ['validate', ...j], env: { TJ_PG_SOURCE_URL: k.url, TJ_PG_TARGET_URL: otherSide }, k, json });
      }
    }
    const runs = await runAll(jobs);
    runs.forEach((r, i) => {
      const { k, json, args } = jobs[i];
      const what = args.join(' ');
      assert.equal(r.code, 2, `${what}: ${r.stderr}`);
      assertNoPassword(r, k.password, what);
      assert.match(errorLine(r), k.says, what);
      assert.match(errorLine(r), /postgresql:\/\/user:password@host/, what);
      if (json) assert.match(JSON.parse(r.stdout).error.message, k.says, what);
    });
  });

  it('PGPASSWORD and TJ_PG_REPLICATION_PASSWORD are redacted too, in every form, and draw no argv warning', async () => {
    const pw = 'Pg9#x/Y%2Fq@Z';
    const runs = await runAll(
      [
        {
          args: ['validate', '--source', `postgresql://app@${HOST}:1/db`, '--target', `postgresql://app@${HOST}:1/db`],
        },
        { args: ['precheck', '--json', '--source', `postgresql://app@${HOST}:1/db`] },
        {
          args: [
            'replicate',
            'setup',
            '--source',
            `postgresql://app@${HOST}:1/db`,
            '--target',
            `postgresql://app@${HOST}:1/db`,
            '--subscriber-sslrootcert',
            '/ca.pem',
          ],
          env: { TJ_PG_REPLICATION_PASSWORD: 'Rp5#x/Y%40q' },
        },
      ].map((j: { args: string[]; env?: Record<string, string> }) => ({ ...j, env: { PGPASSWORD: pw, ...j.env } })),
    );
    for (const r of runs) {
      assert.equal(r.code, 2, r.stderr);
      assertNoPassword(r, pw, 'PGPASSWORD');
      assertNoPassword(r, 'Rp5#x/Y%40q', 'TJ_PG_REPLICATION_PASSWORD');
      assert.ok(!r.stderr.includes(WARNING), r.stderr);
      assert.match(r.stderr, /connection refused/);
    }
  });

  it('a password in argv is warned about once, and the command still runs (a connection error, not a refusal)', async () => {
    const r = await runCli(['validate', `--source=postgresql://app:Wv4kLm9pQ@${HOST}:1/db`, '--target', otherSide]);
    assert.equal(r.code, 2);
    const lines = r.stderr.trim().split('\n');
    assert.deepEqual(lines, [
      `tj-pg-upgrade validate: warning: ${WARNING}`,
      'tj-pg-upgrade validate: source: cannot connect to 127.0.0.1:1: connection refused (is PostgreSQL running there, and the host and port right?)',
    ]);
    assertNoPassword(r, 'Wv4kLm9pQ', 'argv');
    const quiet = await runCli([
      'validate',
      '--source',
      `postgresql://app@${HOST}:1/db`,
      '--target',
      `postgresql://app@${HOST}:1/db`,
    ]);
    assert.ok(!quiet.stderr.includes('warning'), quiet.stderr);
  });
});

describe('cli/redact: the redactor of one run', () => {
  it('registers argv passwords (also --option=value), TJ_PG_*_URL and PGPASSWORD; warns only for argv', () => {
    const { redactor, argvPassword } = cliRedaction(
      ['--source=postgresql://a:Arg1%23pw@h/db', '--target', 'host=h password=Arg2pw'],
      { TJ_PG_SOURCE_URL: 'postgresql://h/db?password=Env1pw', PGPASSWORD: 'Env2pw' },
    );
    assert.equal(argvPassword, true);
    assert.equal(
      redactor.redact('Arg1#pw Arg1%23pw Arg2pw Env1pw Env2pw h/db'),
      ['***', '***', '***', '***', '***', 'h/db'].join(' '),
    );
    const env = cliRedaction(['--source', 'postgresql://a@h/db', '--since', '2026-07-01T22:00:00Z'], {
      TJ_PG_TARGET_URL: 'postgresql://a:Env3pw@h/db',
    });
    assert.equal(env.argvPassword, false);
    assert.equal(env.redactor.redact('Env3pw'), '***');
    const repl = cliRedaction([], { TJ_PG_REPLICATION_PASSWORD: 'Repl%2Fpw' });
    assert.equal(repl.redactor.redact('Repl%2Fpw Repl/pw'), '*** ***');
  });
});
