// `validation`: the post-deploy `tj-pg-upgrade validate` command (components/validation/).
import type { Reader } from '../reader';
import { TARGET_DEFAULTS, VALIDATION_SUB_KEYS, ValidationConfig } from './types';

export function parseValidation(r: Reader, value: unknown): ValidationConfig {
  const d = TARGET_DEFAULTS.validation;
  const o = r.object('validation', value) ?? {};
  r.unknownKeys('validation', o, VALIDATION_SUB_KEYS);
  return {
    enabled: r.boolean('validation.enabled', o.enabled) ?? d.enabled,
    tooljetDb: r.boolean('validation.tooljetDb', o.tooljetDb) ?? d.tooljetDb,
    jobs: r.integer('validation.jobs', o.jobs, 1, 16) ?? d.jobs,
    analyze: r.boolean('validation.analyze', o.analyze) ?? d.analyze,
    fixSequences: r.boolean('validation.fixSequences', o.fixSequences) ?? d.fixSequences,
    timeout: r.duration('validation.timeout', o.timeout, d.timeout),
  };
}
