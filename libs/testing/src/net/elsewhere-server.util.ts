import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback server no request should reach (a URL on another host than the provider's, an
 * internal address): it answers `body` as `contentType` and counts the requests it gets.
 */
export interface ElsewhereServer {
  readonly url: string;
  /** Requests received so far. */
  hits(): number;
  close(): Promise<void>;
}

export async function startElsewhereServer(
  contentType: string,
  body: Buffer | string,
): Promise<ElsewhereServer> {
  let hits = 0;
  const server = createServer((_req, res) => {
    hits += 1;
    res.writeHead(200, { 'content-type': contentType });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits: () => hits,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
