import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as util from 'util';
import { formatEnvLine, formatEnvValue, mergeEnv, parseEnv } from '../../../targets/shared/dotenv';
import { RenderError } from '../../../targets/shared/render';

/** Values that must survive a write/read round trip unchanged. */
const AWKWARD = {
  SPACES: 'two  words ',
  HASH: 'a #not-a-comment',
  DOLLAR: '$HOME and ${PATH}',
  DQUOTE: 'say "hi"',
  BACKSLASH: 'C:\\dir\\file',
  SHELL: 'a&b;c|d`e`*?<>(){}[]!~^',
  UNICODE: 'pässwörd-€',
  URI: 'postgres://u:p%40ss@h:5432/db?sslmode=verify-full&sslrootcert=/certs/global-bundle.pem',
  EQUALS: 'a=b=c',
  EMPTY: '',
};

/** Reads `text` with bash `source` (ToolJet AMI's setup_app does this) and returns the given variables. */
function bashRead(text: string, keys: string[]): Record<string, string> {
  const script = `set -a; source /dev/stdin 2>/dev/null <<'__TJ_EOF__'\n${text}__TJ_EOF__\nfor k in ${keys.join(' ')}; do printf '%s\\0' "\${!k}"; done`;
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
  const values = r.stdout.split('\0');
  return Object.fromEntries(keys.map((k, i) => [k, values[i]]));
}

describe('targets/shared/dotenv: .env values every consumer reads the same way', () => {
  it('writes plain values unquoted and everything else single-quoted', () => {
    assert.equal(
      formatEnvValue('K', 'tooljet-pg16.abc.eu-west-1.rds.amazonaws.com'),
      'tooljet-pg16.abc.eu-west-1.rds.amazonaws.com',
    );
    assert.equal(formatEnvValue('K', '/certs/global-bundle.pem'), '/certs/global-bundle.pem');
    assert.equal(formatEnvValue('K', 'a b'), "'a b'");
    assert.equal(formatEnvValue('K', 'x&y'), "'x&y'", 'an unquoted & would background a command in bash');
    assert.equal(formatEnvLine('K', ''), 'K=');
  });

  it('round-trips special characters through Node dotenv, bash and our reader', () => {
    const text =
      Object.entries(AWKWARD)
        .map(([k, v]) => formatEnvLine(k, v))
        .join('\n') + '\n';
    const dotenv = util.parseEnv(text) as Record<string, string>;
    const bash = bashRead(text, Object.keys(AWKWARD));
    const ours = Object.fromEntries(parseEnv(text));
    for (const [k, v] of Object.entries(AWKWARD)) {
      assert.equal(dotenv[k], v, `dotenv reads ${k}`);
      assert.equal(bash[k], v, `bash reads ${k}`);
      assert.equal(ours[k], v, `parseEnv reads ${k}`);
    }
  });

  it('refuses values no common quoting can carry, naming the key', () => {
    for (const bad of ["it's", 'two\nlines', 'cr\r', 'tab\there', 'ends with \\']) {
      assert.throws(
        () => formatEnvValue('PG_PASS', bad),
        (e: Error) =>
          e instanceof RenderError &&
          /^PG_PASS contains a single quote, a control character or a trailing backslash/.test(e.message),
      );
    }
    assert.throws(() => formatEnvLine('BAD-KEY', 'x'), /invalid environment variable name/);
  });
});

