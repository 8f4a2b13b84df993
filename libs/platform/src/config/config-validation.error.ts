export interface ConfigProblem {
  readonly variable: string;
  readonly message: string;
}

/** Thrown at boot when the environment doesn't satisfy a config definition; names every bad variable. */
export class ConfigValidationError extends Error {
  override readonly name = 'ConfigValidationError';

  constructor(readonly problems: readonly ConfigProblem[]) {
    super(['Invalid configuration:', ...problems.map((p) => `  ${p.variable}: ${p.message}`)].join('\n'));
  }
}
