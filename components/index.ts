// Thin Pulumi wiring, one folder per concern.
export * from './database';
