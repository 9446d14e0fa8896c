// docs/targets.md documents every target sub-key (per kind, in that kind's table); docs/validation.md the post-deploy
// validation, and docs/configuration.md its switches. (The file keeps its name from when this lived in README.md.)
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { VALIDATION_SUB_KEYS } from '../../config';
import { TARGET_KINDS, TARGET_SUB_KEYS } from '../../targets';
import { REPO_ROOT } from '../helpers/stack-file';

const read = (relativePath: string): string => fs.readFileSync(path.join(REPO_ROOT, relativePath), 'utf8');
const TARGETS = read('docs/targets.md');
const VALIDATION = read('docs/validation.md');
const CONFIGURATION = read('docs/configuration.md');

function between(doc: string, name: string, start: string, endPrefix: RegExp): string {
  const i = doc.indexOf(start);
  assert.ok(i >= 0, `${name} has no "${start}"`);
  const rest = doc.slice(i + start.length);
  const m = endPrefix.exec(rest);
  return rest.slice(0, m ? m.index : undefined);
}

describe('docs/targets.md: every target setting documented', () => {
  for (const kind of TARGET_KINDS) {
    it(`${kind}: every key of targets.${kind} is in its table`, () => {
      const section = between(TARGETS, 'docs/targets.md', `(\`targets.${kind}\`)\n`, /\n#{2,4} /);
      const subs = TARGET_SUB_KEYS[kind] as readonly string[];
      const missing: string[] = [];
      for (const sub of subs) {
        const nested = (TARGET_SUB_KEYS as Record<string, readonly string[]>)[`${kind}.${sub}`];
        const paths = nested ? nested.map((n) => `${sub}.${n}`) : [sub];
        for (const p of paths) if (!section.includes(`\`${p}\``)) missing.push(p);
      }
      assert.deepEqual(missing, []);
    });
  }

  it('docs/validation.md documents the post-deploy validation: the command, its skip switch and why it may be needed', () => {
    const section = between(VALIDATION, 'docs/validation.md', '# Post-deploy validation (`validation.*`)\n', /\n# /);
    for (const needle of [
      'validation.enabled: false',
      'PGPASSWORD',
      '--expect-version',
      'VPN',
      'bastion',
      'triggers',
      'pulumi preview',
    ]) {
      assert.ok(section.includes(needle), needle);
    }
    for (const k of VALIDATION_SUB_KEYS) assert.ok(CONFIGURATION.includes(`\`validation.${k}\``), k);
  });
});
