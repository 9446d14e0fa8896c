// The plan of one `pulumi up`: buildPlan turns the checked configuration into the decisions the programs act on
// (plan.ts says what each means); planLog adds what the read-only lookups found to what is logged at start.
export { buildPlan } from './build';
export type { PlanConfig } from './build';
export { noWindowWarning, planLog, teardownWarning } from './log';
export { REPLICATION_STEPS, replicationPhase } from './build';
export type * from './plan';
