// Extensions on the target still at an older version than the one 16 ships: a major upgrade does not update them.
import type { Client } from 'pg';
import type { TargetCheck } from '../check';
import { check } from '../report';
import { qi } from '../session';

export const OUTDATED_EXTENSIONS_SQL = `
SELECT name, installed_version AS installed, default_version AS available
FROM pg_catalog.pg_available_extensions
WHERE installed_version IS NOT NULL AND installed_version <> default_version
ORDER BY name`;

export async function outdatedExtensions(client: Client): Promise<string[]> {
  const rows = (await client.query(OUTDATED_EXTENSIONS_SQL)).rows;
  return rows.map((r) => `${r.name} ${r.installed} -> ${r.available}: ALTER EXTENSION ${qi(r.name)} UPDATE;`);
}

export const extensionUpdates: TargetCheck = {
  name: 'extension updates',
  reads: 'target',
  async run(ctx) {
    const outdated = await outdatedExtensions(ctx.admin);
    return [
      outdated.length
        ? check(
            'extension updates',
            'warn',
            `${outdated.length} extension(s) on the target are older than the version 16 ships; a major upgrade does not update them`,
            outdated,
            ctx.label,
          )
        : check('extension updates', 'pass', 'every extension on the target is at its default version', [], ctx.label),
    ];
  },
};
