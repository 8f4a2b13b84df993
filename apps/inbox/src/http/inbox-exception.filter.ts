import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import { createLogger } from '@switchboard/platform';
import type { Response } from 'express';
import { inboxErrorAnswer } from './inbox-error-answer.util.js';

/** The inbox API's errors in its one JSON shape (`inboxErrorAnswer`); the unexpected ones logged. */
@Catch()
export class InboxExceptionFilter implements ExceptionFilter {
  private readonly logger = createLogger('inbox.http');

  catch(error: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const answer = inboxErrorAnswer(error);
    if (answer.unexpected) this.logger.error({ err: error }, 'inbox request failed');
    if (answer.retryAfterSeconds !== undefined)
      response.setHeader('Retry-After', String(answer.retryAfterSeconds));
    response.status(answer.status).json(answer.body);
  }
}
