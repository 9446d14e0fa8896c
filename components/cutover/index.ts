// The maintenance window: ToolJet stopped before the snapshot and started after the re-point, per target kind.
export * from './ami';
export * from './docker';
export * from './ecs';
export * from './eks';
export * from './scripts';
export * from './tooljet-window';
