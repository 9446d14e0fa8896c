// The committed project and stack files, and the docs that document their keys (docs/configuration.md) and the
// program's design and commands (docs/design.md, README.md).
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { PROJECT, SUB_KEYS, TOP_LEVEL_KEYS } from '../../config';
import { TARGET_KINDS } from '../../targets';
import { readProject, readStackFile, readYamlFile, REPO_ROOT } from '../helpers/stack-file';

/** A documentation file of the repository, by its path relative to the root (README.md, docs/....md). */
function readDoc(relativePath: string): string {
  const file = path.join(REPO_ROOT, relativePath);
  assert.ok(fs.existsSync(file), `${relativePath} does not exist`);
  return fs.readFileSync(file, 'utf8');
}

/** Every key path parseStackConfig knows: environment, source.identifier, clone.timeouts.create, ... */
function allKeyPaths(): string[] {
  const paths: string[] = [];
  for (const top of TOP_LEVEL_KEYS) {
    const subs = (SUB_KEYS as Record<string, readonly string[]>)[top];
    if (!subs) paths.push(top);
    else
      for (const sub of subs) {
        const nested = (SUB_KEYS as Record<string, readonly string[]>)[`${top}.${sub}`];
        if (nested) paths.push(...nested.map((n) => `${top}.${sub}.${n}`));
        else paths.push(`${top}.${sub}`);
      }
  }
  return paths;
}

describe('Pulumi.yaml and the example stack files', () => {
  it('Pulumi.yaml names the project tooljet-pg-upgrade, a Node.js TypeScript program', () => {
    const project = readProject();
    assert.equal(project.name, PROJECT);
    assert.deepEqual(project.runtime, { name: 'nodejs', options: { typescript: true, packagemanager: 'npm' } });
  });

  for (const stack of ['staging', 'prod']) {
    it(`Pulumi.${stack}.yaml only uses this project's keys (and aws:region), and no secret in plain text`, () => {
      const { config, secretKeys } = readStackFile(stack);
      assert.deepEqual(secretKeys, []);
      const keys = Object.keys(config);
      assert.ok(keys.includes('aws:region'));
      for (const key of keys.filter((k) => k !== 'aws:region')) {
        assert.ok(key.startsWith(`${PROJECT}:`), key);
        assert.ok((TOP_LEVEL_KEYS as readonly string[]).includes(key.slice(PROJECT.length + 1)), key);
      }
      assert.ok(
        !keys.includes(`${PROJECT}:dbPassword`),
        'the password is set with `pulumi config set --secret`, not committed',
      );
      assert.equal(config[`${PROJECT}:caBundle`], 'certs/global-bundle.pem');
    });
  }

  it('staging enables all four target kinds side by side', () => {
    const targets = JSON.parse(readStackFile('staging').config[`${PROJECT}:targets`]) as Record<string, unknown>;
    assert.deepEqual(Object.keys(targets).sort(), [...TARGET_KINDS].sort());
  });

  it('the example files are commented and mark their placeholders', () => {
    for (const stack of ['staging', 'prod']) {
      const text = fs.readFileSync(path.join(REPO_ROOT, `Pulumi.${stack}.yaml`), 'utf8');
      assert.ok(text.split('\n').filter((l) => /#/.test(l)).length >= 15, `${stack}: too few comments`);
      assert.match(text, /placeholder/);
      assert.match(text, /pulumi config set --secret dbPassword/);
      assert.match(text, /truststore\.pki\.rds\.amazonaws\.com\/global\/global-bundle\.pem/);
      assert.ok(readYamlFile(path.join(REPO_ROOT, `Pulumi.${stack}.yaml`)));
    }
  });

  it('the RDS CA bundle is not committed: certs/ is git-ignored', () => {
    const ignore = fs.readFileSync(path.join(REPO_ROOT, '.gitignore'), 'utf8').split('\n');
    assert.ok(ignore.includes('/certs/'));
  });
});

describe('docs/configuration.md, the stack configuration reference', () => {
  it('documents every configuration key', () => {
    const reference = readDoc('docs/configuration.md');
    const missing = allKeyPaths().filter((p) => !reference.includes(`\`${p}\``));
    assert.deepEqual(missing, []);
    for (const kind of TARGET_KINDS) assert.ok(reference.includes(`\`${kind}\``), kind);
  });

  it('docs/design.md explains the restore/upgrade/parameter-group design, README.md the commands', () => {
    const design = readDoc('docs/design.md');
    for (const needle of [
      'RestoreDBInstanceFromDBSnapshot',
      'ModifyDBInstance',
      'ignoreChanges',
      '--replace',
      'retainOnDelete',
      'autoMinorVersionUpgrade',
    ]) {
      assert.ok(design.includes(needle), `docs/design.md: ${needle}`);
    }
    const readme = readDoc('README.md');
    for (const needle of ['pulumi preview --stack', 'pulumi up --stack', '--replace', 'npm test']) {
      assert.ok(readme.includes(needle), `README.md: ${needle}`);
    }
  });
});
