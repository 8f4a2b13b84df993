export const REDACTED = '[Redacted]';

/** Keys whose values never reach a log line, wherever they sit in the logged object. */
const SECRET_KEYS = [
  'password',
  'passwd',
  'secret',
  'clientSecret',
  'token',
  'accessToken',
  'refreshToken',
  'authToken',
  'apiKey',
  'api_key',
  'privateKey',
  'authorization',
  'Authorization',
  'cookie',
  'Cookie',
  'set-cookie',
  'x-api-key',
  // TypeORM's QueryFailedError carries the values bound to the failed SQL: customers' messages,
  // emails, whatever a client sent. The SQL text may be logged; its parameters never.
  'parameters',
] as const;

// pino's redaction matches fixed paths; `*` stands for exactly one level. Five levels cover
// `{ req: { headers: { authorization } } }` and the like; anything deeper is a smell anyway.
const MAX_DEPTH = 5;

function pathFor(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? key : `["${key}"]`;
}

export const REDACT_PATHS: readonly string[] = Array.from({ length: MAX_DEPTH + 1 }, (_, depth) =>
  SECRET_KEYS.map((key) => {
    const leaf = pathFor(key);
    if (depth === 0) return leaf;
    return `${Array<string>(depth).fill('*').join('.')}${leaf.startsWith('[') ? '' : '.'}${leaf}`;
  }),
).flat();

// Shorter values would turn common words into "[Redacted]" all over the logs.
const MIN_SECRET_LENGTH = 6;

const secrets = new Set<string>();
let pattern: RegExp | undefined;

/**
 * Makes every later log line (and readiness reason) hide these values, wherever they appear —
 * for secrets that travel under innocent keys or inside messages (a URL in an error, say).
 * URLs also register their password on its own, as drivers sometimes echo just that.
 */
export function registerSecretValues(values: Iterable<string>): void {
  for (const value of values) {
    for (const secret of expandSecret(value)) {
      if (secret.length >= MIN_SECRET_LENGTH) secrets.add(secret);
    }
  }
  pattern = buildPattern();
}

/** For tests that check redaction in isolation. */
export function clearSecretValues(): void {
  secrets.clear();
  pattern = undefined;
}

/** Replaces registered secret values, plain or JSON-escaped, and credentials embedded in URLs. */
export function redactSecretValues(text: string): string {
  const withoutValues = pattern ? text.replace(pattern, REDACTED) : text;
  return withoutValues.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s"]+):[^@/\s"]+@/gi, `$1:${REDACTED}@`);
}

function expandSecret(value: string): string[] {
  const forms = [value];
  if (URL.canParse(value)) {
    const { password } = new URL(value);
    if (password) forms.push(password, safeDecode(password));
  }
  return forms;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function buildPattern(): RegExp | undefined {
  if (secrets.size === 0) return undefined;
  const forms = new Set<string>();
  for (const secret of secrets) {
    forms.add(secret);
    // Inside a serialized log line, quotes and backslashes are escaped.
    forms.add(JSON.stringify(secret).slice(1, -1));
  }
  const alternatives = [...forms].sort((a, b) => b.length - a.length).map(escapeRegExp);
  return new RegExp(alternatives.join('|'), 'g');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
