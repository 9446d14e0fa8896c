// Pure renderers of ToolJet configuration per deployment target. Components under components/targets/ wire them.
export * from './target';
export * from './database-env';
export * from './unsafe-env';
export * from './dotenv';
export * from './secrets';
export * from './docker';
export * from './ecs';
export * from './ecs-merge';
export * from './eks';
export * from './ami';
