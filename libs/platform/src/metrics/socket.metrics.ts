import { gaugeMetric } from './metrics-registry.js';

let openSockets: ReturnType<typeof socketGauge> | undefined;

function socketGauge() {
  return gaugeMetric({
    name: 'switchboard_open_sockets',
    help: 'WebSockets open on this process, by kind (widget: customers; inbox: signed-in agents).',
    labelNames: ['kind'] as const,
  });
}

/** Counts a socket as open from now until it closes. */
export function countOpenSocket(
  kind: 'widget' | 'inbox',
  socket: { once(event: 'close', listener: () => void): unknown },
): void {
  openSockets ??= socketGauge();
  const gauge = openSockets;
  gauge.inc({ kind });
  socket.once('close', () => gauge.dec({ kind }));
}
