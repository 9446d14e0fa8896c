// The committed project and stack files, and the README reference that documents their keys.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { PROJECT, SUB_KEYS, TOP_LEVEL_KEYS } from '../../config';
import { TARGET_KINDS } from '../../targets';
import { readProject, readStackFile, readYamlFile, REPO_ROOT } from '../helpers/stack-file';

function readmeSection(title: string): string {
  const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(`\n## ${title}\n`);
  assert.ok(start >= 0, `README has no "## ${title}" section`);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

/** Every key path parseStackConfig knows: environment, source.identifier, clone.timeouts.create, ... */
function allKeyPaths(): string[] {
  const paths: string[] = [];
  for (const top of TOP_LEVEL_KEYS) {
    const subs = (SUB_KEYS as Record<string, readonly string[]>)[top];
    if (!subs) paths.push(top);
    else for (const sub of subs) {
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
      assert.ok(!keys.includes(`${PROJECT}:dbPassword`), 'the password is set with `pulumi config set --secret`, not committed');
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

describe('README "Stack configuration reference"', () => {
  it('documents every configuration key', () => {
    const section = readmeSection('Stack configuration reference');
    const missing = allKeyPaths().filter((p) => !section.includes(`\`${p}\``));
    assert.deepEqual(missing, []);
    for (const kind of TARGET_KINDS) assert.ok(section.includes(`\`${kind}\``), kind);
  });

  it('"The Pulumi program" explains the restore/upgrade/parameter-group design and the commands', () => {
    const section = readmeSection('The Pulumi program');
    for (const needle of ['RestoreDBInstanceFromDBSnapshot', 'ModifyDBInstance', 'ignoreChanges', 'pulumi preview --stack', 'pulumi up --stack', '--replace', 'retainOnDelete', 'autoMinorVersionUpgrade', 'npm test']) {
      assert.ok(section.includes(needle), needle);
    }
  });
});
