// Strategy blue-green: RDS Blue/Green on the source itself (prerequisites, import mirror, upgrade, program).
export * from './facts';
export * from './mirror';
export * from './prerequisites';
export * from './program';
export * from './upgrade';
