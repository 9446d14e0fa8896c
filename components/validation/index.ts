// The validation concern: the post-deploy `tj-pg-upgrade validate` command.
export * from './post-deploy';
export * from './validate-command';
