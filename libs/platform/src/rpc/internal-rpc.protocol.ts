import type { ApiErrorCode, FieldViolation } from '@switchboard/contracts';

/**
 * The wire format of internal RPC on `@nestjs/microservices`' TCP transport (ADR 0004): a request
 * to the message pattern `{ port, method }` whose payload is `{ token, argc, args, trace? }`, `args` mapping
 * argument positions to values. Positions rather than an array, because JSON turns an `undefined`
 * argument in an array into `null`, and an optional parameter must arrive as undefined.
 *
 * Answers: the method's result; or an error `{ code, message, fieldViolations? }` with an
 * ApiError's code, or `INTERNAL` for anything else (its details stay in the serving app's log).
 */
export interface InternalRpcPattern {
  port: string;
  method: string;
}

export interface InternalRpcPayload {
  token: string;
  argc: number;
  args: Record<string, unknown>;
  /** The caller's span (W3C `traceparent`/`tracestate`), when tracing is on and a span is active. */
  trace?: Record<string, string>;
}

export interface InternalRpcError {
  code: ApiErrorCode | 'INTERNAL';
  message: string;
  fieldViolations?: FieldViolation[];
}

export function internalRpcPattern(port: string, method: string): InternalRpcPattern {
  return { port, method };
}

export function encodePayload(
  token: string,
  args: readonly unknown[],
  trace?: Readonly<Record<string, string>>,
): InternalRpcPayload {
  const encoded: Record<string, unknown> = {};
  args.forEach((value, index) => {
    if (value !== undefined) encoded[String(index)] = value;
  });
  return { token, argc: args.length, args: encoded, ...(trace ? { trace: { ...trace } } : {}) };
}

/**
 * The payload's trace carrier, when it is one: an object of at most two short strings. Anything
 * else is ignored (a call is never refused for its trace context), so a malformed one starts a
 * new trace rather than reaching the propagator.
 */
export function traceCarrierOf(payload: unknown): Record<string, string> | undefined {
  const trace = (payload as { trace?: unknown } | null)?.trace;
  if (typeof trace !== 'object' || trace === null || Array.isArray(trace)) return undefined;
  const carrier: Record<string, string> = {};
  for (const key of ['traceparent', 'tracestate']) {
    const value = (trace as Record<string, unknown>)[key];
    if (typeof value === 'string' && value.length <= 512) carrier[key] = value;
  }
  return carrier.traceparent === undefined ? undefined : carrier;
}

/** Rebuilds the argument list; throws a TypeError on a payload that is not an InternalRpcPayload. */
export function decodeArgs(payload: unknown, maxArgs: number): unknown[] {
  if (typeof payload !== 'object' || payload === null) throw new TypeError('payload must be an object');
  const { argc, args } = payload as Partial<InternalRpcPayload>;
  if (typeof argc !== 'number' || !Number.isInteger(argc) || argc < 0 || argc > maxArgs) {
    throw new TypeError(`argc must be an integer from 0 to ${maxArgs}`);
  }
  if (typeof args !== 'object' || args === null || Array.isArray(args))
    throw new TypeError('args must be an object');
  const list: unknown[] = new Array<unknown>(argc).fill(undefined);
  for (const [key, value] of Object.entries(args)) {
    const index = Number(key);
    if (!Number.isInteger(index) || index < 0 || index >= argc)
      throw new TypeError(`args has a stray key "${key}"`);
    list[index] = value;
  }
  return list;
}

/** The largest message either side takes, in characters: far above any port's answer. */
export const MAX_MESSAGE_CHARACTERS = 16 * 1024 * 1024;
