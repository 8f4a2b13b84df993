import { type OnGatewayConnection, WebSocketGateway } from '@nestjs/websockets';
import { type ConfigOf, InjectConfig, countOpenSocket, createLogger } from '@switchboard/platform';
import type { IncomingMessage } from 'node:http';
import type { RawData, WebSocket } from 'ws';
import { originAllowed } from '../auth/origin-check.util.js';
import { SESSION_COOKIE, readCookie } from '../auth/session-cookie.util.js';
import { SessionsService } from '../auth/sessions.service.js';
import { InboxConfig } from '../inbox.config.js';
import { LiveHub, type LiveClient } from './live-hub.service.js';
import { LiveService } from './live.service.js';
import { type PongFrame, clientFrameSchema } from './live-frame.js';
import { PresenceService } from './presence.service.js';
import { InboxReplica } from './replica-id.util.js';

const MAX_FRAME_BYTES = 4096;

/**
 * `/ws/inbox`: the agents' live feed. Authenticated by the session cookie (the browser sends it on
 * the upgrade) and Origin-checked, since cookies ride along on cross-site WebSocket upgrades too.
 * The handler only translates: typing goes to LiveService, presence to PresenceService; a ping is
 * answered with a pong at once (the browser's heartbeat).
 */
@WebSocketGateway({ path: '/ws/inbox', maxPayload: MAX_FRAME_BYTES })
export class InboxGateway implements OnGatewayConnection<WebSocket> {
  private readonly logger = createLogger('inbox.ws');

  constructor(
    private readonly replica: InboxReplica,
    private readonly sessions: SessionsService,
    private readonly hub: LiveHub,
    private readonly live: LiveService,
    private readonly presence: PresenceService,
    @InjectConfig(InboxConfig) private readonly config: ConfigOf<typeof InboxConfig>,
  ) {}

  async handleConnection(socket: WebSocket, request: IncomingMessage): Promise<void> {
    // Frames that arrive while we authenticate are dropped: the client speaks after `hello`.
    const origin = request.headers.origin;
    if (!originAllowed(origin, request.headers.host, 'http', this.config.INBOX_ALLOWED_ORIGINS)) {
      socket.close(4403, 'origin not allowed');
      return;
    }
    const token = readCookie(request.headers.cookie, SESSION_COOKIE);
    const session = token ? await this.sessions.authenticate(token).catch(() => null) : null;
    if (!session || !token) {
      socket.close(4401, 'sign in first');
      return;
    }
    if (socket.readyState !== socket.OPEN) return;
    const client: LiveClient = { socket, session };
    this.hub.add(client);
    countOpenSocket('inbox', socket);
    let connectionId: Promise<string | null> = this.presence
      .connected(session.workspaceId, session.userId)
      .catch((error: unknown) => {
        this.logger.warn({ err: error, userId: session.userId }, 'could not record the connection');
        return null;
      });
    socket.on('message', (data: RawData) => this.onFrame(client, data));
    socket.on('close', () => {
      this.hub.remove(client);
      connectionId = connectionId.then(async (id) => {
        if (id) await this.presence.disconnected(session.workspaceId, session.userId, id);
        return null;
      });
      connectionId.catch((error: unknown) =>
        this.logger.warn({ err: error }, 'disconnect bookkeeping failed'),
      );
    });
    socket.send(JSON.stringify({ type: 'hello', userId: session.userId, replicaId: this.replica.id }));
  }

  private onFrame(client: LiveClient, data: RawData): void {
    let parsed: unknown;
    try {
      // RawData is a Buffer, an ArrayBuffer or fragments of Buffers.
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer);
      parsed = JSON.parse(bytes.toString('utf8'));
    } catch {
      return;
    }
    const frame = clientFrameSchema.safeParse(parsed);
    if (!frame.success) return;
    // Watched for silence only once it pings: an SPA from before heartbeats never would.
    if (frame.data.type === 'ping' || client.lastHeardAt !== undefined) client.lastHeardAt = Date.now();
    if (frame.data.type === 'ping') {
      const pong: PongFrame = { type: 'pong' };
      if (client.socket.readyState === client.socket.OPEN) client.socket.send(JSON.stringify(pong));
      return;
    }
    this.live.typing(client.session, frame.data.conversationId, frame.data.state).catch((error: unknown) => {
      this.logger.debug({ err: error }, 'typing not published');
    });
  }
}
