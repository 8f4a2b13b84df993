/**
 * The time a service stamps on what reaches the event log or a report (a message's creation, a
 * status change, an assignment, a presence change, a rating): one injectable source, so that the
 * real services can run a day with known times (ADR 0120). `PlatformConfigModule.forRoot` provides
 * the system clock to every module; nothing in the product sets another.
 */
export abstract class Clock {
  /** Milliseconds since the epoch. */
  abstract now(): number;

  /** `now()` as a Date. */
  date(): Date {
    return new Date(this.now());
  }

  /** `now()` as an ISO-8601 instant, as events carry times. */
  iso(): string {
    return this.date().toISOString();
  }
}

/** The host's clock: what every service runs on. */
export class SystemClock extends Clock {
  now(): number {
    return Date.now();
  }
}
