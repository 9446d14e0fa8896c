// Strategy blue-green's components: RDS Blue/Green on the source itself (facts, prerequisites, import mirror, upgrade);
// its resource graph is programs/blue-green.ts.
export * from './facts';
export * from './mirror';
export * from './prerequisites';
export * from './upgrade';
