// Rollback aftercare: the report of what stays on the clone when ToolJet goes back to the source.
export * from './report';