describe('targets/shared/dotenv: mergeEnv updates our keys in place and keeps everything else', () => {
  const USER_ENV = [
    '# my ToolJet settings',
    'TOOLJET_HOST=https://tooljet.example.com',
    'PG_HOST=old-13.example.com   # the old one',
    'export CUSTOM_FLAG="a b"',
    'PRIVATE_KEY="-----BEGIN KEY-----',
    'PG_HOST=inside-a-multiline-value',
    '-----END KEY-----"',
    '',
    '  PG_PASS = old',
    'REDIS_HOST=redis',
    'PG_HOST=duplicate-later.example.com',
    '# trailing comment without newline',
  ].join('\n');

  const updates = [
    ['PG_HOST', 'new-16.example.com'],
    ['PG_PASS', 'n3w pass#1'],
    ['PGSSLMODE', 'verify-full'],
    ['NODE_EXTRA_CA_CERTS', '/certs/global-bundle.pem'],
  ] as const;

  it('replaces every assignment of our keys, keeps the rest byte for byte and appends the missing keys', () => {
    const { text, changes } = mergeEnv(USER_ENV, updates);
    assert.equal(
      text,
      [
        '# my ToolJet settings',
        'TOOLJET_HOST=https://tooljet.example.com',
        'PG_HOST=new-16.example.com',
        'export CUSTOM_FLAG="a b"',
        'PRIVATE_KEY="-----BEGIN KEY-----',
        'PG_HOST=inside-a-multiline-value',
        '-----END KEY-----"',
        '',
        "PG_PASS='n3w pass#1'",
        'REDIS_HOST=redis',
        'PG_HOST=new-16.example.com',
        '# trailing comment without newline',
        '',
        '# Added by tj-pg-upgrade: ToolJet database and RDS CA settings',
        'PGSSLMODE=verify-full',
        'NODE_EXTRA_CA_CERTS=/certs/global-bundle.pem',
        '',
      ].join('\n'),
    );
    assert.deepEqual(changes, [
      { key: 'PG_HOST', change: 'updated' },
      { key: 'PG_PASS', change: 'updated' },
      { key: 'PGSSLMODE', change: 'added' },
      { key: 'NODE_EXTRA_CA_CERTS', change: 'added' },
    ]);
    const parsed = util.parseEnv(text) as Record<string, string>;
    assert.equal(
      parsed.PRIVATE_KEY,
      '-----BEGIN KEY-----\nPG_HOST=inside-a-multiline-value\n-----END KEY-----',
      'a multi-line value is not mistaken for keys',
    );
    assert.equal(parsed.PG_HOST, 'new-16.example.com');
    assert.equal(parsed.PG_PASS, 'n3w pass#1');
  });

  it('is idempotent: merging twice gives the same bytes and reports nothing changed', () => {
    const once = mergeEnv(USER_ENV, updates).text;
    const twice = mergeEnv(once, updates);
    assert.equal(twice.text, once);
    assert.ok(
      twice.changes.every((c) => c.change === 'unchanged'),
      JSON.stringify(twice.changes),
    );
  });

  it('keeps `export`, CRLF line endings and a missing final newline', () => {
    const crlf = 'export PG_HOST=a\r\nOTHER=1\r\nPG_PASS=x';
    const { text } = mergeEnv(crlf, [
      ['PG_HOST', 'b'],
      ['PG_PASS', 'y'],
    ]);
    assert.equal(text, 'export PG_HOST=b\r\nOTHER=1\r\nPG_PASS=y');
  });

  it('refuses to replace a protected key that already holds another value, and accepts the same one', () => {
    const existing = 'LOCKBOX_MASTER_KEY=aaaa\n';
    assert.throws(
      () => mergeEnv(existing, [['LOCKBOX_MASTER_KEY', 'bbbb']], { protect: ['LOCKBOX_MASTER_KEY'] }),
      /LOCKBOX_MASTER_KEY in the existing \.env differs/,
    );
    assert.equal(
      mergeEnv(existing, [['LOCKBOX_MASTER_KEY', 'aaaa']], { protect: ['LOCKBOX_MASTER_KEY'] }).text,
      existing,
    );
    assert.equal(
      mergeEnv('LOCKBOX_MASTER_KEY=\n', [['LOCKBOX_MASTER_KEY', 'bbbb']], { protect: ['LOCKBOX_MASTER_KEY'] }).text,
      'LOCKBOX_MASTER_KEY=bbbb\n',
      'an empty value may be filled',
    );
  });

  it('writes a new file when there is none', () => {
    assert.equal(
      mergeEnv('', [['A', '1']]).text,
      '# Added by tj-pg-upgrade: ToolJet database and RDS CA settings\nA=1\n',
    );
  });
});
