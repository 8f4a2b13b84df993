import type { DeliveryReceiptsService } from '../outbound/delivery-receipts.service.js';
import type { TranscriptNotifierService } from '../transcript/transcript-notifier.service.js';
import type { TranscriptService } from '../transcript/transcript.service.js';
import { HEARTBEAT_SLICES, SessionRegistryService } from './session-registry.service.js';
import { WidgetSession, type WidgetSocket } from './widget-session.js';

/** A socket that only counts what the heartbeat does to it. */
class CountingSocket implements WidgetSocket {
  pings = 0;
  closed: string | null = null;
  readonly bufferedAmount = 0;
  send(): void {}
  ping(): void {
    this.pings += 1;
  }
  close(_code: number, reason: string): void {
    this.closed = reason;
  }
}

describe('SessionRegistryService heartbeat', () => {
  // The heartbeat touches none of these.
  const registry = () =>
    new SessionRegistryService(
      {} as TranscriptService,
      {} as DeliveryReceiptsService,
      {} as TranscriptNotifierService,
    );
  const open = (count: number) =>
    Array.from({ length: count }, () => {
      const socket = new CountingSocket();
      return {
        socket,
        session: new WidgetSession(socket, '127.0.0.1', undefined, undefined, () => undefined),
      };
    });

  it('pings every socket once a round, a slice at a time, and closes those that did not answer', () => {
    const sessions = registry();
    const tabs = open(HEARTBEAT_SLICES * 4 + 1);
    for (const { session } of tabs) sessions.track(session);

    for (let tick = 0; tick < HEARTBEAT_SLICES; tick += 1) {
      const before = tabs.reduce((n, t) => n + t.socket.pings, 0);
      sessions.checkAlive();
      // Never more than a slice's share at once.
      expect(tabs.reduce((n, t) => n + t.socket.pings, 0) - before).toBeLessThanOrEqual(5);
    }
    expect(tabs.map((t) => t.socket.pings)).toEqual(tabs.map(() => 1));

    // Every tab answers but the first; a second round closes it and pings the rest again.
    for (const { session } of tabs.slice(1)) session.alive = true;
    for (let tick = 0; tick < HEARTBEAT_SLICES; tick += 1) sessions.checkAlive();
    expect(tabs[0]!.socket.closed).toBe('no heartbeat');
    expect(tabs.slice(1).map((t) => [t.socket.closed, t.socket.pings])).toEqual(
      tabs.slice(1).map(() => [null, 2]),
    );
  });

  it('forgets a removed socket', () => {
    const sessions = registry();
    const [gone, kept] = open(2);
    sessions.track(gone!.session);
    sessions.track(kept!.session);
    sessions.remove(gone!.session);
    for (let tick = 0; tick < HEARTBEAT_SLICES; tick += 1) sessions.checkAlive();
    expect([gone!.socket.pings, kept!.socket.pings]).toEqual([0, 1]);
    expect(sessions.size).toBe(1);
  });
});
