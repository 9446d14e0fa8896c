// RDS naming rules, as the provider (terraform-provider-aws validIdentifier / validParamGroupName) and the RDS API
// enforce them. Each check returns undefined when the name is fine, or what is wrong with it (one phrase).

/** Letters, digits and hyphens; first a letter; no `--`; no trailing `-`; lowercase (RDS stores them lowercased). */
function rdsName(value: string, maxLength: number): string | undefined {
  if (value.length === 0) return 'is empty';
  if (value.length > maxLength) return `is ${value.length} characters long (at most ${maxLength})`;
  if (/[A-Z]/.test(value)) return 'has upper-case letters (RDS names are lower-case; write it in lower case)';
  if (!/^[a-z]/.test(value)) return 'must start with a letter';
  if (!/^[a-z0-9-]+$/.test(value)) return 'may only contain lower-case letters, digits and hyphens';
  if (value.includes('--')) return 'must not contain two consecutive hyphens';
  if (value.endsWith('-')) return 'must not end with a hyphen';
  return undefined;
}

/** DB instance identifier: 1-63 characters. */
export function checkInstanceIdentifier(value: string): string | undefined {
  return rdsName(value, 63);
}

/** Manual DB snapshot identifier (also the final snapshot identifier): 1-255 characters. */
export function checkSnapshotIdentifier(value: string): string | undefined {
  return rdsName(value, 255);
}

/** DB parameter group name: 1-255 characters. */
export function checkParameterGroupName(value: string): string | undefined {
  return rdsName(value, 255);
}

const SNAPSHOT_ARN = /^arn:aws(-[a-z]+)*:rds:[a-z0-9-]+:\d{12}:snapshot:(rds:)?[a-z][a-z0-9-]*$/;

/**
 * An existing snapshot may be a manual one (`name`), an automated one (`rds:name-2024-01-01-00-05`) or a shared one
 * (its ARN).
 */
export function checkExistingSnapshotIdentifier(value: string): string | undefined {
  if (value.startsWith('arn:')) {
    return SNAPSHOT_ARN.test(value)
      ? undefined
      : 'is not a DB snapshot ARN (arn:aws:rds:<region>:<account>:snapshot:<name>)';
  }
  const name = value.startsWith('rds:') ? value.slice(4) : value;
  const problem = rdsName(name, 255);
  return problem && value.startsWith('rds:') ? `(after "rds:") ${problem}` : problem;
}

export function isSnapshotArn(value: string): boolean {
  return value.startsWith('arn:');
}

/**
 * Turns free text (a stack name) into something usable inside an RDS name: lower case, runs of other characters
 * become one hyphen. Deterministic: the same stack always gives the same text.
 */
export function toRdsNamePart(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}
