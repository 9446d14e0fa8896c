// Thin Pulumi wiring, one folder per concern: database, ToolJet targets, post-deploy validation.
export * from './database';
export * from './targets';
export * from './validation';
