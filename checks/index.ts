// Public API of the database checks: the pre-upgrade check, the post-deploy validation and their result model.
export { runPrecheck } from './precheck';
export type { PrecheckOptions, PrecheckResult } from './precheck';
export { runValidate } from './validate';
export type { DatabaseValidation, ValidateOptions, ValidateResult } from './validate';
export { check, exitCodeFor, renderJson, renderTable, summarize } from './report';
export type { CheckResult, CheckStatus, Summary } from './report';
