import net from 'node:net';

/**
 * A TCP proxy a test can cut: every open connection closed and new ones refused, as a network
 * partition would (a browser's socket dropped for real; a database unreachable).
 */
export interface TcpProxy {
  readonly port: number;
  /** Closes every open connection and refuses new ones until `restore()`. */
  cut(): void;
  /**
   * A silent drop: open connections stay open but nothing more crosses them (no FIN, no RST, as
   * when a network goes away under a live socket), and new ones are refused until `restore()`,
   * which closes the stalled ones.
   */
  stall(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const open = new Set<net.Socket>();
  let refusing = false;
  let stalled = false;
  const pairs = new Set<[net.Socket, net.Socket]>();
  const server = net.createServer((client) => {
    if (refusing) return client.destroy();
    const upstream = net.connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    pairs.add([client, upstream]);
    client.on('close', () => pairs.forEach((pair) => pair[0] === client && pairs.delete(pair)));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    cut() {
      refusing = true;
      for (const socket of open) socket.destroy();
    },
    stall() {
      refusing = true;
      stalled = true;
      // Unpiped and not read, the bytes stay where they are: neither end hears anything more.
      for (const [client, upstream] of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
    },
    restore() {
      if (stalled) for (const socket of open) socket.destroy();
      stalled = false;
      refusing = false;
    },
    close() {
      for (const socket of open) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
