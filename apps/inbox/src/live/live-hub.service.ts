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

  private send(sockets: WorkspaceSockets, frame: EventFrame, audience: LiveAudience): number {
    const data = JSON.stringify(frame);
    if (audience.kind === 'everyone') return sendAll(sockets.all, data);
    let sent = sendAll(sockets.supervisors, data);
    for (const userId of audience.userIds) {
      const own = sockets.byUser.get(userId);
      if (!own) continue;
      for (const client of own) {
        // A supervisor holding the conversation already has it.
        if (!sockets.supervisors.has(client)) sent += send(client, data);
      }
    }
    return sent;
  }

  hasUser(userId: string): boolean {
    for (const sockets of this.byWorkspace.values()) if (sockets.byUser.has(userId)) return true;
    return false;
  }
}

function sendAll(clients: Iterable<LiveClient>, data: string): number {
  let sent = 0;
  for (const client of clients) sent += send(client, data);
  return sent;
}

function send(client: LiveClient, data: string): number {
  if (client.socket.readyState !== client.socket.OPEN) return 0;
  if (client.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
    client.socket.close(4008, 'too slow');
    return 0;
  }
  client.socket.send(data);
  return 1;
}
