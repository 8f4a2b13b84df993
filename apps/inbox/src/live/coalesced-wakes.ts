/** A customer's message, as `SnoozesService.wake` takes it. */
export interface CustomerWrote {
  readonly workspaceId: string;
  readonly conversationId: string;
  readonly wroteAt: string;
}

/**
 * The live feed's snooze wakes, one statement in flight at a time: what batches ask for while one
 * runs goes in the next, together (a group commit). The partitions handled at once each had a
 * DELETE of their own, each a round trip to a busy PostgreSQL between the log and the sockets;
 * now they share one. A caller's promise settles once a statement that included its messages has
 * ended, whether it woke anything or failed (`onError`: the frames go out all the same, as they
 * did before; the durable `inbox.snooze-wakes` group wakes them anyway). Never rejects.
 */
export class CoalescedWakes {
  private waiting: CustomerWrote[] = [];
  private callers: (() => void)[] = [];
  private running = false;

  constructor(
    private readonly wakeAll: (messages: readonly CustomerWrote[]) => Promise<unknown>,
    private readonly onError: (error: unknown) => void,
  ) {}

  wake(messages: readonly CustomerWrote[]): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiting.push(...messages);
      this.callers.push(resolve);
      if (!this.running) void this.run();
    });
  }

  private async run(): Promise<void> {
    this.running = true;
    while (this.waiting.length > 0) {
      const messages = this.waiting;
      const callers = this.callers;
      this.waiting = [];
      this.callers = [];
      try {
        await this.wakeAll(messages);
      } catch (error) {
        this.onError(error);
      }
      for (const done of callers) done();
    }
    this.running = false;
  }
}
