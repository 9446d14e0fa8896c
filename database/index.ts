// The database concern: look up the source, snapshot it, create the postgres16 parameter group, restore and upgrade
// the clone, and pick the database ToolJet uses.
export * from './active';
export * from './attach-parameter-group';
export * from './checks';
export * from './clone';
export * from './clone-settings';
export * from './lookups';
export * from './parameter-group';
export * from './snapshot';
export * from './tags';
