// One error for every configuration problem found at once. Each problem is one self-contained line that names the
// key (`tooljet-pg-upgrade:clone.engineVersion`) and says what to fix, so the message can be shown as-is.
export class ConfigError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}
