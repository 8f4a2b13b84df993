import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import { ApiError, type ApiErrorCode } from '@switchboard/contracts';
import { createLogger, reportIfDependencyDown } from '@switchboard/platform';
import type { Response } from 'express';
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

/**
 * One JSON error shape for the inbox API, `{ error: { code, message, fieldViolations? } }`, from
 * the ports' errors and the inbox's own. Anything unexpected is a 500 whose details stay in the log.
 */
@Catch()
export class InboxExceptionFilter implements ExceptionFilter {
  private readonly logger = createLogger('inbox.http');

  catch(error: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    // The database or the event log down: logged once per outage, not per request.
    const down = reportIfDependencyDown(error);
    const send = (status: number, code: string, message: string, extra: object = {}) =>
      response.status(status).json({ error: { code, message, ...extra } });
    if (error instanceof ApiError) {
      send(STATUS[error.code], error.code, error.message, {
        ...(error.fieldViolations.length > 0 ? { fieldViolations: error.fieldViolations } : {}),
      });
    } else if (error instanceof InvalidCredentialsError) {
      send(401, 'UNAUTHENTICATED', error.message);
    } else if (error instanceof WorkspaceChoiceRequiredError) {
      send(409, 'WORKSPACE_CHOICE_REQUIRED', error.message, { workspaces: error.workspaces });
    } else if (error instanceof TooManyLoginAttemptsError) {
      response.setHeader('Retry-After', String(error.retryAfterSeconds));
      send(429, 'RESOURCE_EXHAUSTED', error.message, { retryAfterSeconds: error.retryAfterSeconds });
    } else if (down !== undefined) {
      response.setHeader('Retry-After', String(down.retryAfterSeconds));
      send(503, 'UNAVAILABLE', `${down.dependency} is unavailable; try again`);
    } else if (error instanceof HttpException) {
      const body = error.getResponse();
      const message =
        typeof body === 'string'
          ? body
          : ((body as { message?: string | string[] }).message ?? error.message);
      send(
        error.getStatus(),
        httpCode(error.getStatus()),
        Array.isArray(message) ? message.join('; ') : message,
      );
    } else {
      this.logger.error({ err: error }, 'inbox request failed');
      send(500, 'INTERNAL', 'something went wrong');
    }
  }
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
