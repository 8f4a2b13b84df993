import { parentPort } from 'node:worker_threads';
import { trainMatcher, type TrainingReply, type TrainingRequest } from './matcher-training.util.js';

/**
 * The worker thread a workspace's matcher trains in (`trainMatcherOffThread`): seconds of CPU for
 * a large base, which on the main thread would stall the bot's Kafka consumer and health checks.
 * One request per worker; the trained model goes back as plain data, its large arrays transferred.
 */
parentPort?.once('message', (request: TrainingRequest) => {
  let reply: TrainingReply;
  let transfer: ArrayBuffer[] = [];
  try {
    const trained = trainMatcher(request.set, request.calibrate);
    const data = trained.matcher.toData();
    reply = { ok: true, matcher: data, threshold: trained.threshold };
    const c = data.classifier;
    const arrays = [c?.rowStarts, c?.classStarts, c?.rowClasses, c?.rowWeights];
    transfer = arrays.filter((a) => a !== undefined).map((a) => a.buffer as ArrayBuffer);
  } catch (error) {
    reply = { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  parentPort!.postMessage(reply, transfer);
});
