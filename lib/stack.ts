// The stack primitives every part of the program shares (config/, targets/, the components): the project name, which
// is the configuration namespace, and the kind of environment a stack is. Kept here, below config/, so that the
// renderers and components of targets/ can name them without importing the configuration.

/** Pulumi project name = configuration namespace (`tooljet-pg-upgrade:<key>`). */
export const PROJECT = 'tooljet-pg-upgrade';

/** `production` turns on every protection (protect, deletionProtection, final snapshot). */
export type Environment = 'production' | 'staging';
export const ENVIRONMENTS: readonly Environment[] = ['production', 'staging'];
