import { Injectable } from '@nestjs/common';
import { inSpanSync } from '@switchboard/platform';
import type { WebSocket } from 'ws';
import type { SessionContext } from '../auth/session-context.js';
import type { EventFrame } from './live-frame.js';

export interface LiveClient {
  readonly socket: WebSocket;
  readonly session: SessionContext;
  /** When the browser last sent anything; set once it has sent a heartbeat ping (older SPAs never do). */
  lastHeardAt?: number;
}

/** Sockets beyond this many buffered bytes are too slow to keep up; they are closed and reconnect. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/** The WebSockets this replica holds, by workspace: every event goes only to its own workspace. */
@Injectable()
export class LiveHub {
  private readonly byWorkspace = new Map<string, Set<LiveClient>>();

  add(client: LiveClient): void {
    let set = this.byWorkspace.get(client.session.workspaceId);
    if (!set) this.byWorkspace.set(client.session.workspaceId, (set = new Set()));
    set.add(client);
  }

  remove(client: LiveClient): void {
    const set = this.byWorkspace.get(client.session.workspaceId);
    set?.delete(client);
    if (set?.size === 0) this.byWorkspace.delete(client.session.workspaceId);
  }

  clients(): LiveClient[] {
    return [...this.byWorkspace.values()].flatMap((set) => [...set]);
  }

  /** Serialized once per event, whatever the number of sockets. */
  broadcast(workspaceId: string, frame: EventFrame): number {
    const set = this.byWorkspace.get(workspaceId);
    if (!set) return 0;
    // The last hop of a message's trace (ADR 0105): its frame leaving for the agents' sockets.
    return inSpanSync(
      'inbox.live send',
      {
        attributes: {
          'switchboard.event_id': frame.event.id,
          'switchboard.event_type': frame.event.type,
          'switchboard.sockets': set.size,
        },
      },
      () => this.send(set, frame),
    );
  }

  private send(set: ReadonlySet<LiveClient>, frame: EventFrame): number {
    const data = JSON.stringify(frame);
    let sent = 0;
    for (const client of set) {
      if (client.socket.readyState !== client.socket.OPEN) continue;
      if (client.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
        client.socket.close(4008, 'too slow');
        continue;
      }
      client.socket.send(data);
      sent += 1;
    }
    return sent;
  }

  hasUser(userId: string): boolean {
    return this.clients().some((c) => c.session.userId === userId);
  }
}
