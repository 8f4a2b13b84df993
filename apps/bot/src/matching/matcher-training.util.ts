import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Matcher, type MatcherData, type MatcherTrainingSet } from './matcher.js';
import { calibrateThreshold, calibrateThresholdYielding } from './threshold-calibration.js';

export interface TrainingRequest {
  readonly set: MatcherTrainingSet;
  /** Also choose the answer threshold on held-out questions (threshold-calibration.ts). */
  readonly calibrate: boolean;
}

export type TrainingReply =
  | { readonly ok: true; readonly matcher: MatcherData; readonly threshold: number | null }
  | { readonly ok: false; readonly message: string };

export interface TrainedMatcher {
  readonly matcher: Matcher;
  /** The calibrated threshold, when asked for. */
  readonly threshold: number | null;
}

/** The compiled worker beside this file (`dist/…/matcher-training.worker.js`). */
const WORKER_URL = new URL('./matcher-training.worker.js', import.meta.url);

/** Trains in this thread, at once: what the worker runs. */
export function trainMatcher(set: MatcherTrainingSet, calibrate: boolean): TrainedMatcher {
  const threshold = calibrate ? calibrateThreshold(set).threshold : null;
  return { matcher: Matcher.train(set), threshold };
}

/**
 * Trains a matcher (and calibrates its threshold) in a worker thread, so the caller's event loop
 * stays free: the bot keeps consuming and answering with its previous model meanwhile. Run from
 * the TypeScript sources (the unit and integration tests), there is no compiled worker to start:
 * the same training then runs here, stepwise, letting the event loop through (stepwise.util).
 */
export async function trainMatcherOffThread(
  set: MatcherTrainingSet,
  calibrate: boolean,
): Promise<TrainedMatcher> {
  if (!existsSync(fileURLToPath(WORKER_URL))) {
    const threshold = calibrate ? (await calibrateThresholdYielding(set)).threshold : null;
    return { matcher: await Matcher.trainYielding(set), threshold };
  }
  const reply = await new Promise<TrainingReply>((resolve, reject) => {
    const worker = new Worker(WORKER_URL);
    let settled = false;
    worker.once('message', (message: TrainingReply) => {
      settled = true;
      resolve(message);
      void worker.terminate();
    });
    worker.once('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`the matcher's training worker exited with code ${code}`));
    });
    worker.postMessage({ set, calibrate } satisfies TrainingRequest);
  });
  if (!reply.ok) throw new Error(`training the matcher failed: ${reply.message}`);
  return { matcher: Matcher.fromData(reply.matcher), threshold: reply.threshold };
}
