export interface LiveEvent {
  topic: string;
  event: { id: string; type: string; occurredAt: string; payload: Record<string, unknown> };
}

type Listener = (event: LiveEvent) => void;

/** `connecting` until the first hello; `live` while the server answers; `reconnecting` after a drop; `offline` while the browser says so. */
export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'offline';

/** A ping this often; no frame at all for PONG_TIMEOUT_MS after one means the socket is dead. */
export const HEARTBEAT_EVERY_MS = 5_000;
export const PONG_TIMEOUT_MS = 3_000;
/** Retries after a drop: 250 ms, 500 ms, 1 s, then every 2 s, so the network's return is noticed within 2 s. */
export const MAX_RECONNECT_DELAY_MS = 2_000;

/**
 * The `/ws/inbox` socket: tells listeners when it (re)connects so they refetch what they may have
 * missed, and sends typing. A dropped network often closes nothing (no FIN reaches either side),
 * so a silent socket is found by an app-level heartbeat, not by waiting for `close`; the browser's
 * `online` event and the tab's return to focus retry at once (ADR 0110).
 */
export class LiveConnection {
  private socket: WebSocket | null = null;
  private readonly listeners = new Set<Listener>();
  private readonly reconnectListeners = new Set<() => void>();
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();
  private attempts = 0;
  private stopped = true;
  private retryTimer: number | undefined;
  private heartbeatTimer: number | undefined;
  private pongTimer: number | undefined;
  state: ConnectionState = 'connecting';

  get connected(): boolean {
    return this.state === 'live';
  }

  start(): void {
    this.stopped = false;
    this.attempts = 0;
    window.addEventListener('online', this.retryNow);
    window.addEventListener('offline', this.wentOffline);
    window.addEventListener('focus', this.retryNow);
    document.addEventListener('visibilitychange', this.onVisible);
    this.setState(navigator.onLine ? 'connecting' : 'offline');
    this.open();
  }

  stop(): void {
    this.stopped = true;
    window.removeEventListener('online', this.retryNow);
    window.removeEventListener('offline', this.wentOffline);
    window.removeEventListener('focus', this.retryNow);
    document.removeEventListener('visibilitychange', this.onVisible);
    window.clearTimeout(this.retryTimer);
    this.stopHeartbeat();
    this.socket?.close();
    this.socket = null;
  }

  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onConnected(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  onState(listener: (state: ConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  typing(conversationId: string, state: 'typing' | 'stopped_typing'): void {
    if (this.socket?.readyState === WebSocket.OPEN)
      this.socket.send(JSON.stringify({ type: 'typing', conversationId, state }));
  }

  private setState(state: ConnectionState): void {
    if (this.state === state) return;
    this.state = state;
    this.stateListeners.forEach((l) => l(state));
  }

  private readonly retryNow = () => {
    if (this.stopped || this.state === 'live') return;
    // A socket still opening towards a network that just came back may hang: start afresh.
    window.clearTimeout(this.retryTimer);
    this.attempts = 0;
    this.drop(false);
    this.open();
  };

  private readonly onVisible = () => {
    if (document.visibilityState === 'visible') this.retryNow();
  };

  private readonly wentOffline = () => {
    if (this.stopped) return;
    this.drop(false);
    this.setState('offline');
  };

  /** Forgets the current socket without letting its close handler schedule another attempt. */
  private drop(scheduleRetry: boolean): void {
    this.stopHeartbeat();
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onclose = null;
      socket.onmessage = null;
      socket.close();
    }
    if (scheduleRetry) this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    this.setState(navigator.onLine ? 'reconnecting' : 'offline');
    window.clearTimeout(this.retryTimer);
    const delay = Math.min(MAX_RECONNECT_DELAY_MS, 250 * 2 ** this.attempts++) * (0.75 + Math.random() / 4);
    this.retryTimer = window.setTimeout(() => this.open(), delay);
  }

  private open(): void {
    if (this.stopped) return;
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws/inbox`;
    const socket = new WebSocket(url);
    this.socket = socket;
    // An upgrade that never answers (a half-open network) counts as a failed attempt.
    this.pongTimer = window.setTimeout(() => this.socket === socket && this.drop(true), 4_000);
    socket.onmessage = (message) => {
      this.alive();
      const frame = JSON.parse(String(message.data)) as { type: string } & Partial<LiveEvent>;
      if (frame.type === 'hello') {
        this.attempts = 0;
        this.setState('live');
        this.startHeartbeat(socket);
        this.reconnectListeners.forEach((l) => l());
      } else if (frame.type === 'event' && frame.event && frame.topic) {
        const event = { topic: frame.topic, event: frame.event };
        this.listeners.forEach((l) => l(event));
      }
    };
    socket.onclose = (close) => {
      if (this.socket !== socket) return;
      this.stopHeartbeat();
      this.socket = null;
      if (this.stopped) return;
      if (close.code === 4401) return this.setState('reconnecting');
      this.scheduleRetry();
    };
  }

  private startHeartbeat(socket: WebSocket): void {
    window.clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = window.setInterval(() => {
      if (socket.readyState !== WebSocket.OPEN) return;
      socket.send(JSON.stringify({ type: 'ping' }));
      window.clearTimeout(this.pongTimer);
      this.pongTimer = window.setTimeout(() => this.socket === socket && this.drop(true), PONG_TIMEOUT_MS);
    }, HEARTBEAT_EVERY_MS);
  }

  /** Any frame proves the socket alive. */
  private alive(): void {
    window.clearTimeout(this.pongTimer);
    this.pongTimer = undefined;
  }

  private stopHeartbeat(): void {
    window.clearInterval(this.heartbeatTimer);
    window.clearTimeout(this.pongTimer);
    this.heartbeatTimer = this.pongTimer = undefined;
  }
}

export const live = new LiveConnection();
