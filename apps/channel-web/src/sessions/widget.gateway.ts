import type { IncomingMessage } from 'node:http';
import { type OnGatewayConnection, WebSocketGateway } from '@nestjs/websockets';
import {
  ClientIpConfig,
  clientIp,
  countOpenSocket,
  createLogger,
  PlatformConfigService,
  type TrustedProxies,
} from '@switchboard/platform';
import type { WebSocket } from 'ws';
import { MAX_FRAME_BYTES } from './widget-protocol.js';
import { WidgetSession } from './widget-session.js';
import { WidgetSessionService } from './widget-session.service.js';

/**
 * `/ws/widget?key=<widget key>`: customers' sockets, on the HTTP port (runHttpService's ws
 * adapter). Translates frames to the session service, in order, and nothing more.
 */
@WebSocketGateway({ path: '/ws/widget', maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false })
export class WidgetGateway implements OnGatewayConnection {
  private readonly logger = createLogger('channel-web.gateway');
  private readonly trustedProxies: TrustedProxies;

  constructor(
    private readonly sessions: WidgetSessionService,
    config: PlatformConfigService,
  ) {
    this.trustedProxies = config.get(ClientIpConfig).TRUSTED_PROXIES;
  }

  handleConnection(socket: WebSocket, request: IncomingMessage): void {
    countOpenSocket('widget', socket);
    // Only the key is kept: the socket's listeners share this scope for as long as the tab is open.
    const widgetKey = new URL(request.url ?? '/', 'http://widget.invalid').searchParams.get('key');
    const session = new WidgetSession(
      socket,
      // Behind the ingress the peer is the proxy: the per-IP limits must count the visitor.
      clientIp(request, this.trustedProxies),
      request.headers.origin,
      request.headers.host,
      (error) => {
        this.logger.error({ err: error }, 'widget session failed');
        session.close(1011, 'internal error');
      },
    );
    session.handle(() => this.sessions.open(session, widgetKey));
    socket.on('message', (data, isBinary) => {
      if (isBinary) return session.close(1003, 'text frames only');
      const text = Array.isArray(data)
        ? Buffer.concat(data).toString('utf8')
        : Buffer.isBuffer(data)
          ? data.toString('utf8')
          : Buffer.from(data).toString('utf8');
      session.handle(() => this.sessions.receive(session, text));
    });
    socket.on('pong', () => {
      session.alive = true;
    });
    socket.on('close', () => this.sessions.closed(session));
  }
}
