import { setImmediate } from 'node:timers/promises';

/**
 * Long computations (training) written as generators that yield now and then: run to the end at
 * once, or with the event loop let through at every yield, so a process that trains a large base
 * still answers its health checks and keeps its Kafka session alive.
 */
export type Steps<T> = Generator<void, T, void>;

export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

export async function runStepsYielding<T>(steps: Steps<T>): Promise<T> {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
    await setImmediate();
  }
}
