// What `tj-pg-upgrade postcheck` checks on the upgraded instance alone, in report order. Adding a check: one file
// exporting a Check (see checks/check.ts), one entry here, and its test under tests/checks/ (docs/layout.md).
import type { ServerCheck, TargetCheck } from '../check';
import { extensionUpdates } from '../common/extension-updates';
import { statistics } from '../common/statistics';
import { tls } from '../common/tls';
import { version } from '../common/version';
import { sequencesVsColumns } from './sequences-vs-columns';

/** Once, on the main session. */
export const POSTCHECK_SERVER_CHECKS: readonly ServerCheck[] = [tls, version];

/** Per database (the ToolJet database, and the ToolJet Database with --tooljet-db); target only, no snapshot. */
export const POSTCHECK_CHECKS: readonly TargetCheck[] = [sequencesVsColumns, extensionUpdates, statistics];
