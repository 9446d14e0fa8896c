// Variables that must not survive a re-point of ToolJet, because each one overrides what the targets render.
// ToolJet's server/ormconfig.ts and server/scripts/database-config-utils.ts test them for truthiness
// (`if (envVars?.DATABASE_URL)`, `data.DATABASE_URL || data.TOOLJET_DB_URL`): set to a non-empty value,
//   - DATABASE_URL makes TypeORM connect with `ssl: { rejectUnauthorized: false }` (encrypted, certificate NOT verified)
//     and its host/user/password/database replace PG_HOST & co., so ToolJet can stay on the old database;
//   - TOOLJET_DB_URL replaces TOOLJET_DB_HOST & co. the same way (the ToolJet Database stays on the old host);
//   - CA_CERT makes TypeORM use `ssl: { rejectUnauthorized: false, ca }`: the CA is loaded and then not checked;
// and Node itself skips certificate verification for every TLS connection when NODE_TLS_REJECT_UNAUTHORIZED is "0".
// An empty value counts as unset for all four (ToolJet tests truthiness, Node compares with "0").
//
// The rule every target applies (docs/targets.md "Settings that would undo verified TLS"):
//   - found in what a target re-points (Docker .env, the AMI's .env, the ECS service's current task definition, the
//     EKS chart's Secret): neutralised (commented out / removed / set to "") and reported;
//   - asked for in this stack's configuration (targets.ecs.extraEnvironment, extraSecrets, extraContainers): refused.

/** Each variable with the reason it is neutralised (one line, for reports and errors). */
export const UNSAFE_ENV: Readonly<Record<string, string>> = {
  DATABASE_URL: 'ToolJet then connects with rejectUnauthorized: false and takes the host from it instead of PG_HOST',
  TOOLJET_DB_URL: 'ToolJet then takes the ToolJet Database host from it instead of TOOLJET_DB_HOST',
  CA_CERT: 'ToolJet then connects with rejectUnauthorized: false (the certificate is not verified)',
  NODE_TLS_REJECT_UNAUTHORIZED: 'Node then skips certificate verification for every TLS connection',
};

export const UNSAFE_ENV_NAMES: readonly string[] = Object.keys(UNSAFE_ENV);

export function isUnsafeEnvName(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(UNSAFE_ENV, name);
}

/** The one-line message for a configuration that asks for one of them (`where` names the config key). */
export function unsafeEnvProblem(name: string): string {
  return `${name} must not be set: ${UNSAFE_ENV[name]}; remove it (this target sets PG_*/TOOLJET_DB_* with PGSSLMODE=verify-full and NODE_EXTRA_CA_CERTS)`;
}
