import type { SparseVector } from './sparse-vector.js';
import { runSteps, type Steps } from './stepwise.util.js';

/** Examples between two yields of a stepwise training. */
const STEP_EXAMPLES = 500;

export interface SoftmaxTrainingOptions {
  readonly epochs: number;
  readonly learningRate: number;
  /** L2 penalty: keeps the weights small, so confidence stays honest on unseen wording. */
  readonly l2: number;
  readonly seed: number;
  /**
   * Above this many classes, each example is trained against a candidate set instead of every
   * class: its own class and the `candidates` the model currently scores highest for it (random
   * ones in the first epoch, refreshed at `refreshEpochs`). A full softmax costs
   * examples × features × classes per epoch: 1,000 articles would take minutes to train.
   */
  readonly fullSoftmaxMaxClasses: number;
  readonly candidates: number;
  readonly refreshEpochs: readonly number[];
}

export const DEFAULT_SOFTMAX_OPTIONS: SoftmaxTrainingOptions = {
  epochs: 12,
  learningRate: 1,
  l2: 1e-6,
  seed: 1,
  fullSoftmaxMaxClasses: 200,
  candidates: 40,
  refreshEpochs: [1, 5],
};

/**
 * Multinomial logistic regression over sparse vectors, trained by stochastic gradient descent.
 * Its probabilities are the matcher's confidence. Weights are stored feature-major
 * (weights[feature * classes + class]) so scoring a query reads one contiguous row per feature.
 */
export class SoftmaxClassifier {
  private constructor(
    readonly classes: number,
    private readonly weights: Float32Array,
    private readonly bias: Float32Array,
  ) {}

  static train(
    vectors: readonly SparseVector[],
    labels: readonly number[],
    classes: number,
    dimension: number,
    options: SoftmaxTrainingOptions = DEFAULT_SOFTMAX_OPTIONS,
  ): SoftmaxClassifier {
    return runSteps(SoftmaxClassifier.trainSteps(vectors, labels, classes, dimension, options));
  }

  /** The same training, yielding every few hundred examples (stepwise.util). */
  static *trainSteps(
    vectors: readonly SparseVector[],
    labels: readonly number[],
    classes: number,
    dimension: number,
    options: SoftmaxTrainingOptions = DEFAULT_SOFTMAX_OPTIONS,
  ): Steps<SoftmaxClassifier> {
    if (vectors.length !== labels.length) throw new Error('one label per vector');
    // L2 by a shared scale (true weights = scale × stored weights): each step's decay is one
    // multiplication instead of a pass over every weight.
    const stored = new Float32Array(dimension * classes);
    const bias = new Float32Array(classes);
    let scale = 1;
    const order = Array.from(vectors.keys());
    const random = seededRandom(options.seed);
    const scores = new Float64Array(classes);
    const activeClasses = new Int32Array(classes);
    const activeGradients = new Float64Array(classes);
    const steps = options.epochs * vectors.length;
    let step = 0;
    const sampled = classes > options.fullSoftmaxMaxClasses;
    const width = Math.min(classes, options.candidates + 1);
    // Per example: its own class first, then its candidates.
    const candidates = sampled ? new Int32Array(vectors.length * width) : null;
    const candidateScores = new Float64Array(width);
    if (candidates) sampleCandidates(candidates, labels, classes, width, random);
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      if (candidates && options.refreshEpochs.includes(epoch)) {
        for (let i = 0; i < stored.length; i++) stored[i]! *= scale;
        scale = 1;
        yield* refreshCandidates(candidates, vectors, labels, classes, width, stored, bias, scores);
      }
      shuffle(order, random);
      let sinceYield = 0;
      for (const n of order) {
        if (++sinceYield === STEP_EXAMPLES) {
          sinceYield = 0;
          yield;
        }
        const rate = options.learningRate * (1 - step++ / steps) + 1e-3;
        const x = vectors[n]!;
        // Classes the model already rules out (p ≈ 0) would add nothing but time.
        let active = 0;
        if (candidates) {
          const base = n * width;
          for (let j = 0; j < width; j++) candidateScores[j] = bias[candidates[base + j]!]!;
          for (let k = 0; k < x.indexes.length; k++) {
            const row = x.indexes[k]! * classes;
            const xv = x.values[k]! * scale;
            for (let j = 0; j < width; j++) candidateScores[j]! += stored[row + candidates[base + j]!]! * xv;
          }
          softmaxInPlace(candidateScores);
          candidateScores[0]! -= 1;
          for (let j = 0; j < width; j++) {
            const g = candidateScores[j]!;
            if (g > 1e-4 || g < -1e-4) {
              activeClasses[active] = candidates[base + j]!;
              activeGradients[active++] = g;
            }
          }
        } else {
          score(stored, bias, classes, x, scale, scores);
          softmaxInPlace(scores);
          scores[labels[n]!]! -= 1;
          for (let c = 0; c < classes; c++) {
            const g = scores[c]!;
            if (g > 1e-4 || g < -1e-4) {
              activeClasses[active] = c;
              activeGradients[active++] = g;
            }
          }
        }
        scale *= 1 - rate * options.l2;
        const stepScale = rate / scale;
        for (let k = 0; k < x.indexes.length; k++) {
          const row = x.indexes[k]! * classes;
          const xv = x.values[k]! * stepScale;
          for (let a = 0; a < active; a++) stored[row + activeClasses[a]!]! -= activeGradients[a]! * xv;
        }
        if (candidates)
          for (let a = 0; a < active; a++) bias[activeClasses[a]!]! -= rate * activeGradients[a]!;
        else for (let c = 0; c < classes; c++) bias[c]! -= rate * scores[c]!;
        if (scale < 1e-6) {
          for (let i = 0; i < stored.length; i++) stored[i]! *= scale;
          scale = 1;
        }
      }
    }
    for (let i = 0; i < stored.length; i++) stored[i]! *= scale;
    return new SoftmaxClassifier(classes, stored, bias);
  }

  /** The probability of every class for this vector. */
  probabilities(x: SparseVector): Float64Array {
    const out = new Float64Array(this.classes);
    score(this.weights, this.bias, this.classes, x, 1, out);
    softmaxInPlace(out);
    return out;
  }
}

