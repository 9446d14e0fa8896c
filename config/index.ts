// Typed stack configuration: the pure parser (parseStackConfig) and the pulumi.Config loader (loadStackConfig).
export * from './types';
export { parseTargets, parseTargetSettings } from './targets';
export { parseValidation, VALIDATION_DEFAULTS, VALIDATION_SUB_KEYS } from './validation';
export type { ValidationConfig } from './validation';
export { ConfigError } from './errors';
export { parseStackConfig } from './parse';
export type { ParseOptions } from './parse';
export { addDays, calendarDate, LOG_RETENTION_DAYS, parseAftercare, stackNamePart, utcTimestamp } from './aftercare';
export { loadStackConfig } from './load';
export type { LoadedStackConfig } from './load';
export { durationSeconds } from '../lib/durations';
export { environmentFromStackName, stackNameSaysProduction } from './environment';
export {
  checkExistingSnapshotIdentifier,
  checkInstanceIdentifier,
  checkParameterGroupName,
  checkSnapshotIdentifier,
  isSnapshotArn,
} from './identifiers';
