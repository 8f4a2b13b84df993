import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import { InternalRpcSocket } from './internal-rpc-socket.util.js';

/**
 * The client's framing against a server that writes frames as `@nestjs/microservices`' JsonSocket
 * does (`<length in characters>#<JSON>`), split and joined in the ways TCP delivers them.
 */
describe('InternalRpcSocket', () => {
  let server: Server;
  let port: number;
  /** What the server read (one request per frame), and the socket to answer on. */
  let requests: { pattern: unknown; data: unknown; id: string }[];
  let peer: Socket;
  let connections: number;

  const frame = (packet: unknown) => {
    const json = JSON.stringify(packet);
    return `${json.length}#${json}`;
  };

  beforeEach(async () => {
    requests = [];
    connections = 0;
    server = createServer((socket) => {
      connections += 1;
      peer = socket;
      let buffer = '';
      socket.setEncoding('utf8');
      socket.on('data', (text: string) => {
        buffer += text;
        for (let hash = buffer.indexOf('#'); hash !== -1; hash = buffer.indexOf('#')) {
          const length = Number(buffer.slice(0, hash));
          if (buffer.length < hash + 1 + length) break;
          requests.push(JSON.parse(buffer.slice(hash + 1, hash + 1 + length)) as (typeof requests)[number]);
          buffer = buffer.slice(hash + 1 + length);
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterEach(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const until = async (check: () => boolean) => {
    for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
    expect(check()).toBe(true);
  };

  it('sends { pattern, data, id } frames and matches answers by id, in any order and any split', async () => {
    const client = new InternalRpcSocket({ host: '127.0.0.1', port }, 1_000_000);
    const pattern = { port: 'history', method: 'getConversation' };
    const first = client.call(pattern, { text: 'ünïcödé ✓' });
    const second = client.call(pattern, { n: 2 });
    const third = client.call(pattern, { n: 3 });
    await until(() => requests.length === 3);
    expect(requests[0]).toEqual({ pattern, data: { text: 'ünïcödé ✓' }, id: expect.any(String) });
    const [a, b, c] = requests.map((r) => r.id);
    expect(new Set([a, b, c]).size).toBe(3);
    // The third answered first, in one frame; the first in two frames (value, then disposal),
    // its multi-byte text split mid-character across writes; the second with no value at all.
    const answers = Buffer.from(
      frame({ id: c, response: 3, isDisposed: true }) +
        frame({ id: a, response: { text: 'ünïcödé ✓' } }) +
        frame({ id: a, isDisposed: true }) +
        frame({ id: b, isDisposed: true }),
      'utf8',
    );
    for (let i = 0; i < answers.length; i += 7) {
      peer.write(answers.subarray(i, i + 7));
      await new Promise((r) => setImmediate(r));
    }
    await expect(third).resolves.toBe(3);
    await expect(first).resolves.toEqual({ text: 'ünïcödé ✓' });
    await expect(second).resolves.toBeUndefined();
    client.close();
  });

  it("rejects with the serving app's error as sent, and with a lost connection's error", async () => {
    const client = new InternalRpcSocket({ host: '127.0.0.1', port }, 1_000_000);
    const refused = client.call({ port: 'p', method: 'm' }, {});
    const noHandler = client.call({ port: 'p', method: 'other' }, {});
    const lost = client.call({ port: 'p', method: 'm' }, {});
    await until(() => requests.length === 3);
    peer.write(
      frame({ id: requests[0]!.id, err: { code: 'NOT_FOUND', message: 'no such conversation' } }) +
        frame({ id: requests[1]!.id, status: 'error', err: 'There is no matching message handler' }),
    );
    await expect(refused).rejects.toEqual({ code: 'NOT_FOUND', message: 'no such conversation' });
    await expect(noHandler).rejects.toBe('There is no matching message handler');
    peer.destroy();
    await expect(lost).rejects.toThrow('Connection closed');
    // The next call dials again.
    const again = client.call({ port: 'p', method: 'm' }, {});
    await until(() => requests.length === 4 && connections === 2);
    peer.write(frame({ id: requests[3]!.id, response: 'ok', isDisposed: true }));
    await expect(again).resolves.toBe('ok');
    client.close();
  });

  it('fails the connection on a corrupted frame or an answer over the limit', async () => {
    const client = new InternalRpcSocket({ host: '127.0.0.1', port }, 64);
    const corrupted = client.call({ port: 'p', method: 'm' }, {});
    await until(() => requests.length === 1);
    peer.write('x1#{}');
    await expect(corrupted).rejects.toThrow('corrupted frame length');
    const tooLong = client.call({ port: 'p', method: 'm' }, {});
    await until(() => requests.length === 2);
    peer.write(`1000#${'x'.repeat(100)}`);
    await expect(tooLong).rejects.toThrow('longer than 64');
    client.close();
  });

  it('fails its calls at once when closed, and when nothing listens', async () => {
    const client = new InternalRpcSocket({ host: '127.0.0.1', port }, 1_000);
    const pending = client.call({ port: 'p', method: 'm' }, {});
    client.close();
    await expect(pending).rejects.toThrow('Connection closed');
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await expect(client.call({ port: 'p', method: 'm' }, {})).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    // Something for afterEach to close.
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
});