function score(
  weights: Float32Array,
  bias: Float32Array,
  classes: number,
  x: SparseVector,
  scale: number,
  out: Float64Array,
): void {
  for (let c = 0; c < classes; c++) out[c] = bias[c]!;
  for (let k = 0; k < x.indexes.length; k++) {
    const row = x.indexes[k]! * classes;
    const xv = x.values[k]! * scale;
    for (let c = 0; c < classes; c++) out[c]! += weights[row + c]! * xv;
  }
}

function softmaxInPlace(scores: Float64Array): void {
  let max = -Infinity;
  for (const s of scores) if (s > max) max = s;
  let sum = 0;
  for (let c = 0; c < scores.length; c++) {
    scores[c] = Math.exp(scores[c]! - max);
    sum += scores[c]!;
  }
  for (let c = 0; c < scores.length; c++) scores[c]! /= sum;
}

/** Each example's own class, then `width - 1` other classes drawn at random (distinct). */
function sampleCandidates(
  candidates: Int32Array,
  labels: readonly number[],
  classes: number,
  width: number,
  random: () => number,
): void {
  const chosen = new Set<number>();
  labels.forEach((label, n) => {
    chosen.clear();
    chosen.add(label);
    while (chosen.size < width) chosen.add(Math.floor(random() * classes));
    let j = n * width;
    candidates[j++] = label;
    for (const c of chosen) if (c !== label) candidates[j++] = c;
  });
}

/** Each example's own class, then the classes the model now scores highest for it. */
function* refreshCandidates(
  candidates: Int32Array,
  vectors: readonly SparseVector[],
  labels: readonly number[],
  classes: number,
  width: number,
  weights: Float32Array,
  bias: Float32Array,
  scores: Float64Array,
): Steps<void> {
  const top = new Int32Array(width - 1);
  for (let n = 0; n < vectors.length; n++) {
    if (n % STEP_EXAMPLES === STEP_EXAMPLES - 1) yield;
    const x = vectors[n]!;
    score(weights, bias, classes, x, 1, scores);
    const label = labels[n]!;
    // Insertion into a short sorted list: most classes fall below its last entry at once.
    let filled = 0;
    for (let c = 0; c < classes; c++) {
      if (c === label) continue;
      const s = scores[c]!;
      if (filled === top.length && s <= scores[top[filled - 1]!]!) continue;
      let i = filled < top.length ? filled++ : filled - 1;
      while (i > 0 && scores[top[i - 1]!]! < s) {
        top[i] = top[i - 1]!;
        i--;
      }
      top[i] = c;
    }
    const base = n * width;
    candidates[base] = label;
    candidates.set(top, base + 1);
  }
}

/** mulberry32: training is reproducible for the same articles. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(items: T[], random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}
