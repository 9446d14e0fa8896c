// The maintenance-window cutover, as plain code: estimates, the timing wrapper, the mode. No Pulumi.
export * from './estimate';
export * from './fresh-snapshot';
export * from './mode';
export * from './timing';
