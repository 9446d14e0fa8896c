// README "ToolJet targets" documents every target sub-key (per kind, in that kind's table) and the validation switch.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { VALIDATION_SUB_KEYS } from '../../config';
import { TARGET_KINDS, TARGET_SUB_KEYS } from '../../targets';
import { REPO_ROOT } from '../helpers/stack-file';

const README = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');

function between(start: string, endPrefix: RegExp): string {
  const i = README.indexOf(start);
  assert.ok(i >= 0, `README has no "${start}"`);
  const rest = README.slice(i + start.length);
  const m = endPrefix.exec(rest);
  return rest.slice(0, m ? m.index : undefined);
}

describe('README "ToolJet targets": every target setting documented', () => {
  for (const kind of TARGET_KINDS) {
    it(`${kind}: every key of targets.${kind} is in its table`, () => {
      const section = between(`(\`targets.${kind}\`)\n`, /\n#{2,4} /);
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

  it('documents the post-deploy validation: the command, its skip switch and why it may be needed', () => {
    const section = between('### Post-deploy validation (`validation.*`)\n', /\n## /);
    for (const needle of ['validation.enabled: false', 'PGPASSWORD', '--expect-version', 'VPN', 'bastion', 'triggers', 'pulumi preview']) {
      assert.ok(section.includes(needle), needle);
    }
    const reference = between('## Stack configuration reference\n', /\n## /);
    for (const k of VALIDATION_SUB_KEYS) assert.ok(reference.includes(`\`validation.${k}\``), k);
  });
});
