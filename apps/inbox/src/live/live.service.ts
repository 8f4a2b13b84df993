import {
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  Inject,
} from '@nestjs/common';
import { ParticipantActivityV1, HISTORY_API, type HistoryApi } from '@switchboard/contracts';
import { EventBus } from '@switchboard/messaging';
import type { SessionContext } from '../auth/session-context.js';
import { SessionsService } from '../auth/sessions.service.js';
import { LiveHub } from './live-hub.service.js';

/** At most one typing event per agent and conversation this often; the widget shows it for a few seconds. */
const TYPING_EVERY_MS = 2_000;
const RECHECK_SESSIONS_MS = 30_000;
/**
 * A browser that pings (every 5 s) and then says nothing for this long is gone without a word (a
 * dropped network sends no FIN): its socket is ended, so presence follows with its grace period.
 */
export const SILENT_SOCKET_MS = 20_000;
const CHECK_SILENT_MS = 5_000;

/** Agents' typing out to customers, and sockets closed once their session has ended. */
@Injectable()
export class LiveService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly lastTyping = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private silentTimer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(HISTORY_API) private readonly history: HistoryApi,
    private readonly bus: EventBus,
    private readonly hub: LiveHub,
    private readonly sessions: SessionsService,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.recheckSessions(), RECHECK_SESSIONS_MS).unref();
    this.silentTimer = setInterval(() => this.endSilentSockets(), CHECK_SILENT_MS).unref();
  }

  beforeApplicationShutdown(): void {
    clearInterval(this.timer);
    clearInterval(this.silentTimer);
    for (const client of this.hub.clients()) client.socket.close(1012, 'restarting');
  }

  /** Returns false when throttled. The conversation is looked up in the agent's workspace first. */
  async typing(
    session: SessionContext,
    conversationId: string,
    state: 'typing' | 'stopped_typing',
  ): Promise<boolean> {
    const key = `${session.userId}:${conversationId}`;
    const now = Date.now();
    if (state === 'typing' && now - (this.lastTyping.get(key) ?? 0) < TYPING_EVERY_MS) return false;
    if (state === 'typing') this.lastTyping.set(key, now);
    else this.lastTyping.delete(key);
    if (this.lastTyping.size > 10_000) this.lastTyping.clear();
    const conversation = await this.history.getConversation(session.workspaceId, conversationId);
    await this.bus.emit(
      ParticipantActivityV1.create({
        workspaceId: session.workspaceId,
        payload: {
          conversationId: conversation.id,
          customerId: conversation.customerId,
          participant: { type: 'agent', id: session.userId, name: session.displayName },
          activity: state,
          at: new Date(now).toISOString(),
        },
      }),
    );
    return true;
  }

  /** Ends (without a close handshake, which could not cross a dead network) the sockets of browsers gone silent. */
  endSilentSockets(now = Date.now()): number {
    let ended = 0;
    for (const client of this.hub.clients()) {
      if (client.lastHeardAt === undefined || now - client.lastHeardAt <= SILENT_SOCKET_MS) continue;
      client.socket.terminate();
      ended += 1;
    }
    return ended;
  }

  /** A logout, a password change or a disabled user ends the session: its sockets close within 30 s. */
  async recheckSessions(): Promise<void> {
    const clients = this.hub.clients();
    // One query for every socket's session; while the database is unreachable, nothing closes.
    const live = await this.sessions.liveOf(clients.map((c) => c.session.sessionId)).catch(() => undefined);
    if (!live) return;
    for (const client of clients) {
      if (!live.has(client.session.sessionId)) client.socket.close(4401, 'session ended');
    }
  }
}
