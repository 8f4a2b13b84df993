import { type OnGatewayConnection, WebSocketGateway } from '@nestjs/websockets';
import WebSocket from 'ws';
import { type WebTestApp, WidgetClient, startWebTestApp } from './web-test-app.js';

/** Another app's gateway on the same port, as the standalone app serves the inbox's `/ws/inbox`. */
@WebSocketGateway({ path: '/ws/other' })
class OtherGateway implements OnGatewayConnection {
  handleConnection(socket: WebSocket): void {
    socket.send('other');
  }
}

function firstMessage(url: string): Promise<string> {
  const socket = new WebSocket(url);
  return new Promise((resolve, reject) => {
    socket.once('message', (data: Buffer) => {
      resolve(data.toString('utf8'));
      socket.close();
    });
    socket.once('error', reject);
  });
}

/**
 * `/ws/widget` is a bare `ws` server (ADR 0127) routed by the app's ws adapter: it shares the port
 * with Nest gateways, refuses nothing they serve, and ends its sockets when the app stops.
 */
describe('widget socket server', () => {
  let web: WebTestApp;

  beforeAll(async () => {
    web = await startWebTestApp('web_gateway', { beside: [OtherGateway] });
  });

  afterAll(async () => {
    await web?.close();
  });

  it('shares the HTTP port with the app’s gateways, and paths neither serves are refused', async () => {
    const widget = await WidgetClient.connect(web.wsUrl, web.url);
    const welcome = await widget.hello();
    expect(welcome.t).toBe('welcome');
    const wsBase = web.url.replace(/^http/, 'ws');
    await expect(firstMessage(`${wsBase}/ws/other`)).resolves.toBe('other');
    await expect(firstMessage(`${wsBase}/ws/nowhere`)).rejects.toThrow();
    widget.socket.close();
  });

  it('ends its sockets when the app shuts down', async () => {
    // A replica of its own (same database and topics), stopped while a widget is connected to it.
    const replica = await web.startReplica();
    const widget = await WidgetClient.connect(replica.wsUrl, replica.url);
    await widget.hello();
    const closed = new Promise<void>((resolve) => widget.socket.once('close', () => resolve()));
    await replica.close();
    await closed;
    expect(widget.socket.readyState).toBe(WebSocket.CLOSED);
  }, 120_000);
});
