// Post-upgrade monitoring: the clone's PostgreSQL log group, alarms on the active database, SNS topic, dashboard.
export * from './log-group';
export * from './monitoring';
