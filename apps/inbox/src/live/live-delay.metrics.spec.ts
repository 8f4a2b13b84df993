import { metricsRegistry } from '@switchboard/platform';
import { parsePrometheusText } from '@switchboard/testing';
import { liveDelays } from './live-delay.metrics.js';

describe('liveDelays', () => {
  const name = 'switchboard_inbox_live_delay_seconds';
  const scrape = async () => parsePrometheusText(await metricsRegistry.metrics());

  it("observes each event's age at a stage, by stage, against one clock reading", async () => {
    let now = 10_000;
    const observe = liveDelays(() => now);
    const before = await scrape();
    const counted = (scrape: typeof before, stage: string, le: string) =>
      scrape.sum(`${name}_bucket`, { stage, le }) - before.sum(`${name}_bucket`, { stage, le });

    observe('handled', [9_999, 9_990]);
    now = 10_040;
    observe('sent', [9_999, 9_990]);

    const after = await scrape();
    // Handled 1 and 10 ms after they occurred; sent 41 and 50 ms after.
    expect(counted(after, 'handled', '0.001')).toBe(1);
    expect(counted(after, 'handled', '0.01')).toBe(2);
    expect(counted(after, 'sent', '0.04')).toBe(0);
    expect(counted(after, 'sent', '0.05')).toBe(2);
    expect(counted(after, 'ready', '+Inf')).toBe(0);
    expect(
      after.sum(`${name}_sum`, { stage: 'sent' }) - before.sum(`${name}_sum`, { stage: 'sent' }),
    ).toBeCloseTo(0.091, 6);
  });
});
