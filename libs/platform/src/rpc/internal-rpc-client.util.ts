import {
  apiErrorFromJson,
  type ApiErrorCode,
  type ServicePort,
  UnavailableError,
} from '@switchboard/contracts';
import {
  encodeArgs,
  HTTP_STATUS_OF,
  INTERNAL_RPC_PREFIX,
  type RpcErrorBody,
} from './internal-rpc.protocol.js';

export interface InternalRpcClientOptions {
  /** The serving app's base URL, e.g. `http://history:3000`. */
  baseUrl: string;
  token: string;
  /** Per call; a slower answer is UnavailableError. Default 10 s. */
  timeoutMs?: number;
}

const API_ERROR_CODES = new Set<string>(Object.keys(HTTP_STATUS_OF));

/**
 * The port `T` over internal RPC: each method POSTs its arguments and resolves with the result, or
 * throws the same ApiError subclass the service threw (NotFoundError stays NotFoundError across the
 * network). An unreachable or timed-out service is UnavailableError; callers treat it as transient.
 */
export function createInternalRpcClient<T>(port: ServicePort<T>, options: InternalRpcClientOptions): T {
  const base = options.baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 10_000;
  const client: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const method of port.methods) {
    const url = `${base}/${INTERNAL_RPC_PREFIX}/${port.name}/${method}`;
    client[method] = async (...args: unknown[]) => {
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${options.token}` },
          body: JSON.stringify(encodeArgs(args)),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        throw new UnavailableError(`${port.name} is unreachable (${describe(error)})`);
      }
      const body = (await response.json().catch(() => undefined)) as
        { result?: unknown } | Partial<RpcErrorBody> | undefined;
      if (response.ok && body && 'result' in body) return body.result;
      if (response.ok) return undefined;
      const error = body && 'error' in body ? body.error : undefined;
      if (error && API_ERROR_CODES.has(error.code)) {
        throw apiErrorFromJson({ ...error, code: error.code as ApiErrorCode });
      }
      if (response.status === 502 || response.status === 503 || response.status === 504) {
        throw new UnavailableError(`${port.name}.${method} answered ${response.status}`);
      }
      throw new Error(
        `${port.name}.${method} failed: HTTP ${response.status}${error ? ` ${error.message}` : ''}`,
      );
    };
  }
  return client as T;
}

function describe(error: unknown): string {
  // AbortSignal.timeout() rejects with a DOMException, which is not an Error on Node 20.
  if ((error as { name?: unknown } | null)?.name === 'TimeoutError') return 'timed out';
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  return error instanceof Error ? error.message : String(error);
}
