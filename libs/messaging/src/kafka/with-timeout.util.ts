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
    // Not `.finally()`, whose chain costs a publish two more promises on every webhook's path.
    const clear = () => clearTimeout(timer);
    promise.then(clear, clear);
    promise.then(resolve, reject);
  });
}
