// The readers the pack judges settings with: .env as dotenv reads it, libpq connection strings, cloud-init user data.
import { strict as assert } from 'assert';
import * as zlib from 'zlib';
import { envReadings, parseDotenv, parseEnvLines } from '../../policy/dotenv';
import { conninfoSslMode, connectionSslMode, uriSslMode } from '../../policy/postgres-uri';
import { expandUserData, looksLikeCloudInit } from '../../policy/cloud-init';

describe('policy readers', () => {
  describe('.env (policy/dotenv.ts)', () => {
    it("reads values as motdotla/dotenv's parse does (its README's rules)", () => {
      const src = [
        'BASIC=basic',
        '# COMMENTED=x',
        'EMPTY=',
        "SINGLE='quoted'",
        'DOUBLE="new\\nline"',
        'SPACED=  some value  ',
        'INLINE=value # comment',
        'HASH="a # not a comment"',
        'export EXPORTED=yes',
        'YAML_STYLE: colon',
        'MULTI="first',
        'second"',
        'LEADING=" space"',
      ].join('\n');
      assert.deepEqual(Object.fromEntries(parseDotenv(src).map((e) => [e.key, e.value])), {
        BASIC: 'basic',
        EMPTY: '',
        SINGLE: 'quoted',
        DOUBLE: 'new\nline',
        SPACED: 'some value',
        INLINE: 'value',
        HASH: 'a # not a comment',
        EXPORTED: 'yes',
        YAML_STYLE: 'colon',
        MULTI: 'first\nsecond',
        LEADING: ' space',
      });
    });

    it('also reads line by line, where an unclosed quote is a one-character value', () => {
      assert.deepEqual(parseEnvLines('CA_CERT="\n-----BEGIN CERTIFICATE-----\nX=1 # c'), [
        { key: 'CA_CERT', value: '"' },
        { key: 'X', value: '1' },
      ]);
      const both = envReadings('CA_CERT="\nMIIB\n"');
      assert.deepEqual(
        both.filter((e) => e.key === 'CA_CERT').map((e) => e.value),
        ['\nMIIB\n', '"'],
      );
    });
  });

  describe('connection strings (policy/postgres-uri.ts)', () => {
    it('takes the last sslmode of a URI, with percent-decoded keys and values', () => {
      assert.equal(uriSslMode('postgres://u@h/db'), undefined);
      assert.equal(uriSslMode('postgres://u@h/db?sslmode=verify-full&sslmode=prefer'), 'prefer');
      assert.equal(uriSslMode('postgresql://u@h/db?ssl%6Dode=verify%2Dfull'), 'verify-full');
      assert.equal(uriSslMode('jdbc:postgresql://h/db?user=u&sslmode=require'), 'require');
    });

    it('reads keyword/value strings, quoted values included', () => {
      assert.equal(conninfoSslMode("host=h sslmode = 'verify-full' dbname=x"), 'verify-full');
      assert.equal(conninfoSslMode('host=h dbname=x'), undefined);
      assert.equal(connectionSslMode(' postgres://h/db?sslmode=allow '), 'allow');
    });
  });

  describe('user data (policy/cloud-init.ts)', () => {
    it('recognises what cloud-init treats specially', () => {
      assert.ok(looksLikeCloudInit('#cloud-config\na: 1'));
      assert.ok(looksLikeCloudInit('Content-Type: multipart/mixed; boundary="b"\n\n--b'));
      assert.ok(looksLikeCloudInit('#include\nhttps://x'));
      assert.ok(!looksLikeCloudInit('#!/bin/bash\necho hi'));
    });

    it('decodes quoted-printable and gzipped base64 MIME parts, nested multiparts included', () => {
      const gz = zlib.gzipSync('#!/bin/sh\nPGSSLMODE=allow\n').toString('base64');
      const msg = [
        'Content-Type: multipart/mixed; boundary=outer',
        '',
        '--outer',
        'Content-Type: multipart/alternative; boundary="inner"',
        '',
        '--inner',
        'Content-Type: text/x-shellscript',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        'NODE_TLS_REJECT_UNAUTHORIZED=3D0',
        '--inner--',
        '--outer',
        'Content-Type: application/x-gzip',
        'Content-Transfer-Encoding: base64',
        '',
        gz,
        '--outer--',
      ].join('\n');
      const out = expandUserData(msg);
      assert.deepEqual(out.unreadable, []);
      const texts = out.values.map((v) => [v.via, v.value]);
      assert.deepEqual(texts, [
        ['(mime part 1)(mime part 1)(text/x-shellscript, quoted-printable)', 'NODE_TLS_REJECT_UNAUTHORIZED=0'],
        ['(mime part 2)(application/x-gzip, base64)', '#!/bin/sh\nPGSSLMODE=allow\n'],
      ]);
    });

    it('decodes write_files by encoding as cc_write_files does, and walks the document itself', () => {
      const out = expandUserData(
        [
          '#cloud-config',
          'write_files:',
          '  - path: /a.env',
          '    encoding: base64',
          `    content: ${Buffer.from('A=1').toString('base64')}`,
          '  - path: /b.env',
          '    content: |',
          '      B=2',
          '  - path: /c.env',
          '    encoding: gzip+base64',
          `    content: ${zlib.gzipSync('C=3').toString('base64')}`,
        ].join('\n'),
      );
      assert.deepEqual(out.unreadable, []);
      const decoded = out.values.filter((v) => typeof v.value === 'string').map((v) => [v.via, v.value]);
      assert.deepEqual(decoded, [
        ['(cloud-config).write_files[path=/a.env].content(base64)', 'A=1'],
        ['(cloud-config).write_files[path=/c.env].content(gzip+base64)', 'C=3'],
      ]);
      const doc = out.values.find((v) => v.via === '(cloud-config)')?.value as { write_files: { content: string }[] };
      assert.equal(doc.write_files[1].content, 'B=2\n', 'plain content is walked with the document');
    });

    it('says what it cannot read: a part with an unknown transfer encoding, a multipart without boundary', () => {
      const unknownCte = expandUserData(
        'Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\nContent-Transfer-Encoding: x-uuencode\n\nbegin 644\n--b--\n',
      );
      assert.match(unknownCte.unreadable[0]?.reason ?? '', /Content-Transfer-Encoding x-uuencode/);
      const noBoundary = expandUserData('Content-Type: multipart/mixed\n\nbody');
      assert.match(noBoundary.unreadable[0]?.reason ?? '', /without a boundary/);
    });
  });
});
