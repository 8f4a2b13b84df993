import { nearestTarget } from './service-level-target.js';

describe('service level today', () => {
  it('reads a queue’s target at the nearest one the reporting store keeps', () => {
    const kept = [15, 30, 60, 120, 300];
    expect(nearestTarget(60, kept)).toBe(60);
    expect(nearestTarget(20, kept)).toBe(15);
    expect(nearestTarget(45, kept)).toBe(30);
    expect(nearestTarget(100, kept)).toBe(120);
    expect(nearestTarget(3600, kept)).toBe(300);
  });
});
