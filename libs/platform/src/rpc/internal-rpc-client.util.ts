import { types } from 'node:util';
import {
  apiErrorFromJson,
  type ApiErrorCode,
  type ServicePort,
  UnavailableError,
} from '@switchboard/contracts';
import { reportIfDependencyDown } from '../outages/dependency-outage.util.js';
import { DependencyUnavailableError } from '../outages/dependency-unavailable.error.js';
import { SpanKind, activeTraceCarrier, inSpan } from '../tracing/trace-context.util.js';
import { parseInternalRpcUrl } from './internal-rpc.config.js';
import { InternalRpcSocket } from './internal-rpc-socket.util.js';
import {
  encodePayload,
  internalRpcPattern,
  type InternalRpcError,
  MAX_MESSAGE_CHARACTERS,
} from './internal-rpc.protocol.js';

export interface InternalRpcClientOptions {
  /** Where the serving app listens: `tcp://history:3001`. */
  url: string;
  token: string;
  /** Per call; a slower answer is UnavailableError. Default 10 s. */
  timeoutMs?: number;
}

/** The port's methods over internal RPC, and the connection under them. */
export interface InternalRpcClient<T> {
  readonly api: T;
  /** Closes the connection; a later call opens a new one. */
  close(): void;
}

const API_ERROR_CODES = new Set<string>([
  'INVALID_ARGUMENT',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'FAILED_PRECONDITION',
  'PERMISSION_DENIED',
  'UNAVAILABLE',
] satisfies ApiErrorCode[]);

/** A call answered later than its deadline. */
class DeadlineExceeded extends Error {}

/**
 * Rejects with DeadlineExceeded once `ms` pass before `promise` settles; the timer goes with it.
 */
function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceeded()), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/**
 * The port `T` over internal RPC: `@nestjs/microservices`' TCP transport as its client speaks it
 * (`InternalRpcSocket`, ADR 0147), sending each method's arguments to the serving app's
 * `{ port, method }` pattern. A method resolves with
 * the result, or throws the same ApiError subclass the service threw (NotFoundError stays
 * NotFoundError across the network). An unreachable service, a lost connection or an answer later
 * than `timeoutMs` is UnavailableError, which callers treat as transient; the outage is logged once
 * under the port's name. The connection opens on the first call and again on the first call after
 * it was lost (the serving app restarted); a timed-out call drops it too, so a peer that vanished
 * without closing it is not waited on again.
 */
export function createInternalRpcClient<T>(
  port: ServicePort<T>,
  options: InternalRpcClientOptions,
): InternalRpcClient<T> {
  const address = parseInternalRpcUrl(options.url);
  if (!address) throw new Error(`${port.name}: "${options.url}" is not a tcp://host:port URL`);
  const timeoutMs = options.timeoutMs ?? 10_000;
  // A refused, reset or lost connection fails the calls on it, and the caller reports the outage
  // once (`reportIfDependencyDown`) instead of a stack per socket error.
  const connection = new InternalRpcSocket(address, MAX_MESSAGE_CHARACTERS);
  const unavailable = (message: string) => {
    reportIfDependencyDown(new DependencyUnavailableError(port.name, message));
    return new UnavailableError(message);
  };
  const api: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const method of port.methods) {
    const pattern = internalRpcPattern(port.name, method);
    const call = async (args: unknown[]): Promise<unknown> => {
      try {
        // A method that resolves with nothing answers no value: undefined.
        return await withDeadline(
          connection.call(pattern, encodePayload(options.token, args, activeTraceCarrier())),
          timeoutMs,
        );
      } catch (error) {
        if (error instanceof DeadlineExceeded) {
          connection.close();
          throw unavailable(`${port.name}.${method} timed out after ${timeoutMs} ms`);
        }
        // The transport's own failures are Errors (of any realm: Node's sockets make their own); the
        // serving app's answers arrive as plain objects.
        if (types.isNativeError(error)) {
          // A failed connect (ECONNREFUSED, ENOTFOUND…) leaves the library's connection promise
          // rejected until the socket's close event: drop it now, so the next call dials again.
          if (typeof (error as { code?: unknown }).code === 'string') connection.close();
          throw unavailable(`${port.name} is unreachable (${describe(error)})`);
        }
        throw answeredError(error, `${port.name}.${method}`);
      }
    };
    // A CLIENT span around the call (tracing on); its context travels in the payload, and the
    // serving app's SERVER span is its child (ADR 0105).
    api[method] = (...args: unknown[]) =>
      inSpan(
        `${port.name}/${method}`,
        {
          kind: SpanKind.CLIENT,
          attributes: {
            'rpc.system': 'switchboard_internal',
            'rpc.service': port.name,
            'rpc.method': method,
            'server.address': address.host,
            'server.port': address.port,
          },
        },
        () => call(args),
      );
  }
  return { api: api as T, close: () => connection.close() };
}

function answeredError(answer: unknown, call: string): Error {
  const error = answer as Partial<InternalRpcError> | string | null;
  if (typeof error === 'object' && error !== null && typeof error.code === 'string') {
    if (API_ERROR_CODES.has(error.code)) {
      return apiErrorFromJson({
        code: error.code as ApiErrorCode,
        message: String(error.message),
        ...(error.fieldViolations ? { fieldViolations: error.fieldViolations } : {}),
      });
    }
    return new Error(`${call} failed: ${error.message}`);
  }
  // The library's own refusal, e.g. a pattern the serving app has no handler for (another build).
  const message = typeof error === 'string' ? error : JSON.stringify(error);
  return new Error(`${call} failed: ${message}`);
}

function describe(error: Error): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : error.message;
}
