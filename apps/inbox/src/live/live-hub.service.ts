import { Injectable } from '@nestjs/common';
import { inSpanSync } from '@switchboard/platform';
import type { WebSocket } from 'ws';
import { roleAtLeast } from '../auth/role.js';
import type { SessionContext } from '../auth/session-context.js';
import type { LiveAudience } from './live-audience.js';
import type { EventFrame } from './live-frame.js';
import { textFrameOf } from './websocket-frame.util.js';

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

/** What `batch` writes past `ws`'s sender: its TCP socket (`ws` has no public handle on it). */
interface TcpSocket {
  write(data: Buffer): boolean;
}

/**
 * The TCP socket under a `ws` socket, when a batch's frames may be written to it as they are
 * framed here: `ws` frames nothing itself on such a socket (no extension negotiated, so its
 * sender never holds a frame back to compress it), and every frame it writes goes straight to the
 * same stream, so a frame of ours and one of `ws` (a pong, a close) leave in the order written.
 * Absent (a test's socket), frames go through `ws.send` one by one.
 */
function tcpOf(client: LiveClient): TcpSocket | undefined {
  if (client.socket.extensions !== '') return undefined;
  return (client.socket as unknown as { _socket?: TcpSocket })._socket ?? undefined;
}

/** A frame of the current batch: framed once, its bytes shared by every socket that gets it. */
interface Framed {
  readonly frame: Buffer;
  readonly payloadOffset: number;
}

/** One socket's frames of the current batch, and every frame of its workspace's so far. */
interface Share {
  readonly tcp: TcpSocket;
  readonly frames: Buffer[];
  readonly workspace: Buffer[];
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
  /**
   * While `batch` runs: each socket's frames so far, written at its end, and each workspace's
   * frames in order (a socket sent every one of them, as a supervisor is, gets one buffer
   * concatenated once for all of them).
   */
  private pending:
    { shares: Map<LiveClient, Share>; workspaces: Map<WorkspaceSockets, Buffer[]> } | undefined;

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
   * Runs `work` (broadcasts) and then writes each socket's frames of it in one write: a
   * supervisor's share of a batch of fifty events is one buffer, the same for every supervisor,
   * rather than fifty `ws` sends (a header and two stream writes each) per supervisor. Nothing
   * waits: it is all synchronous, and a socket's frames keep their order.
   */
  batch<T>(work: () => T): T {
    if (this.pending) return work();
    const pending = (this.pending = { shares: new Map<LiveClient, Share>(), workspaces: new Map() });
    try {
      return work();
    } finally {
      this.pending = undefined;
      const whole = new Map<Buffer[], Buffer>();
      for (const [client, { tcp, frames, workspace }] of pending.shares) {
        if (client.socket.readyState !== client.socket.OPEN) continue;
        let data = frames[0]!;
        if (frames.length === workspace.length && frames.length > 1) {
          // Every frame of the workspace's batch, each once and in order: the shared buffer.
          data = whole.get(workspace) ?? Buffer.concat(workspace);
          whole.set(workspace, data);
        } else if (frames.length > 1) data = Buffer.concat(frames);
        tcp.write(data);
      }
    }
  }

  private send(sockets: WorkspaceSockets, frame: EventFrame, audience: LiveAudience): number {
    const framed = textFrameOf(JSON.stringify(frame));
    if (this.pending) {
      let frames = this.pending.workspaces.get(sockets);
      if (!frames) this.pending.workspaces.set(sockets, (frames = []));
      frames.push(framed.frame);
    }
    if (audience.kind === 'everyone') return this.sendAll(sockets, sockets.all, framed);
    let sent = this.sendAll(sockets, sockets.supervisors, framed);
    for (const userId of audience.userIds) {
      const own = sockets.byUser.get(userId);
      if (!own) continue;
      for (const client of own) {
        // A supervisor holding the conversation already has it.
        if (!sockets.supervisors.has(client)) sent += this.sendOne(sockets, client, framed);
      }
    }
    return sent;
  }

  private sendAll(sockets: WorkspaceSockets, clients: Iterable<LiveClient>, framed: Framed): number {
    let sent = 0;
    for (const client of clients) sent += this.sendOne(sockets, client, framed);
    return sent;
  }

  private sendOne(sockets: WorkspaceSockets, client: LiveClient, framed: Framed): number {
    if (client.socket.readyState !== client.socket.OPEN) return 0;
    if (client.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      client.socket.close(4008, 'too slow');
      return 0;
    }
    if (this.pending) {
      const share = this.pending.shares.get(client);
      if (share) {
        share.frames.push(framed.frame);
        return 1;
      }
      const tcp = tcpOf(client);
      if (tcp) {
        const workspace = this.pending.workspaces.get(sockets)!;
        this.pending.shares.set(client, { tcp, frames: [framed.frame], workspace });
        return 1;
      }
    }
    client.socket.send(framed.frame.subarray(framed.payloadOffset), TEXT);
    return 1;
  }

  hasUser(userId: string): boolean {
    for (const sockets of this.byWorkspace.values()) if (sockets.byUser.has(userId)) return true;
    return false;
  }
}
