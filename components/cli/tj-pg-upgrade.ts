// Moved to lib/commands/ (pure helpers, not a component). Kept as a re-export only because index.ts still imports
// it from here; once index.ts imports from './lib/commands', delete this folder.
export { caFileForCommand, CLI, commandDatabaseUrl } from '../../lib/commands';
export type { CommandDatabase } from '../../lib/commands';
