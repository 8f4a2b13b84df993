import { EventBusUnavailableError } from '../event-bus.js';

/**
 * `promise`, or EventBusUnavailableError(message) after `ms`: the work itself is not cancelled.
 * Runs once per publish: a message given as a function is built only if the deadline passes.
 */
export function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  message: string | (() => string),
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new EventBusUnavailableError(typeof message === 'string' ? message : message())),
      ms,
    );
    promise.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}
