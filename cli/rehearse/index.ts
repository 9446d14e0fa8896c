// Public API of the local rehearsal (`tj-pg-upgrade rehearse`).
export { checkRehearseOptions, DEFAULT_SIZE_MB, EXPECTED_VERSION, runRehearsal } from './run';
export type { RehearseOptions } from './run';
export { DEFAULT_OUT, RehearsalUsageError } from './outdir';
export { renderResultsMarkdown, renderSummary } from './results';
export { compareRenderings } from './rollback';
export { renderTargetConfigs } from './configs';
export type { RenderedFile, RunSecrets } from './configs';
export type { RehearsalReport, PhaseReport, PhaseName } from './report';
