import { type ArgumentsHost, Catch, HttpException, HttpStatus } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { Response } from 'express';
import { createLogger } from '../logging/logger.util.js';
import { reportIfDependencyDown } from './dependency-outage.util.js';

/**
 * Every app's HTTP error answers (registered by `runHttpService`):
 * - a dependency down (`reportIfDependencyDown`) is 503 with `Retry-After`, logged once per outage
 *   rather than a stack trace per request;
 * - a route that answers in another type than JSON (a webhook's TwiML, declared with `@Header`)
 *   gets its errors as plain text under `text/plain`, never JSON under the route's type;
 * - anything else is Nest's own answer.
 * A controller's own filter (the inbox's) comes first; it calls `reportIfDependencyDown` itself.
 */
@Catch()
export class DependencyOutageFilter extends BaseExceptionFilter {
  private readonly logger = createLogger('http');

  override catch(error: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return super.catch(error, host);
    const response = host.switchToHttp().getResponse<Response>();
    if (response.headersSent) return super.catch(error, host);
    const plain = !answersJson(response);
    const down = reportIfDependencyDown(error);
    if (down !== undefined) {
      response.setHeader('Retry-After', String(down.retryAfterSeconds));
      const message = `${down.dependency} is unavailable; try again later`;
      if (plain) return sendPlain(response, HttpStatus.SERVICE_UNAVAILABLE, message);
      response
        .status(HttpStatus.SERVICE_UNAVAILABLE)
        .json({ statusCode: HttpStatus.SERVICE_UNAVAILABLE, message });
      return;
    }
    if (!plain) return super.catch(error, host);
    if (error instanceof HttpException) return sendPlain(response, error.getStatus(), httpMessage(error));
    this.logger.error({ err: error }, 'request failed');
    sendPlain(response, HttpStatus.INTERNAL_SERVER_ERROR, 'Internal server error');
  }
}

/** True unless the route declared a type of its own (`@Header('Content-Type', …)`) that isn't JSON. */
function answersJson(response: Response): boolean {
  const type = response.getHeader('Content-Type');
  return typeof type !== 'string' || /\bjson\b/i.test(type);
}

function sendPlain(response: Response, status: number, message: string): void {
  response.status(status).type('text/plain; charset=utf-8').send(message);
}

function httpMessage(error: HttpException): string {
  const body = error.getResponse();
  if (typeof body === 'string') return body;
  const message = (body as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : error.message;
}
