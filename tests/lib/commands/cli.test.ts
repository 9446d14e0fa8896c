// lib/commands: how commands run the project's CLI. The guard is run for real with /bin/sh, from the project
// directory and from elsewhere; the URLs are read back with the project's own URL parser.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { caFileForCommand, CLI, commandDatabaseUrl, inProjectDir, oneLine, PROJECT_DIR } from '../../../lib/commands';
import { DOCKER_WRITE_COMMAND } from '../../../targets/docker/write';
import { parseConnectionUrl } from '../../../lib/pg/connection';
import { REPO_ROOT } from '../../helpers/stack-file';

describe('lib/commands: running the CLI from commands', () => {
  it('names the CLI relative to the project directory, which is this checkout', () => {
    assert.equal(CLI, 'node bin/tj-pg-upgrade.js');
    assert.equal(PROJECT_DIR, REPO_ROOT);
    assert.ok(fs.existsSync(path.join(PROJECT_DIR, 'bin/tj-pg-upgrade.js')));
  });

  it('gives the CA bundle relative to the project directory when inside it, absolute otherwise', () => {
    assert.equal(caFileForCommand('/srv/app', '/srv/app/certs/global-bundle.pem'), 'certs/global-bundle.pem');
    assert.equal(caFileForCommand('/srv/app', '/etc/ssl/rds/global-bundle.pem'), '/etc/ssl/rds/global-bundle.pem');
    assert.equal(
      caFileForCommand('/srv/app', '/srv/application/global-bundle.pem'),
      '/srv/application/global-bundle.pem',
    );
  });

  it('builds password-free verify-full URLs that the connection parser reads back', () => {
    const url = commandDatabaseUrl({
      host: 'db.internal',
      port: 5432,
      user: 'app@corp',
      database: 'tool jet',
      caFile: 'certs/global-bundle.pem',
    });
    assert.equal(
      url,
      'postgresql://app%40corp@db.internal:5432/tool%20jet?sslmode=verify-full&sslrootcert=certs/global-bundle.pem',
    );
    const parsed = parseConnectionUrl(url);
    assert.equal(parsed.user, 'app@corp');
    assert.equal(parsed.dbname, 'tool jet');
    assert.equal(parsed.sslmode, 'verify-full');
    assert.equal(parsed.sslrootcert, 'certs/global-bundle.pem');
    assert.equal(parsed.password, undefined);
    assert.throws(
      () => commandDatabaseUrl({ host: 'db; rm -rf /', port: 5432, user: 'u', database: 'd', caFile: 'c' }),
      /bad endpoint/,
    );
  });

  it('runs a command in the project directory and stops it, in one line, anywhere else', () => {
    const script = inProjectDir(`echo ran\n`);
    const ok = spawnSync('/bin/sh', ['-c', script], { cwd: PROJECT_DIR, encoding: 'utf8', timeout: 60_000 });
    assert.equal(ok.stdout, 'ran\n');
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'tj-cwd-'));
    try {
      for (const s of [script, DOCKER_WRITE_COMMAND]) {
        const r = spawnSync('/bin/sh', ['-c', s], { cwd: elsewhere, encoding: 'utf8', input: '' });
        assert.equal(r.status, 1);
        assert.equal(r.stdout, '');
        assert.match(
          r.stderr,
          /^tj-pg-upgrade: this command runs in the project directory \(Pulumi\.yaml, bin\/tj-pg-upgrade\.js\), but its working directory is \S*tj-cwd-\S*: run pulumi from the project directory\n$/,
        );
      }
    } finally {
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
    const lint = spawnSync('shellcheck', ['-s', 'sh', '-'], { input: script, encoding: 'utf8' });
    assert.equal(lint.status, 0, lint.stdout);
  });

  it('turns a multi-line engine error into one line', () => {
    assert.equal(
      oneLine(new Error('1 error occurred:\n\t* DBInstanceNotFound: x\n\n')),
      '1 error occurred: * DBInstanceNotFound: x',
    );
    assert.equal(oneLine('x'.repeat(500)).length, 403);
  });
});
