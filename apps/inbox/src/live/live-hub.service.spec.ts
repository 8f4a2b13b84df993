import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import type { SessionContext } from '../auth/session-context.js';
import type { Role } from '../auth/role.js';
import { EVERYONE } from './live-audience.js';
import { type LiveClient, LiveHub } from './live-hub.service.js';

/** The text frames in bytes a server wrote (RFC 6455 §5.2: unmasked), each frame's payload as a string. */
function framesIn(data: Buffer): string[] {
  const frames: string[] = [];
  for (let at = 0; at < data.length;) {
    expect(data[at]).toBe(0x81); // FIN, text
    let length = data[at + 1]!;
    let offset = at + 2;
    if (length === 126) [length, offset] = [data.readUInt16BE(at + 2), at + 4];
    else if (length === 127) [length, offset] = [Number(data.readBigUInt64BE(at + 2)), at + 10];
    frames.push(data.subarray(offset, offset + length).toString('utf8'));
    at = offset + length;
  }
  return frames;
}

/**
 * A socket that records what is sent to it, each `ws` send as one write, and, as `ws`'s own socket
 * does, a TCP socket under it whose writes (a batch's frames, framed by the hub) are recorded as
 * the frames each holds. `tcp: false`: a socket without one (frames go through `ws.send`).
 */
function client(
  userId: string,
  role: Role,
  workspaceId = 'w1',
  { tcp = true }: { tcp?: boolean } = {},
): LiveClient & { sent: string[]; writes: string[][] } {
  const sent: string[] = [];
  const writes: string[][] = [];
  const socket = {
    OPEN: 1,
    readyState: 1,
    bufferedAmount: 0,
    extensions: '',
    _socket: tcp
      ? {
          write: (data: Buffer) => {
            const frames = framesIn(data);
            sent.push(...frames);
            writes.push(frames);
            return true;
          },
        }
      : undefined,
    send: (d: Buffer | string, options?: { binary?: boolean }) => {
      // Text frames only: the browser parses them as JSON.
      expect(typeof d === 'string' || options?.binary === false).toBe(true);
      sent.push(d.toString());
      writes.push([d.toString()]);
    },
  };
  return {
    socket: socket as unknown as WebSocket,
    session: { userId, role, workspaceId } as SessionContext,
    sent,
    writes,
  };
}

const frame = {
  type: 'event' as const,
  topic: 't',
  event: { id: 'e', type: 'x', occurredAt: '', payload: {} },
};

