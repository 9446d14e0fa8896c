// Defaults of `tj-pg-upgrade rehearse` that its help text shows (kept apart from run.ts so --help loads nothing heavy).

/** Size of the generated ToolJet fixture, MB. */
export const DEFAULT_SIZE_MB = 5;
