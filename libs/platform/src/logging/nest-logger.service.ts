import type { LoggerService } from '@nestjs/common';
import { createLogger, type Logger } from './logger.util.js';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * Nest's own logs (and `new Logger(Context)` in our code) as JSON lines through pino:
 * `app.useLogger(app.get(NestPinoLogger))`, with `bufferLogs: true` so boot logs wait for it.
 */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger = createLogger('nest')) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params, false);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params, true);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params, false);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params, false);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params, false);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params, true);
  }

  private write(level: Level, message: unknown, params: unknown[], mayHaveStack: boolean): void {
    if (!this.logger.isLevelEnabled(level)) return;
    const { context, stack, extra } = splitParams(params, mayHaveStack);
    const fields: Record<string, unknown> = {};
    if (context) fields.context = context;
    if (extra.length > 0) fields.params = extra;
    let text: string | undefined;
    if (message instanceof Error) {
      fields.err = message;
      text = message.message;
    } else if (isPlainObject(message)) {
      Object.assign(fields, message);
    } else {
      text = String(message);
    }
    if (stack) fields.stack = stack;
    this.logger[level](fields, text);
  }
}

// Nest's `Logger` appends the context as the last string argument, and `error()` passes a stack
// before it (or `undefined` when there is none).
function splitParams(
  params: unknown[],
  mayHaveStack: boolean,
): { context?: string; stack?: string; extra: unknown[] } {
  const rest = [...params];
  let context: string | undefined;
  let stack: string | undefined;
  const last = rest.at(-1);
  if (typeof last === 'string' && !looksLikeStack(last)) {
    context = last;
    rest.pop();
  }
  if (mayHaveStack && rest.length > 0) {
    const candidate = rest.at(-1);
    if (candidate === undefined || (typeof candidate === 'string' && looksLikeStack(candidate))) {
      stack = candidate;
      rest.pop();
    }
  }
  return { context, stack, extra: rest };
}

function looksLikeStack(value: string): boolean {
  return /\n\s+at /.test(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
