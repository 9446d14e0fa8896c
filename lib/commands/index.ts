// What the program's commands share: the AWS CLI environment, running the CLI in the project directory, password-free database URLs, and
// one-line error text.
export * from './aws';
export * from './cli';
export * from './errors';
export * from './noop-update';
