import { parseEndToEndLatency, parseProducerPerformance } from './kafka-perf.mjs';

// Output of the 4.1.1 tools as printed on the dev VM (trimmed).
const PRODUCER_OUTPUT = `149345 records sent, 29857.0 records/sec (14.58 MB/sec), 1204.3 ms avg latency, 1701.0 ms max latency.
200000 records sent, 29027.6 records/sec (14.17 MB/sec), 1422.77 ms avg latency, 1913.00 ms max latency, 1494 ms 50th, 1754 ms 95th, 1878 ms 99th, 1908 ms 99.9th.
`;

const END_TO_END_OUTPUT = `0\t552.9382830000001
1000\t1.4431
Avg latency: 4.7271 ms
Percentiles: 50th = 1, 99th = 41, 99.9th = 112
`;

describe('kafka-perf output parsers', () => {
  it('reads the final ProducerPerformance summary, not the periodic lines', () => {
    expect(parseProducerPerformance(PRODUCER_OUTPUT)).toEqual({
      recordsPerSec: 29027.6,
      mbPerSec: 14.17,
      avgLatencyMs: 1422.77,
      maxLatencyMs: 1913,
      p50Ms: 1494,
      p95Ms: 1754,
      p99Ms: 1878,
      p999Ms: 1908,
    });
  });

  it('reads the EndToEndLatency average and percentiles', () => {
    expect(parseEndToEndLatency(END_TO_END_OUTPUT)).toEqual({
      avgMs: 4.7271,
      p50Ms: 1,
      p99Ms: 41,
      p999Ms: 112,
    });
  });

  it('fails loudly, with the output, when a tool printed no summary', () => {
    expect(() => parseProducerPerformance('Exception in thread "main"')).toThrow(/Exception in thread/);
    expect(() => parseEndToEndLatency('USAGE: java org.apache.kafka.tools.EndToEndLatency')).toThrow(/USAGE/);
  });
});
