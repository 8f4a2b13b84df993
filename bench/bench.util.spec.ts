import { availableParallelism } from 'node:os';
import { machineMeter } from './bench.util.js';

/** bench:web's reading of how busy the whole machine was (from /proc/stat). */
describe('machineMeter', () => {
  it('counts every core’s time but idle and I/O wait as busy', () => {
    const lines = [
      // user nice system idle iowait irq softirq steal guest guest_nice
      'cpu  900 10 400 7000 80 0 30 0 0 0\n', // when made
      'cpu  1000 10 500 8000 90 0 40 0 0 0\ncpu0 500 5 250 4000 45 0 20 0 0 0\n', // start()
      'cpu  1300 10 600 8300 190 0 50 50 0 0\ncpu0 650 5 300 4150 95 0 25 25 0 0\n',
      'cpu  1300 10 600 8300 190 0 50 50 0 0\n',
    ];
    const meter = machineMeter(() => lines.shift()!);
    meter.start();
    // 860 ticks in all: 300 user, 100 system, 10 softirq and 50 steal busy; 300 idle, 100 iowait not.
    expect(meter.take()).toBeCloseTo(460 / 860);
    // No tick between two readings: no share to give.
    expect(meter.take()).toBeNaN();
  });

  it('reads this machine: this process’s own work counts, and never more than every core', () => {
    const meter = machineMeter();
    meter.start();
    const wallStarted = performance.now();
    const cpuStarted = process.cpuUsage();
    // Keeps one core busy for 300 ms of this process's own CPU time.
    let spun = 0;
    while (process.cpuUsage(cpuStarted).user < 300_000) spun += Math.sqrt(spun + 1);
    const used = process.cpuUsage(cpuStarted);
    const ownShare =
      (used.user + used.system) / 1000 / ((performance.now() - wallStarted) * availableParallelism());

    const busy = meter.take();

    // /proc/stat counts in 10 ms ticks, hence the margin.
    expect(spun).toBeGreaterThan(0);
    expect(busy).toBeGreaterThanOrEqual(ownShare - 0.05);
    expect(busy).toBeLessThanOrEqual(1);
  });
});
