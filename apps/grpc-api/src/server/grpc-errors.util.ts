import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import {
  ApiError,
  encodeStatusDetails,
  STATUS_DETAILS_KEY,
  type ApiErrorCode,
  type FieldViolation,
} from '@switchboard/contracts';
import { EventBusUnavailableError } from '@switchboard/messaging';
import { isTransientDatabaseError } from '@switchboard/platform';

const CODES: Record<ApiErrorCode, status> = {
  INVALID_ARGUMENT: status.INVALID_ARGUMENT,
  NOT_FOUND: status.NOT_FOUND,
  ALREADY_EXISTS: status.ALREADY_EXISTS,
  FAILED_PRECONDITION: status.FAILED_PRECONDITION,
  PERMISSION_DENIED: status.PERMISSION_DENIED,
  UNAVAILABLE: status.UNAVAILABLE,
};

/** An error a handler raises on purpose, with a gRPC code that has no ApiError class. */
export class RpcError extends Error {
  constructor(
    readonly code: status,
    message: string,
    readonly retryDelayMs?: number,
  ) {
    super(message);
    this.name = 'RpcError';
  }
}

/** A status for the client: the code, a message, and google.rpc.Status details in the trailer. */
export function serviceError(
  code: status,
  message: string,
  extra: { fieldViolations?: readonly FieldViolation[]; retryDelayMs?: number } = {},
): Partial<ServiceError> {
  const metadata = new Metadata();
  metadata.set(STATUS_DETAILS_KEY, encodeStatusDetails({ code, message, ...extra }));
  // The message also lists the violations: a human reading grpcurl's output sees them at once.
  const shown =
    extra.fieldViolations && extra.fieldViolations.length > 0
      ? `${message}: ${extra.fieldViolations.map((v) => `${v.field}: ${v.description}`).join('; ')}`
      : message;
  return { code, details: shown, metadata };
}

/** `pageToken` → `page_token`, `steps[1].stepExpression` → `steps[1].step_expression`; map keys in brackets kept. */
export function protoFieldPath(path: string): string {
  return path.replace(/\[[^\]]*\]|[a-z0-9][A-Z]/g, (part) =>
    part.startsWith('[') ? part : `${part[0]}_${part[1]!.toLowerCase()}`,
  );
}

/** Translates whatever a handler threw; `null` for an unexpected error (logged by the caller, sent as INTERNAL). */
export function toServiceError(error: unknown): Partial<ServiceError> | null {
  if (error instanceof ApiError) {
    // The ports name fields as the TypeScript API does (`pageToken`); integrators read the
    // proto's names (`page_token`).
    const fieldViolations = error.fieldViolations.map((v) => ({ ...v, field: protoFieldPath(v.field) }));
    return serviceError(CODES[error.code], error.message, { fieldViolations });
  }
  if (error instanceof RpcError) {
    return serviceError(
      error.code,
      error.message,
      error.retryDelayMs === undefined ? {} : { retryDelayMs: error.retryDelayMs },
    );
  }
  if (error instanceof EventBusUnavailableError || isTransientDatabaseError(error)) {
    return serviceError(status.UNAVAILABLE, 'a dependency is unavailable; retry with backoff');
  }
  return null;
}
