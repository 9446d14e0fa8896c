// Post-upgrade monitoring: the pure renderers (alarm specs, the connection-failure log filter, the dashboard body) and
// the CloudWatch components (the clone's PostgreSQL log group; alarms on the active database, SNS topic, dashboard).
// Pure consumers import the renderer files themselves, so they load no Pulumi.
export * from './alarms';
export * from './component';
export * from './dashboard';
export * from './log-filter';
export * from './log-group';
