/** The reporting store keeps counts at a few targets only; a queue's own target reads at the nearest. */
export function nearestTarget(seconds: number, targets: readonly number[]): number {
  return targets.reduce((best, t) => (Math.abs(t - seconds) < Math.abs(best - seconds) ? t : best));
}