describe('LiveHub', () => {
  it("sends a held conversation's frame to its holder's sockets and to supervisors only", () => {
    const hub = new LiveHub();
    const ada = client('ada', 'agent');
    const adaTab = client('ada', 'agent');
    const bob = client('bob', 'agent');
    const sue = client('sue', 'supervisor');
    const admin = client('root', 'admin');
    const foreign = client('ada', 'agent', 'w2');
    for (const c of [ada, adaTab, bob, sue, admin, foreign]) hub.add(c);

    expect(hub.broadcast('w1', frame, { kind: 'holders', userIds: ['ada'] })).toBe(4);
    expect([ada, adaTab, bob, sue, admin, foreign].map((c) => c.sent.length)).toEqual([1, 1, 0, 1, 1, 0]);

    expect(hub.broadcast('w1', frame, EVERYONE)).toBe(5);
    expect(bob.sent).toEqual([JSON.stringify(frame)]);
    expect(foreign.sent).toEqual([]);
  });

  it('sends a supervisor holding the conversation one frame, and forgets removed sockets', () => {
    const hub = new LiveHub();
    const sue = client('sue', 'supervisor');
    const ada = client('ada', 'agent');
    hub.add(sue);
    hub.add(ada);
    expect(hub.broadcast('w1', frame, { kind: 'holders', userIds: ['sue'] })).toBe(1);
    hub.remove(ada);
    expect(hub.hasUser('ada')).toBe(false);
    expect(hub.hasUser('sue')).toBe(true);
    expect(hub.broadcast('w1', frame, EVERYONE)).toBe(1);
  });

  it("writes a batch's frames to each socket together, and each frame alone outside a batch", () => {
    const hub = new LiveHub();
    const sue = client('sue', 'supervisor');
    const ada = client('ada', 'agent');
    const bob = client('bob', 'agent');
    for (const c of [sue, ada, bob]) hub.add(c);
    const sent = hub.batch(() => {
      let n = hub.broadcast('w1', frame, { kind: 'holders', userIds: ['ada'] });
      n += hub.broadcast('w1', frame, { kind: 'holders', userIds: ['ada'] });
      return n + hub.broadcast('w1', frame, { kind: 'holders', userIds: ['bob'] });
    });
    expect(sent).toBe(6);
    const one = JSON.stringify(frame);
    expect(sue.writes).toEqual([[one, one, one]]);
    expect(ada.writes).toEqual([[one, one]]);
    expect(bob.writes).toEqual([[one]]);
    hub.broadcast('w1', frame, EVERYONE);
    expect(bob.writes).toEqual([[one], [one]]);
  });

  it('frames a batch once: every supervisor gets the same bytes, each agent its own frames, in order', () => {
    const hub = new LiveHub();
    const sues = [client('sue', 'supervisor'), client('sam', 'supervisor')];
    const ada = client('ada', 'agent');
    const bob = client('bob', 'agent');
    const bare = client('cat', 'agent', 'w1', { tcp: false });
    for (const c of [...sues, ada, bob, bare]) hub.add(c);
    const written: Buffer[] = [];
    for (const s of sues) {
      const tcp = (s.socket as unknown as { _socket: { write(d: Buffer): boolean } })._socket;
      const write = tcp.write;
      tcp.write = (d) => (written.push(d), write(d));
    }
    // Payloads around each of the frame header's three length forms (7 bits, 16 bits, 64 bits).
    const sized = (id: string, length: number) => ({
      ...frame,
      event: { ...frame.event, id, payload: { text: 'é'.repeat(length / 2) } },
    });
    const frames = [sized('a', 40), sized('b', 200), sized('c', 70_000), sized('d', 2)];
    hub.batch(() => {
      hub.broadcast('w1', frames[0]!, { kind: 'holders', userIds: ['ada'] });
      hub.broadcast('w1', frames[1]!, EVERYONE);
      hub.broadcast('w1', frames[2]!, { kind: 'holders', userIds: ['bob'] });
      hub.broadcast('w1', frames[3]!, { kind: 'holders', userIds: ['ada', 'cat'] });
    });
    const json = frames.map((f) => JSON.stringify(f));
    for (const s of sues) expect(s.writes).toEqual([json]);
    expect(written[0]).toBe(written[1]);
    expect(ada.writes).toEqual([[json[0], json[1], json[3]]]);
    expect(bob.writes).toEqual([[json[1], json[2]]]);
    // Without a TCP socket of its own, a socket's frames go through `ws.send` one by one.
    expect(bare.writes).toEqual([[json[1]], [json[3]]]);
  });

  it('writes nothing to a socket that closed before its batch ended', () => {
    const hub = new LiveHub();
    const sue = client('sue', 'supervisor');
    hub.add(sue);
    hub.batch(() => {
      hub.broadcast('w1', frame, EVERYONE);
      (sue.socket as unknown as { readyState: number }).readyState = 2;
    });
    expect(sue.writes).toEqual([]);
  });

  it("writes a batch's frames that a real `ws` client reads as the frames broadcast", async () => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    const hub = new LiveHub();
    const received = new Map<string, string[]>();
    try {
      await new Promise((resolve) => server.once('listening', resolve));
      const { port } = server.address() as AddressInfo;
      const users = [
        ['sue', 'supervisor'],
        ['sam', 'supervisor'],
        ['ada', 'agent'],
      ] as const;
      const accepted = new Promise<void>((resolve) => {
        let n = 0;
        server.on('connection', (socket, request) => {
          const [userId, role] = users.find(([id]) => request.url === `/${id}`)!;
          hub.add({ socket, session: { userId, role, workspaceId: 'w1' } as SessionContext });
          if (++n === users.length) resolve();
        });
      });
      const clients = await Promise.all(
        users.map(
          ([id]) =>
            new Promise<WebSocket>((resolve, reject) => {
              const socket = new WebSocket(`ws://127.0.0.1:${port}/${id}`);
              received.set(id, []);
              socket.on('message', (data: Buffer, binary: boolean) => {
                expect(binary).toBe(false);
                received.get(id)!.push(data.toString('utf8'));
              });
              socket.once('open', () => resolve(socket)).once('error', reject);
            }),
        ),
      );
      await accepted;
      const frames = [40, 200, 70_000].map((length, i) => ({
        ...frame,
        event: { ...frame.event, id: `e${i}`, payload: { text: 'x'.repeat(length) } },
      }));
      hub.batch(() => {
        for (const f of frames) hub.broadcast('w1', f, { kind: 'holders', userIds: ['ada'] });
        hub.broadcast('w1', frame, { kind: 'holders', userIds: ['bob'] });
      });
      const json = frames.map((f) => JSON.stringify(f));
      const expected = {
        sue: [...json, JSON.stringify(frame)],
        sam: [...json, JSON.stringify(frame)],
        ada: json,
      };
      const deadline = Date.now() + 5_000;
      while (
        Object.entries(expected).some(([id, e]) => received.get(id)!.length < e.length) &&
        Date.now() < deadline
      )
        await new Promise((resolve) => setTimeout(resolve, 10));
      expect(Object.fromEntries(received)).toEqual(expected);
      for (const c of clients) c.terminate();
    } finally {
      for (const c of hub.clients()) c.socket.terminate();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
