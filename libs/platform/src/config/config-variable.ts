import type { z } from 'zod';

/** How one environment variable is described, parsed and documented. */
export interface ConfigVariable<T = unknown> {
  readonly description: string;
  /** Parses the raw string; receives `undefined` when the variable is unset and has no default. */
  readonly schema: z.ZodType<T>;
  /** Raw value used when the variable is unset or empty; parsed like any other value. */
  readonly default: string | undefined;
  /** What a valid value looks like, for error messages and docs ("host:port[,host:port…]"). */
  readonly expected: string | undefined;
  /** Redacted from logs and error messages, never echoed back. */
  readonly sensitive: boolean;
  /** Shown in `.env.example` for variables without a default. */
  readonly example: string | undefined;
}

export interface ConfigVariableSpec<S extends z.ZodType> {
  readonly description: string;
  readonly schema: S;
  readonly default?: string;
  readonly expected?: string;
  readonly sensitive?: boolean;
  readonly example?: string;
}

export function configVariable<S extends z.ZodType>(
  spec: ConfigVariableSpec<S>,
): ConfigVariable<z.output<S>> {
  return Object.freeze({
    description: spec.description,
    schema: spec.schema as z.ZodType<z.output<S>>,
    default: spec.default,
    expected: spec.expected,
    sensitive: spec.sensitive ?? false,
    example: spec.example,
  });
}

/** A variable that may stay unset: no default, and its schema accepts `undefined`. */
export function isOptionalVariable(variable: ConfigVariable): boolean {
  return variable.default === undefined && variable.schema.safeParse(undefined).success;
}
