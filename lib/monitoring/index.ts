// Pure renderers for post-upgrade monitoring: alarm specs, the connection-failure log filter, the dashboard body.
export * from './alarms';
export * from './dashboard';
export * from './log-filter';
