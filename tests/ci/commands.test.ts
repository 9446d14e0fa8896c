// Every `pulumi preview` / `pulumi up` a reader may copy from the README, the docs or the stack files' comments
// carries `--policy-pack policy` (issue 14, finding 2): a command without it runs no guard rail at all. Prose such as
// "run `pulumi up`" is not a command; a command is a line of a code block, a commented command line of a stack file,
// or an inline code span with flags.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../..');
const COMMAND = /\bpulumi (?:up|preview)\b/;
// A code block's command lines start with the command (output lines of a block may mention `pulumi up` in prose).

/** The command lines of a Markdown file: code-block lines starting with the command, inline code spans with a flag. */
function markdownCommands(text: string): string[] {
  const out: string[] = [];
  let inBlock = false;
  for (const line of text.split('\n')) {
    if (/^\s*```/.test(line)) {
      inBlock = !inBlock;
      continue;
    }
    if (inBlock) {
      if (/^\s*(?:\$\s+)?pulumi (?:up|preview)\b/.test(line)) out.push(line.trim());
      continue;
    }
    for (const m of line.matchAll(/`([^`]+)`/g)) {
      if (COMMAND.test(m[1]) && /\s--[a-z]/.test(m[1])) out.push(m[1]);
    }
  }
  return out;
}

/** The commented command lines of a stack file (`#   pulumi up --stack prod ...`). */
function stackFileCommands(text: string): string[] {
  return text
    .split('\n')
    .map((l) => /^\s*#\s+(pulumi (?:up|preview)\b.*)$/.exec(l)?.[1])
    .filter((c): c is string => c !== undefined);
}

describe('pulumi commands in the README, the docs and the stack files', () => {
  const files = [
    'README.md',
    ...fs.readdirSync(path.join(ROOT, 'docs')).map((f) => `docs/${f}`),
    ...fs.readdirSync(ROOT).filter((f) => /^Pulumi\..+\.yaml$/.test(f)),
  ].filter((f) => /\.(md|yaml)$/.test(f));

  it('are found (the scan sees the commands it is about)', () => {
    const readme = markdownCommands(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'));
    assert.ok(readme.length >= 5, readme.join('\n'));
    assert.ok(stackFileCommands(fs.readFileSync(path.join(ROOT, 'Pulumi.prod.yaml'), 'utf8')).length >= 2);
  });

  it('all run the policy pack: --policy-pack policy', () => {
    const missing: string[] = [];
    for (const f of files) {
      const text = fs.readFileSync(path.join(ROOT, f), 'utf8');
      const commands = f.endsWith('.md') ? markdownCommands(text) : stackFileCommands(text);
      for (const c of commands) if (!/--policy-pack policy\b/.test(c)) missing.push(`${f}: ${c}`);
    }
    assert.deepEqual(missing, []);
  });
});
