import { Injectable } from '@nestjs/common';
import { inSpanSync } from '@switchboard/platform';
import type { WebSocket } from 'ws';
import { roleAtLeast } from '../auth/role.js';
import type { SessionContext } from '../auth/session-context.js';
import type { LiveAudience } from './live-audience.js';
import type { EventFrame } from './live-frame.js';

export interface LiveClient {
  readonly socket: WebSocket;
  readonly session: SessionContext;
  /** When the browser last sent anything; set once it has sent a heartbeat ping (older SPAs never do). */
  lastHeardAt?: number;
}

/** Sockets beyond this many buffered bytes are too slow to keep up; they are closed and reconnect. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/** A text frame from bytes encoded once: `ws` would encode a string again for every socket. */
const TEXT = { binary: false } as const;

/**
 * The TCP socket under a `ws` socket: corked while a batch's frames are written, so that a
 * supervisor's socket getting fifty frames of one batch makes one write, not fifty. `ws` has no
 * public handle on it; absent (a test's socket), frames are written one by one as before.
 */
function tcpOf(client: LiveClient): { cork(): void; uncork(): void } | undefined {
  return (client.socket as unknown as { _socket?: { cork(): void; uncork(): void } })._socket ?? undefined;
}

/** One workspace's sockets, indexed so that a frame finds its recipients without a scan. */
interface WorkspaceSockets {
  readonly all: Set<LiveClient>;
  readonly byUser: Map<string, Set<LiveClient>>;
  /** Supervisors' and admins' sockets: they see every conversation. */
  readonly supervisors: Set<LiveClient>;
}

/** The WebSockets this replica holds, by workspace and user: every event goes only to its own workspace. */
@Injectable()
export class LiveHub {
  private readonly byWorkspace = new Map<string, WorkspaceSockets>();
  /** While `batch` runs: the sockets written so far, corked until it ends. */
  private corked: Set<LiveClient> | undefined;

  add(client: LiveClient): void {
    const { workspaceId, userId, role } = client.session;
    let sockets = this.byWorkspace.get(workspaceId);
    if (!sockets)
      this.byWorkspace.set(
        workspaceId,
        (sockets = { all: new Set(), byUser: new Map(), supervisors: new Set() }),
      );
    sockets.all.add(client);
    let own = sockets.byUser.get(userId);
    if (!own) sockets.byUser.set(userId, (own = new Set()));
    own.add(client);
    if (roleAtLeast(role, 'supervisor')) sockets.supervisors.add(client);
  }

  remove(client: LiveClient): void {
    const { workspaceId, userId } = client.session;
    const sockets = this.byWorkspace.get(workspaceId);
    if (!sockets) return;
    sockets.all.delete(client);
    sockets.supervisors.delete(client);
    const own = sockets.byUser.get(userId);
    own?.delete(client);
    if (own?.size === 0) sockets.byUser.delete(userId);
    if (sockets.all.size === 0) this.byWorkspace.delete(workspaceId);
  }

  clients(): LiveClient[] {
    return [...this.byWorkspace.values()].flatMap((sockets) => [...sockets.all]);
  }

  /**
   * Sends the frame to its audience in the workspace: serialized once per event, whatever the
   * number of sockets; recipients found by user, not by scanning every socket. The last hop of a
   * message's trace (ADR 0105): its frame leaving for the agents' sockets.
   */
  broadcast(workspaceId: string, frame: EventFrame, audience: LiveAudience): number {
    const sockets = this.byWorkspace.get(workspaceId);
    if (!sockets) return 0;
    return inSpanSync(
      'inbox.live send',
      {
        attributes: {
          'switchboard.event_id': frame.event.id,
          'switchboard.event_type': frame.event.type,
          'switchboard.audience': audience.kind,
        },
      },
      () => this.send(sockets, frame, audience),
    );
  }

  /**
   * Runs `work` (broadcasts) with every socket it writes to corked, and uncorks them once it is
   * done: a socket's frames of one batch leave in one write. Nothing waits: it is all synchronous.
   */
  batch<T>(work: () => T): T {
    if (this.corked) return work();
    const corked = (this.corked = new Set());
    try {
      return work();
    } finally {
      this.corked = undefined;
      for (const client of corked) tcpOf(client)?.uncork();
    }
  }

  private send(sockets: WorkspaceSockets, frame: EventFrame, audience: LiveAudience): number {
    const data = Buffer.from(JSON.stringify(frame), 'utf8');
    if (audience.kind === 'everyone') return this.sendAll(sockets.all, data);
    let sent = this.sendAll(sockets.supervisors, data);
    for (const userId of audience.userIds) {
      const own = sockets.byUser.get(userId);
      if (!own) continue;
      for (const client of own) {
        // A supervisor holding the conversation already has it.
        if (!sockets.supervisors.has(client)) sent += this.sendOne(client, data);
      }
    }
    return sent;
  }

  private sendAll(clients: Iterable<LiveClient>, data: Buffer): number {
    let sent = 0;
    for (const client of clients) sent += this.sendOne(client, data);
    return sent;
  }

  private sendOne(client: LiveClient, data: Buffer): number {
    if (client.socket.readyState !== client.socket.OPEN) return 0;
    if (client.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      client.socket.close(4008, 'too slow');
      return 0;
    }
    if (this.corked && !this.corked.has(client)) {
      const tcp = tcpOf(client);
      if (tcp) {
        tcp.cork();
        this.corked.add(client);
      }
    }
    client.socket.send(data, TEXT);
    return 1;
  }

  hasUser(userId: string): boolean {
    for (const sockets of this.byWorkspace.values()) if (sockets.byUser.has(userId)) return true;
    return false;
  }
}
