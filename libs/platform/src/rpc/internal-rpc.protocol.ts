import type { ApiErrorCode, FieldViolation } from '@switchboard/contracts';

/**
 * The wire format of internal RPC: `POST {base}/internal/rpc/{port}/{method}` with
 * `authorization: Bearer {INTERNAL_API_TOKEN}` and a JSON body `{ argc, args }`, where `args` maps
 * argument positions to values. Positions rather than an array, because JSON turns an `undefined`
 * argument in an array into `null`, and an optional parameter must arrive as undefined.
 *
 * Answers: 200 `{ result }`; an ApiError as its HTTP status with `{ error: { code, message,
 * fieldViolations } }`; anything else 500 `{ error: { code: 'INTERNAL', message } }`.
 */
export const INTERNAL_RPC_PREFIX = 'internal/rpc';

export interface RpcRequestBody {
  argc: number;
  args: Record<string, unknown>;
}

export interface RpcErrorBody {
  error: { code: ApiErrorCode | 'INTERNAL'; message: string; fieldViolations?: FieldViolation[] };
}

export const HTTP_STATUS_OF: Record<ApiErrorCode, number> = {
  INVALID_ARGUMENT: 400,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  FAILED_PRECONDITION: 422,
  UNAVAILABLE: 503,
};

export function encodeArgs(args: readonly unknown[]): RpcRequestBody {
  const encoded: Record<string, unknown> = {};
  args.forEach((value, index) => {
    if (value !== undefined) encoded[String(index)] = value;
  });
  return { argc: args.length, args: encoded };
}

/** Rebuilds the argument list; throws on a body that is not an RpcRequestBody. */
export function decodeArgs(body: unknown, maxArgs: number): unknown[] {
  if (typeof body !== 'object' || body === null) throw new TypeError('body must be a JSON object');
  const { argc, args } = body as Partial<RpcRequestBody>;
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
