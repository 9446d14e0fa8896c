// The maintenance-window cutover: StopToolJet/StartToolJet over the registry of target kinds (window.ts), what the
// kinds' stop/start scripts share (scripts.ts, tooljet-common.sh), the mode and triggers (mode.ts), the phase estimate
// (estimate.ts), the timing wrapper (timing.ts, timed.sh) and the fresh-snapshot rule (fresh-snapshot.ts).
export * from './estimate';
export * from './fresh-snapshot';
export * from './mode';
export * from './scripts';
export * from './timing';
export * from './window';
