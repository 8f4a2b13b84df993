export interface LiveEvent {
  topic: string;
  event: { id: string; type: string; occurredAt: string; payload: Record<string, unknown> };
}

type Listener = (event: LiveEvent) => void;

/**
 * The `/ws/inbox` socket: reconnects with backoff (a deploy or a network blip), tells listeners
 * when it (re)connects so they refetch what they may have missed, and sends typing.
 */
export class LiveConnection {
  private socket: WebSocket | null = null;
  private readonly listeners = new Set<Listener>();
  private readonly reconnectListeners = new Set<() => void>();
  private attempts = 0;
  private stopped = false;
  connected = false;

  start(): void {
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    this.socket?.close();
  }

  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onConnected(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  typing(conversationId: string, state: 'typing' | 'stopped_typing'): void {
    if (this.socket?.readyState === WebSocket.OPEN)
      this.socket.send(JSON.stringify({ type: 'typing', conversationId, state }));
  }

  private open(): void {
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws/inbox`;
    const socket = new WebSocket(url);
    this.socket = socket;
    socket.onmessage = (message) => {
      const frame = JSON.parse(String(message.data)) as { type: string } & Partial<LiveEvent>;
      if (frame.type === 'hello') {
        this.attempts = 0;
        this.connected = true;
        this.reconnectListeners.forEach((l) => l());
      } else if (frame.type === 'event' && frame.event && frame.topic) {
        const event = { topic: frame.topic, event: frame.event };
        this.listeners.forEach((l) => l(event));
      }
    };
    socket.onclose = (close) => {
      this.connected = false;
      if (this.stopped || close.code === 4401) return;
      const delay = Math.min(15_000, 500 * 2 ** this.attempts++) * (0.5 + Math.random() / 2);
      setTimeout(() => this.open(), delay);
    };
  }
}

export const live = new LiveConnection();
