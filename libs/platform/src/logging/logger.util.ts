import { pino, type DestinationStream, type Logger as PinoLogger, type LogFn } from 'pino';
import type { LogLevel } from '../config/common-variables.config.js';
import { activeTraceIds } from '../tracing/trace-context.util.js';
import { REDACT_PATHS, REDACTED, redactSecretValues } from './redaction.util.js';

/** Structured logger: `logger.info({ conversationId }, 'assigned')`. Backed by pino. */
export interface Logger {
  readonly fatal: LogFn;
  readonly error: LogFn;
  readonly warn: LogFn;
  readonly info: LogFn;
  readonly debug: LogFn;
  readonly trace: LogFn;
  child(bindings: Record<string, unknown>): Logger;
  isLevelEnabled(level: LogLevel): boolean;
}

export interface LoggingOptions {
  readonly level?: LogLevel;
  /** Where JSON lines go; stdout by default. Tests pass a capturing stream. */
  readonly destination?: DestinationStream;
}

function buildRoot(options: LoggingOptions): PinoLogger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // A line logged while a request or an event is traced names the trace (ADR 0105).
      mixin: () => activeTraceIds() ?? {},
      redact: { paths: [...REDACT_PATHS], censor: REDACTED },
      // Key-based redaction can't see a secret inside a message or under an innocent key;
      // the final line is scrubbed of known secret values too.
      hooks: { streamWrite: redactSecretValues },
    },
    options.destination ?? pino.destination({ fd: 1, sync: true }),
  );
}

let current: LoggingOptions = {};
let root = buildRoot(current);
let generation = 0;

/**
 * Sets the level and/or destination for every logger, including those created earlier: loggers
 * are made at import time, long before the config that sets the level is read. Options not
 * given keep their current value.
 */
export function configureLogging(options: LoggingOptions): void {
  current = { ...current, ...options };
  root = buildRoot(current);
  generation += 1;
}

/** A logger for code outside Nest's DI (scripts, module-level helpers, embedded PostgreSQL). */
export function createLogger(name: string, bindings: Record<string, unknown> = {}): Logger {
  return new DelegatingLogger({ ...bindings, name });
}

class DelegatingLogger implements Logger {
  private current: { generation: number; logger: PinoLogger } | undefined;

  constructor(private readonly bindings: Record<string, unknown>) {}

  readonly fatal = this.method('fatal');
  readonly error = this.method('error');
  readonly warn = this.method('warn');
  readonly info = this.method('info');
  readonly debug = this.method('debug');
  readonly trace = this.method('trace');

  child(bindings: Record<string, unknown>): Logger {
    return new DelegatingLogger({ ...this.bindings, ...bindings });
  }

  isLevelEnabled(level: LogLevel): boolean {
    return this.pino().isLevelEnabled(level);
  }

  private pino(): PinoLogger {
    if (this.current?.generation !== generation) {
      this.current = { generation, logger: root.child(this.bindings) };
    }
    return this.current.logger;
  }

  private method(level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace'): LogFn {
    return (...args: unknown[]) => {
      const logger = this.pino();
      Reflect.apply(logger[level], logger, args);
    };
  }
}
