// The operator's IAM tables (docs/design.md "IAM permissions", docs/targets.md "Permissions for the targets") grant
// what the program needs and no more (issue 14 item 6): kms:CreateGrant only for AWS resources, iam:PutRolePolicy only
// on named roles with the inline policies the components actually write, kms:Decrypt only through a service.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { inlinePolicyName } from '../../../targets/shared/component';
import { REPO_ROOT } from '../../helpers/stack-file';

const read = (f: string) => fs.readFileSync(path.join(REPO_ROOT, f), 'utf8');
/** The table rows (lines starting with |) of the section under `heading`. */
function rows(doc: string, heading: string): string[] {
  const start = doc.indexOf(`## ${heading}`);
  assert.ok(start >= 0, heading);
  const end = doc.indexOf('\n## ', start + 3);
  return doc
    .slice(start, end < 0 ? undefined : end)
    .split('\n')
    .filter((l) => l.startsWith('|'));
}

describe("docs: the operator's IAM tables", () => {
  it('grant kms:CreateGrant only with kms:GrantIsForAWSResource (AWS KMS Developer Guide, kms:GrantIsForAWSResource)', () => {
    const lines = [...read('docs/design.md').split('\n'), ...read('docs/targets.md').split('\n')].filter((l) =>
      l.includes('kms:CreateGrant'),
    );
    assert.ok(lines.length > 0, 'restoring an encrypted snapshot needs it');
    for (const l of lines) assert.match(l, /kms:GrantIsForAWSResource.*true/, l);
  });

  it('grant iam:PutRolePolicy only on named roles, naming every inline policy the components write', () => {
    const table = rows(read('docs/targets.md'), 'Permissions for the targets');
    const put = table.filter((l) => l.includes('iam:PutRolePolicy'));
    assert.ok(put.length > 0);
    for (const l of put) {
      const resource = l.split('|')[3];
      assert.ok(!/role\/\*|`\*`/.test(resource), `no wildcard role: ${l}`);
      assert.match(l, /role\/<|two roles only/, l);
    }
    // Every inline policy a component writes (inlinePolicyName(args.stack, '<purpose>') in targets/), by its name.
    const sources = ['targets/ecs/component.ts', 'targets/ami/component.ts'].map(read).join('\n');
    const purposes = [...sources.matchAll(/inlinePolicyName\(args\.stack, '([a-z-]+)'\)/g)].map((m) => m[1]);
    assert.deepEqual(purposes.sort(), ['ami-tooljet', 'ecs-rds-ca-bundle', 'ecs-secrets']);
    for (const p of purposes)
      assert.ok(
        put.some((l) => l.includes(`\`${inlinePolicyName('<stack>', p)}\``)),
        `${inlinePolicyName('<stack>', p)} named`,
      );
  });

  it('grant kms:Decrypt / kms:GenerateDataKey only through a service (kms:ViaService)', () => {
    const table = rows(read('docs/targets.md'), 'Permissions for the targets');
    for (const l of table.filter((x) => x.includes('kms:Decrypt'))) assert.match(l, /kms:ViaService/, l);
  });
});
