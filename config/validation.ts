// `validation`: the post-deploy `tj-pg-upgrade validate` command (validation/post-deploy.ts). Its typed, defaulted
// settings and their parser.
import type { Reader } from './reader';

export interface ValidationConfig {
  /** false: no post-deploy validation (the runner cannot reach the private clone). */
  readonly enabled: boolean;
  /** Also validate the ToolJet Database (database.tooljetDbName). */
  readonly tooljetDb: boolean;
  readonly jobs: number;
  /** Let validate run ANALYZE on target tables without statistics (a write on the clone). */
  readonly analyze: boolean;
  /** Let validate setval target sequences that lag the source (a write on the clone). */
  readonly fixSequences: boolean;
  /** `validation.timeout` in seconds: the create timeout of the command. */
  readonly timeoutSeconds: number;
}

export const VALIDATION_SUB_KEYS = ['enabled', 'tooljetDb', 'jobs', 'analyze', 'fixSequences', 'timeout'] as const;

export const VALIDATION_DEFAULTS = {
  enabled: true,
  tooljetDb: true,
  jobs: 4,
  analyze: false,
  fixSequences: false,
  /** 2h */
  timeoutSeconds: 2 * 3600,
} as const;

export function parseValidation(r: Reader, value: unknown): ValidationConfig {
  const d = VALIDATION_DEFAULTS;
  const o = r.object('validation', value) ?? {};
  r.unknownKeys('validation', o, VALIDATION_SUB_KEYS);
  return {
    enabled: r.boolean('validation.enabled', o.enabled) ?? d.enabled,
    tooljetDb: r.boolean('validation.tooljetDb', o.tooljetDb) ?? d.tooljetDb,
    jobs: r.integer('validation.jobs', o.jobs, 1, 16) ?? d.jobs,
    analyze: r.boolean('validation.analyze', o.analyze) ?? d.analyze,
    fixSequences: r.boolean('validation.fixSequences', o.fixSequences) ?? d.fixSequences,
    timeoutSeconds: r.duration('validation.timeout', o.timeout, d.timeoutSeconds),
  };
}
