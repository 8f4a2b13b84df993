import { ApiError, api } from './api.js';
import { live } from './live.js';

/** A reply or note the agent sent while the connection was down, with the key that makes its retries one message. */
export interface WaitingSend {
  readonly conversationId: string;
  readonly idempotencyKey: string;
  readonly body: Record<string, unknown>;
  /** Set when the server refused it (not a network failure): it stays shown until dismissed. */
  error?: string;
}

/**
 * The agent's own sends that are waiting for the connection. They are tried again, in the order
 * they were written, as soon as the live socket is back; the idempotency key makes a send that
 * did reach the server before the drop one message, not two (ADR 0110).
 */
class Outbox {
  private items: WaitingSend[] = [];
  private readonly listeners = new Set<() => void>();
  private flushing = false;

  constructor() {
    live.onConnected(() => void this.flush());
  }

  waiting(conversationId?: string): readonly WaitingSend[] {
    return conversationId ? this.items.filter((i) => i.conversationId === conversationId) : this.items;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Sends now if the connection is up; keeps it for later if it is down or the request never
   * got an answer. Resolves true once sent, false when it is waiting; throws what the server refused.
   */
  async send(
    conversationId: string,
    idempotencyKey: string,
    body: Record<string, unknown>,
  ): Promise<boolean> {
    const item: WaitingSend = { conversationId, idempotencyKey, body };
    if (!live.connected || this.items.length > 0) {
      this.add(item);
      if (live.connected) void this.flush();
      return false;
    }
    try {
      await this.post(item);
      return true;
    } catch (error) {
      if (error instanceof ApiError) throw error;
      this.add(item);
      return false;
    }
  }

  dismiss(idempotencyKey: string): void {
    this.items = this.items.filter((i) => i.idempotencyKey !== idempotencyKey);
    this.changed();
  }

  clear(): void {
    this.items = [];
    this.changed();
  }

  private add(item: WaitingSend): void {
    this.items = [...this.items, item];
    this.changed();
  }

  private post(item: WaitingSend): Promise<unknown> {
    return api('POST', `/conversations/${item.conversationId}/messages`, {
      idempotencyKey: item.idempotencyKey,
      ...item.body,
    });
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      for (const item of [...this.items]) {
        if (item.error) continue;
        try {
          await this.post(item);
          this.items = this.items.filter((i) => i !== item);
        } catch (error) {
          // Down again: the rest waits for the next connection, in order.
          if (!(error instanceof ApiError)) break;
          item.error = error.message;
          this.items = [...this.items];
        }
        this.changed();
      }
    } finally {
      this.flushing = false;
    }
  }

  private changed(): void {
    this.listeners.forEach((l) => l());
  }
}

export const outbox = new Outbox();
