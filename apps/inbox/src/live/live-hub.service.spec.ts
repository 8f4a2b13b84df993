import type { WebSocket } from 'ws';
import type { SessionContext } from '../auth/session-context.js';
import type { Role } from '../auth/role.js';
import { EVERYONE } from './live-audience.js';
import { type LiveClient, LiveHub } from './live-hub.service.js';

/**
 * A socket that records what is sent to it, and, as `ws`'s own socket does, a TCP socket under it
 * whose corked writes are recorded as they would leave: together, at the last uncork.
 */
function client(
  userId: string,
  role: Role,
  workspaceId = 'w1',
): LiveClient & { sent: string[]; writes: string[][] } {
  const sent: string[] = [];
  const writes: string[][] = [];
  let corks = 0;
  let held: string[] = [];
  const tcp = {
    cork: () => (corks += 1),
    uncork: () => {
      corks -= 1;
      if (corks > 0 || held.length === 0) return;
      writes.push(held);
      held = [];
    },
  };
  const socket = {
    OPEN: 1,
    readyState: 1,
    bufferedAmount: 0,
    _socket: tcp,
    send: (d: Buffer | string, options?: { binary?: boolean }) => {
      // Text frames only: the browser parses them as JSON.
      expect(typeof d === 'string' || options?.binary === false).toBe(true);
      sent.push(d.toString());
      if (corks > 0) held.push(d.toString());
      else writes.push([d.toString()]);
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
});
