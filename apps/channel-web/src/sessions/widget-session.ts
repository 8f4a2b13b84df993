import type { SignedUser } from '../contacts/identity-verification.util.js';
import type { WebContact } from '../contacts/web-contact.js';
import type { VerifiedProfile } from '../inbound/web-inbound.service.js';
import type { WidgetSite } from '../settings/widget-settings.service.js';
import type { ServerMessage } from './widget-protocol.js';

/** What a session needs of its socket: the gateway adapts `ws`; tests can pass anything alike. */
export interface WidgetSocket {
  send(data: string): void;
  close(code: number, reason: string): void;
  ping(): void;
  readonly bufferedAmount: number;
}

/** A socket that sends faster than it drains this much is closed; it resumes from its last seq. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

/**
 * One open widget socket. Incoming frames are handled one after another (`inbound`), and
 * everything sent to it goes through one chain (`outbound`), so replay and live items never
 * interleave: `lastSentSeq` is the one truth about what this tab has.
 */
export class WidgetSession {
  site: WidgetSite | null = null;
  contact: WebContact | null = null;
  verified: VerifiedProfile | null = null;
  /** The signed user this socket proved to be, kept to prove it again against a rotated secret. */
  identity: (SignedUser & { readonly hash: string }) | null = null;
  lastSentSeq = 0;
  closed = false;
  alive = true;
  private inbound: Promise<void> = Promise.resolve();
  private outbound: Promise<void> = Promise.resolve();

  constructor(
    readonly socket: WidgetSocket,
    readonly ip: string,
    readonly origin: string | undefined,
    readonly host: string | undefined,
    private readonly onError: (error: unknown) => void,
  ) {}

  get ready(): boolean {
    return this.site !== null && this.contact !== null;
  }

  send(message: ServerMessage): void {
    if (this.closed) return;
    if (this.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.close(1013, 'too slow: reconnect and resume');
      return;
    }
    this.socket.send(JSON.stringify(message));
  }

  ping(): void {
    if (!this.closed) this.socket.ping();
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close(code, reason);
  }

  /** Runs after every frame received before it. */
  handle(task: () => Promise<void>): void {
    this.inbound = this.inbound.then(task).catch(this.onError);
  }

  /** Runs after everything queued for sending before it. */
  deliver(task: () => Promise<void> | void): Promise<void> {
    this.outbound = this.outbound.then(task).catch(this.onError);
    return this.outbound;
  }
}
