// Entry point of the policy pack: `pulumi preview --policy-pack policy`. It only constructs the pack (which starts the
// policy server); the policies live in ./policies so tests can run them without a server.
import { PolicyPack } from '@pulumi/policy';
import { policies, stackPolicies } from './policies';

new PolicyPack('tooljet-pg-upgrade-guardrails', {
  description: 'Guard rails for the ToolJet RDS PostgreSQL 13 -> 16.9 upgrade: private, encrypted, TLS-only databases.',
  enforcementLevel: 'mandatory',
  policies: [...policies, ...stackPolicies],
});
