import { Clock } from '@switchboard/platform';

/**
 * A clock a test sets (ADR 0120): it stands still at the time it was last set, so every stamp the
 * services make between two settings is that time exactly. Handed to the real modules in place of
 * the system clock (`overrideProvider(Clock)`).
 */
export class SettableClock extends Clock {
  private at: number;

  constructor(at: string | number) {
    super();
    this.at = typeof at === 'number' ? at : Date.parse(at);
  }

  now(): number {
    return this.at;
  }

  /** Moves to `at` (an ISO instant or epoch milliseconds); never backwards. */
  set(at: string | number): void {
    const next = typeof at === 'number' ? at : Date.parse(at);
    if (Number.isNaN(next) || next < this.at)
      throw new Error(`the clock goes forward only: ${new Date(this.at).toISOString()} → ${String(at)}`);
    this.at = next;
  }
}
