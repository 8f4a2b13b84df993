import type { IncomingMessage } from 'node:http';
import { type BeforeApplicationShutdown, Injectable, type OnModuleInit } from '@nestjs/common';
import { ApplicationConfig } from '@nestjs/core';
import {
  ClientIpConfig,
  clientIp,
  countOpenSocket,
  createLogger,
  PlatformConfigService,
  type TrustedProxies,
} from '@switchboard/platform';
import type { RawData, WebSocket, WebSocketServer } from 'ws';
import { MAX_FRAME_BYTES } from './widget-protocol.js';
import { WidgetSession } from './widget-session.js';
import { WidgetSessionService } from './widget-session.service.js';

const WIDGET_SOCKET_PATH = '/ws/widget';

/**
 * `/ws/widget?key=<widget key>`: customers' sockets, on the HTTP port. Translates frames to the
 * session service, in order, and nothing more.
 *
 * A bare `ws` server (ADR 0127), not a Nest gateway: Nest subscribes an rxjs pipeline to every
 * gateway socket and parses every frame as JSON for its message handlers, which this gateway has
 * none of (about 2 KB and a second parse per frame, per socket, at ten thousand sockets). The
 * server is still made by the app's ws adapter, so the adapter's one `upgrade` listener routes
 * the path here beside other gateways on the same port (the inbox's, in the standalone app).
 */
@Injectable()
export class WidgetGateway implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = createLogger('channel-web.gateway');
  private readonly trustedProxies: TrustedProxies;
  private server: WebSocketServer | undefined;

  constructor(
    private readonly sessions: WidgetSessionService,
    private readonly app: ApplicationConfig,
    config: PlatformConfigService,
  ) {
    this.trustedProxies = config.get(ClientIpConfig).TRUSTED_PROXIES;
  }

  onModuleInit(): void {
    const adapter = this.app.getIoAdapter();
    if (!adapter) throw new Error(`${WIDGET_SOCKET_PATH} needs the app's ws adapter (useWebSocketAdapter)`);
    // Port 0: the HTTP server's own port.
    const server = adapter.create(0, {
      path: WIDGET_SOCKET_PATH,
      maxPayload: MAX_FRAME_BYTES,
      perMessageDeflate: false,
    }) as WebSocketServer;
    server.on('connection', (socket: WebSocket, request: IncomingMessage) => this.connected(socket, request));
    this.server = server;
  }

  /**
   * Ends every socket and stops taking new ones (Nest closes only its gateways' servers). Before
   * the HTTP server is closed, which waits for every connection, upgraded ones included.
   */
  async beforeApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of server.clients) socket.terminate();
    await closed;
  }

  private connected(socket: WebSocket, request: IncomingMessage): void {
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
    socket.on('message', (data: RawData, isBinary: boolean) => {
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
