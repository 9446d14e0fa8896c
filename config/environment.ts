// The stack's environment when `environment` is not configured, derived from the stack name the safe way round:
// `production` (every protection on) unless the name clearly says it is not production.
import { Environment } from './types';

const PRODUCTION_WORDS = new Set(['prod', 'production', 'prd', 'live']);
const NON_PRODUCTION_WORDS = new Set([
  'staging',
  'stage',
  'stg',
  'dev',
  'develop',
  'development',
  'test',
  'testing',
  'qa',
  'sandbox',
  'preprod',
  'uat',
]);

function words(stack: string): string[] {
  // "org/project/stack" is accepted too: only the words matter.
  return stack
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

/** True when a word of the stack name means production ("prod", "eu-prod", "production-2"). */
export function stackNameSaysProduction(stack: string): boolean {
  return words(stack).some((w) => PRODUCTION_WORDS.has(w));
}

/**
 * `staging` only when a word of the name is a non-production word and none is a production word ("staging",
 * "dev-eu", "test"); everything else, including "prod-test", "tooljet" and "mystaging", is `production`.
 */
export function environmentFromStackName(stack: string): Environment {
  if (stackNameSaysProduction(stack)) return 'production';
  return words(stack).some((w) => NON_PRODUCTION_WORDS.has(w)) ? 'staging' : 'production';
}
