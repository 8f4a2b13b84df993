import type { z } from 'zod';
import { ConfigValidationError, type ConfigProblem } from './config-validation.error.js';
import type { ConfigVariable } from './config-variable.js';

export type ConfigShape = Readonly<Record<string, ConfigVariable>>;

export type ConfigValues<S extends ConfigShape> = {
  readonly [K in keyof S]: S[K] extends ConfigVariable<infer T> ? T : never;
};

/** The raw environment: `process.env` in production, a plain object in tests. */
export type Environment = Readonly<Record<string, string | undefined>>;

export interface ConfigDefinition<S extends ConfigShape = ConfigShape> {
  readonly variables: S;
  /** DI token under which `PlatformConfigModule` provides the parsed values. */
  readonly token: symbol;
  /** Parses and freezes; throws `ConfigValidationError` naming every bad variable. */
  parse(env: Environment): ConfigValues<S>;
}

/** The parsed, typed config of a definition: `ConfigOf<typeof HistoryConfig>`. */
export type ConfigOf<D> = D extends ConfigDefinition<infer S> ? ConfigValues<S> : never;

const VARIABLE_NAME = /^[A-Z][A-Z0-9_]*$/;

/**
 * Declares the variables a service reads. Compose shared pieces by spreading them:
 * `defineConfig({ ...coreVariables, ...databaseVariables, TWILIO_AUTH_TOKEN: … })`.
 */
export function defineConfig<S extends ConfigShape>(variables: S, name = 'config'): ConfigDefinition<S> {
  for (const key of Object.keys(variables)) {
    if (!VARIABLE_NAME.test(key)) throw new Error(`Config variable names are UPPER_SNAKE_CASE; got "${key}"`);
  }
  return Object.freeze({
    variables,
    token: Symbol(name),
    parse: (env: Environment) => parseConfig(variables, env),
  });
}

function parseConfig<S extends ConfigShape>(variables: S, env: Environment): ConfigValues<S> {
  const values: Record<string, unknown> = {};
  const problems: ConfigProblem[] = [];
  for (const [name, variable] of Object.entries(variables)) {
    const raw = env[name];
    // `FOO=` in a .env file means "not set", not "the empty string".
    const isSet = raw !== undefined && raw.trim() !== '';
    const result = variable.schema.safeParse(isSet ? raw : variable.default);
    if (result.success) {
      values[name] = deepFreeze(result.data);
    } else {
      problems.push({
        variable: name,
        message: describeProblem(variable, isSet ? raw : undefined, result.error),
      });
    }
  }
  if (problems.length > 0) throw new ConfigValidationError(problems);
  return Object.freeze(values) as ConfigValues<S>;
}

function describeProblem(variable: ConfigVariable, raw: string | undefined, error: z.ZodError): string {
  const expectation = variable.expected
    ? `expected ${variable.expected}`
    : (error.issues[0]?.message ?? 'invalid value');
  if (raw === undefined) return `${expectation}; not set`;
  if (variable.sensitive) return `${expectation}; got a value that doesn't match (hidden: sensitive)`;
  const shown = raw.length > 80 ? `${raw.slice(0, 77)}...` : raw;
  return `${expectation}; got ${JSON.stringify(shown)}`;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const nested of Object.values(value)) deepFreeze(nested);
  }
  return value;
}
