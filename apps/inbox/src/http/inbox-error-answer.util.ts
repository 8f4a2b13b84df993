import { HttpException } from '@nestjs/common';
import { ApiError, type ApiErrorCode } from '@switchboard/contracts';
import { reportIfDependencyDown } from '@switchboard/platform';
import { InvalidCredentialsError, WorkspaceChoiceRequiredError } from '../auth/auth.service.js';
import { TooManyLoginAttemptsError } from '../auth/login-rate-limiter.service.js';

const STATUS: Record<ApiErrorCode, number> = {
  INVALID_ARGUMENT: 400,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  FAILED_PRECONDITION: 409,
  PERMISSION_DENIED: 403,
  UNAVAILABLE: 503,
};

/** How the inbox API answers an error: status, `Retry-After` if any, the JSON body. */
export interface InboxErrorAnswer {
  readonly status: number;
  readonly retryAfterSeconds?: number;
  readonly body: { readonly error: { readonly code: string; readonly message: string } & object };
  /** Not one the API expects: its details belong in the log, not the answer. */
  readonly unexpected: boolean;
}

/**
 * One JSON error shape for the inbox API, `{ error: { code, message, fieldViolations? } }`, from
 * the ports' errors and the inbox's own; anything unexpected is a 500 that says nothing more. The
 * database or the event log down is reported once per outage, not per request. Used by
 * `InboxExceptionFilter` and by the routes served ahead of express (ADR 0150).
 */
export function inboxErrorAnswer(error: unknown): InboxErrorAnswer {
  const down = reportIfDependencyDown(error);
  const answer = (
    status: number,
    code: string,
    message: string,
    extra: object = {},
    retryAfterSeconds?: number,
  ) => ({
    status,
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
    body: { error: { code, message, ...extra } },
    unexpected: false,
  });
  if (error instanceof ApiError)
    return answer(STATUS[error.code], error.code, error.message, {
      ...(error.fieldViolations.length > 0 ? { fieldViolations: error.fieldViolations } : {}),
    });
  if (error instanceof InvalidCredentialsError) return answer(401, 'UNAUTHENTICATED', error.message);
  if (error instanceof WorkspaceChoiceRequiredError)
    return answer(409, 'WORKSPACE_CHOICE_REQUIRED', error.message, { workspaces: error.workspaces });
  if (error instanceof TooManyLoginAttemptsError)
    return answer(
      429,
      'RESOURCE_EXHAUSTED',
      error.message,
      { retryAfterSeconds: error.retryAfterSeconds },
      error.retryAfterSeconds,
    );
  if (down !== undefined)
    return answer(
      503,
      'UNAVAILABLE',
      `${down.dependency} is unavailable; try again`,
      {},
      down.retryAfterSeconds,
    );
  if (error instanceof HttpException) {
    const body = error.getResponse();
    const message =
      typeof body === 'string' ? body : ((body as { message?: string | string[] }).message ?? error.message);
    return answer(
      error.getStatus(),
      httpCode(error.getStatus()),
      Array.isArray(message) ? message.join('; ') : message,
    );
  }
  return { ...answer(500, 'INTERNAL', 'something went wrong'), unexpected: true };
}

function httpCode(status: number): string {
  switch (status) {
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'PERMISSION_DENIED';
    case 404:
      return 'NOT_FOUND';
    default:
      return status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT';
  }
}
