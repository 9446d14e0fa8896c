// Thin Pulumi wiring, one folder per concern: database, post-deploy validation (the ToolJet targets live in targets/).
export * from './database';
export * from './validation';
