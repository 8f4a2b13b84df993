/**
 * The conversations snoozed in `inbox.snoozes`, as this replica knows them (ADR 0142): read once
 * LISTEN is in place, then kept from the table's notifications (`+id` made or moved, `-id`
 * deleted). The live feed asks it which customers' messages must wake a snooze before their
 * frames; every answer errs towards "maybe": a conversation wrongly kept costs one `DELETE` that
 * wakes nothing, one wrongly dropped would let a frame overtake its wake (ADR 0112). So while the
 * notifications cannot arrive, or the table is being read, every conversation may be snoozed, and
 * a deletion notified during a read is not trusted. Pure bookkeeping, no I/O.
 */
export class SnoozedConversations {
  private snoozed = new Set<string>();
  /** Whether `snoozed` is complete: read after LISTEN, and notified since. */
  private known = false;
  /** During a read: the snoozes notified meanwhile, which the read may not have seen. */
  private notifiedDuringRead: Set<string> | undefined;
  private reads = 0;

  mayBeSnoozed(conversationId: string): boolean {
    return !this.known || this.snoozed.has(conversationId);
  }

  /** A read of the table begins (LISTEN is in place); pass its number to `read`. */
  reading(): number {
    this.known = false;
    this.notifiedDuringRead = new Set();
    return ++this.reads;
  }

  /** The table's snoozed conversations, read after LISTEN: known from now on, unless another read began or LISTEN was lost. */
  read(number: number, conversationIds: Iterable<string>): void {
    if (number !== this.reads || this.notifiedDuringRead === undefined) return;
    this.snoozed = new Set(conversationIds);
    for (const id of this.notifiedDuringRead) this.snoozed.add(id);
    this.notifiedDuringRead = undefined;
    this.known = true;
  }

  /** LISTEN is gone, or a read failed: nothing is known until the next read. */
  lost(): void {
    this.known = false;
    this.notifiedDuringRead = undefined;
    this.reads += 1;
  }

  notified(payload: string): void {
    const id = payload.slice(1);
    if (payload.startsWith('+')) {
      this.snoozed.add(id);
      this.notifiedDuringRead?.add(id);
    } else if (payload.startsWith('-') && this.notifiedDuringRead === undefined) {
      this.snoozed.delete(id);
    }
  }
}
