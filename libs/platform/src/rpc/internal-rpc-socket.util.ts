import { type Socket, connect } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import type { InternalRpcPattern } from './internal-rpc.protocol.js';

/** A call's outcome as the socket hands it over: the answer, or the serving app's error as sent. */
type Settle = { resolve: (value: unknown) => void; reject: (reason: unknown) => void };

/** One answer frame of `@nestjs/microservices`' TCP transport. */
interface AnswerPacket {
  id?: unknown;
  response?: unknown;
  err?: unknown;
  isDisposed?: boolean;
}

/**
 * The client end of `@nestjs/microservices`' TCP transport, as its `ClientTCP` speaks it, without
 * rxjs or the library's client (ADR 0147): the serving app's `ServerTCP` is unchanged. A frame is
 * `<length>#<JSON>`, the length in JavaScript characters of the JSON text; a request is `{ pattern,
 * data, id }`, and its answers carry the same `id`: `{ response, isDisposed }`, `{ err }` (then
 * `{ isDisposed }`), or `{ isDisposed }` alone for a method that answers no value — one frame or
 * two, and the first that settles the call wins, as `firstValueFrom` did over the library's
 * observable. One connection, opened on the first call and again after it was lost; requests are
 * written at once (the socket queues them while it connects). A socket error or close fails every
 * call on it with that error (`Connection closed` for a close), as the library did.
 */
export class InternalRpcSocket {
  private socket: Socket | null = null;
  private readonly pending = new Map<string, Settle>();
  private nextId = 0;

  constructor(
    private readonly address: { host: string; port: number },
    /** The largest answer taken, in characters; a larger one fails the connection. */
    private readonly maxBufferSize: number,
  ) {}

  /** Sends `data` to `pattern`; settles with the first answer for it. */
  call(pattern: InternalRpcPattern, data: unknown): Promise<unknown> {
    const socket = this.socket ?? this.open();
    const id = String((this.nextId = (this.nextId + 1) % Number.MAX_SAFE_INTEGER));
    const json = JSON.stringify({ pattern, data, id });
    return new Promise<unknown>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      socket.write(`${json.length}#${json}`);
    });
  }

  /** Closes the connection: calls on it fail with `Connection closed`; a later call opens a new one. */
  close(): void {
    const socket = this.socket;
    if (socket === null) return;
    this.socket = null;
    socket.destroy();
    this.failAll(new Error('Connection closed'));
  }

  private open(): Socket {
    const socket = connect({ host: this.address.host, port: this.address.port, noDelay: true });
    this.socket = socket;
    const decoder = new StringDecoder('utf8');
    let buffer = '';
    socket.on('data', (chunk: Buffer) => {
      buffer += decoder.write(chunk);
      for (;;) {
        const hash = buffer.indexOf('#');
        if (hash === -1) break;
        const length = Number(buffer.slice(0, hash));
        if (!Number.isSafeInteger(length) || length < 0 || hash > 16)
          return this.fail(
            socket,
            new Error(`corrupted frame length "${buffer.slice(0, Math.min(hash, 16))}"`),
          );
        if (buffer.length < hash + 1 + length) break;
        const text = buffer.slice(hash + 1, hash + 1 + length);
        buffer = buffer.slice(hash + 1 + length);
        let packet: AnswerPacket;
        try {
          packet = JSON.parse(text) as AnswerPacket;
        } catch (error) {
          return this.fail(socket, error as Error);
        }
        this.answer(packet);
      }
      if (buffer.length > this.maxBufferSize)
        this.fail(socket, new Error(`an answer longer than ${this.maxBufferSize} characters`));
    });
    socket.on('error', (error) => this.fail(socket, error));
    socket.on('close', () => this.fail(socket, new Error('Connection closed')));
    return socket;
  }

  private answer(packet: AnswerPacket): void {
    const id = typeof packet.id === 'string' ? packet.id : undefined;
    const call = id === undefined ? undefined : this.pending.get(id);
    if (call === undefined) return;
    this.pending.delete(id!);
    if (packet.err !== undefined && packet.err !== null) call.reject(packet.err);
    else call.resolve(packet.response);
  }

  /** `socket` failed: if it is still the connection, it goes, and every call on it fails. */
  private fail(socket: Socket, error: Error): void {
    if (this.socket !== socket) return;
    this.socket = null;
    socket.destroy();
    this.failAll(error);
  }

  private failAll(error: Error): void {
    const calls = [...this.pending.values()];
    this.pending.clear();
    for (const call of calls) call.reject(error);
  }
}
