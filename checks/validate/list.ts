// What `tj-pg-upgrade validate` checks, in report order. Adding a check: one file exporting a Check (see
// checks/check.ts), one entry here, and its test under tests/checks/ (docs/layout.md, "Add a check").
import type { DatabaseCheck, ServerCheck } from '../check';
import { extensionUpdates } from '../common/extension-updates';
import { statistics } from '../common/statistics';
import { tls } from '../common/tls';
import { version } from '../common/version';
import { encoding } from './encoding';
import { largeObjects } from './large-objects';
import { migrations } from './migrations';
import { ownership } from './ownership';
import { privileges } from './privileges';
import { roles } from './roles';
import { rowContent } from './row-content';
import { rowSecurity } from './row-security';
import { schemaParity } from './schema-parity';
import { sequenceValues } from './sequence-values';
import { viewDefinitions } from './view-definitions';

/** Once per run, on the main sessions of source and target (roles belong to the cluster, so they are compared here). */
export const VALIDATE_SERVER_CHECKS: readonly ServerCheck[] = [tls, version, roles];

/**
 * Per database pair (the ToolJet database, and the ToolJet Database with --tooljet-db). The snapshot sessions stay
 * open from the first to the last check that reads both sides; target-only follow-ups come after, on `admin`.
 */
export const VALIDATE_CHECKS: readonly DatabaseCheck[] = [
  encoding,
  schemaParity,
  viewDefinitions,
  ownership,
  privileges,
  rowSecurity,
  rowContent,
  largeObjects,
  sequenceValues,
  migrations,
  extensionUpdates,
  statistics,
];
