// What the program's commands share: running the CLI in the project directory, password-free database URLs, and
// one-line error text.
export * from './cli';
export * from './errors';
export * from './noop-update';
