import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { waitFor } from '../async/wait-for.util.js';

/** A customer's widget socket (`/ws/widget`), welcomed, with what the server sent it so far. */
export interface WidgetCustomer<Item> {
  readonly socket: WebSocket;
  /** Every frame received, parsed, in order (the welcome first). */
  readonly frames: readonly Record<string, unknown>[];
  /** The `item` frames' transcript items, in order. */
  readonly items: readonly Item[];
  /** The server's `welcome` frame (the visitor's `token`, the transcript so far). */
  readonly welcome: Record<string, unknown>;
  /** Sends a text message, as the widget does when the customer presses Send. */
  say(text: string): void;
}

/**
 * Opens the widget's socket at `baseUrl` for the site of `widgetKey` (from the app's own origin),
 * sends `hello` (an anonymous visitor unless it names a `user` or a `token`) and resolves once
 * welcomed. Close it with `socket.close()`.
 */
export async function openWidgetCustomer<Item = Record<string, unknown>>(
  baseUrl: string,
  widgetKey: string,
  hello: Record<string, unknown> = {},
): Promise<WidgetCustomer<Item>> {
  const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/ws/widget?key=${widgetKey}`, {
    headers: { origin: baseUrl },
  });
  const frames: Record<string, unknown>[] = [];
  const items: Item[] = [];
  socket.on('message', (data: Buffer) => {
    const frame = JSON.parse(data.toString('utf8')) as Record<string, unknown>;
    frames.push(frame);
    if (frame.t === 'item' && frame.item) items.push(frame.item as Item);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  socket.send(JSON.stringify({ t: 'hello', ...hello }));
  const welcome = await waitFor(() => frames.find((frame) => frame.t === 'welcome'), {
    what: 'the widget welcome',
  });
  return {
    socket,
    frames,
    items,
    welcome,
    say: (text) => socket.send(JSON.stringify({ t: 'msg', id: randomUUID(), text })),
  };
}
