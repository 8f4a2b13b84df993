import { registerSecretValues } from '../logging/redaction.util.js';
import type { ConfigDefinition, ConfigShape, ConfigValues, Environment } from './config-definition.js';

export interface LoadConfigOptions {
  /** Defaults to `process.env`; tests pass a plain object. */
  readonly env?: Environment;
  /** Applied over `env`, e.g. the URL of an embedded PostgreSQL started before Nest. */
  readonly overrides?: Environment;
}

/**
 * The process's validated config: the app's root definition, parsed once at boot. Modules read
 * their slice through `get(TheirDefinition)`, which checks the root definition includes it.
 */
export class PlatformConfigService<S extends ConfigShape = ConfigShape> {
  private readonly slices = new WeakMap<ConfigDefinition, unknown>();

  constructor(
    readonly definition: ConfigDefinition<S>,
    readonly values: ConfigValues<S>,
  ) {
    registerSecretValues(this.sensitiveValues());
  }

  get<T extends ConfigShape>(slice: ConfigDefinition<T>): ConfigValues<T> {
    const cached = this.slices.get(slice);
    if (cached) return cached as ConfigValues<T>;
    const picked: Record<string, unknown> = {};
    const missing: string[] = [];
    for (const [name, variable] of Object.entries(slice.variables)) {
      // Identity, not name: two different definitions of one variable would parse it differently.
      if (this.definition.variables[name] !== variable) missing.push(name);
      else picked[name] = (this.values as Record<string, unknown>)[name];
    }
    if (missing.length > 0) {
      throw new Error(
        `The app's config definition lacks ${missing.join(', ')} (or defines ${missing.length > 1 ? 'them' : 'it'} ` +
          `differently): spread the shared pieces (e.g. ...databaseVariables) into its defineConfig().`,
      );
    }
    const sliceValues = Object.freeze(picked) as ConfigValues<T>;
    this.slices.set(slice, sliceValues);
    return sliceValues;
  }

  /** Raw values of variables flagged sensitive, for redaction. */
  sensitiveValues(): string[] {
    return Object.entries(this.definition.variables)
      .filter(([, variable]) => variable.sensitive)
      .flatMap(([name]) => stringsIn((this.values as Record<string, unknown>)[name]));
  }

  /** The effective config with sensitive values masked: safe to log at boot. */
  describe(): Record<string, unknown> {
    return Object.fromEntries(
      Object.entries(this.definition.variables).map(([name, variable]) => {
        const value = (this.values as Record<string, unknown>)[name];
        return [name, variable.sensitive && value !== undefined ? '[Redacted]' : value];
      }),
    );
  }
}

/** Parses `definition` from the environment. The one place that reads `process.env`. */
export function loadConfig<S extends ConfigShape>(
  definition: ConfigDefinition<S>,
  options: LoadConfigOptions = {},
): PlatformConfigService<S> {
  const env = { ...(options.env ?? process.env), ...options.overrides };
  return new PlatformConfigService(definition, definition.parse(env));
}

// A sensitive variable may parse into a list or an object; every string in it is secret.
function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(stringsIn);
  return [];
}
