/**
 * Something this service depends on (the database, the event log, a provider's API) can't do its
 * part now; the same request later may succeed. An HTTP request that meets it is answered 503 with
 * `Retry-After` (`dependency-outage.filter.ts`), and the outage is logged once, not per request.
 */
export class DependencyUnavailableError extends Error {
  override readonly name: string = 'DependencyUnavailableError';

  constructor(
    /** What is down, as the outage log names it: `database`, `event-log`, `twilio`. */
    readonly dependency: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
