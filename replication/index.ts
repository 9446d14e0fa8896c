// Strategy replication's components: prerequisites (AWS facts), the commands' text, one command, the new instance;
// its resource graph is programs/replication.ts.
export * from './commands';
export * from './instance';
export * from './prerequisites';
export * from './step';
