// The validation concern, as commands of `pulumi up`: the post-deploy `tj-pg-upgrade validate` of the source against
// the clone, and the rollback report (what stays on the clone when ToolJet goes back to the source).
export * from './post-deploy';
export * from './rollback-report';
export * from './validate-command';
