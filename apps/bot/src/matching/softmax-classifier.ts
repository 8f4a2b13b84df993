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
  /** Trained weights smaller than this in magnitude are dropped from the kept model (0: only zeros). */
  readonly pruneBelow: number;
}

export const DEFAULT_SOFTMAX_OPTIONS: SoftmaxTrainingOptions = {
  epochs: 12,
  learningRate: 1,
  l2: 1e-6,
  seed: 1,
  fullSoftmaxMaxClasses: 200,
  candidates: 40,
  refreshEpochs: [1, 5],
  // On CLINC150 (151 classes) weights under 0.01 could go with no answer changed (92.33% / 56%
  // at 0, 0.001, 0.003 and 0.01); 0.003 keeps a margin and drops about a third of them.
  pruneBelow: 0.003,
};

/** A trained classifier as plain data: what crosses a worker thread's boundary (structured clone). */
export interface SoftmaxClassifierData {
  readonly classes: number;
  readonly rowStarts: Int32Array;
  readonly classStarts: Int32Array;
  readonly rowClasses: Int32Array;
  readonly rowWeights: Float32Array;
  readonly bias: Float32Array;
}

/**
 * Multinomial logistic regression over sparse vectors, trained by stochastic gradient descent.
 * Its probabilities are the matcher's confidence. Training works on a dense feature-major array
 * (weights[feature * classes + class]); the trained model keeps, per feature, either its whole row
 * (most classes non-zero: a full softmax) or only its non-zero weights with their classes (a
 * large base trained against candidate classes touches few classes per rare feature), whichever
 * is smaller, after dropping weights under `pruneBelow` in magnitude.
 */
export class SoftmaxClassifier {
  private constructor(
    readonly classes: number,
    /** Feature f's weights are rowWeights[rowStarts[f] .. rowStarts[f + 1]). */
    private readonly rowStarts: Int32Array,
    /** Where feature f's classes start in rowClasses; -1: a whole row, every class in order. */
    private readonly classStarts: Int32Array,
    private readonly rowClasses: Int32Array,
    private readonly rowWeights: Float32Array,
    private readonly bias: Float32Array,
  ) {}

  static fromData(data: SoftmaxClassifierData): SoftmaxClassifier {
    return new SoftmaxClassifier(
      data.classes,
      data.rowStarts,
      data.classStarts,
      data.rowClasses,
      data.rowWeights,
      data.bias,
    );
  }

  toData(): SoftmaxClassifierData {
    return {
      classes: this.classes,
      rowStarts: this.rowStarts,
      classStarts: this.classStarts,
      rowClasses: this.rowClasses,
      rowWeights: this.rowWeights,
      bias: this.bias,
    };
  }

  /** Bytes the weights take in memory. */
  get weightBytes(): number {
    return (
      this.rowStarts.byteLength +
      this.classStarts.byteLength +
      this.rowClasses.byteLength +
      this.rowWeights.byteLength +
      this.bias.byteLength
    );
  }

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
    return SoftmaxClassifier.compress(stored, bias, classes, dimension, options.pruneBelow);
  }

  /** The probability of every class for this vector. */
  probabilities(x: SparseVector): Float64Array {
    const out = new Float64Array(this.classes);
    out.set(this.bias);
    for (let k = 0; k < x.indexes.length; k++) {
      const feature = x.indexes[k]!;
      const xv = x.values[k]!;
      const start = this.rowStarts[feature]!;
      const end = this.rowStarts[feature + 1]!;
      const classStart = this.classStarts[feature]!;
      if (classStart < 0) {
        for (let c = 0; c < this.classes; c++) out[c]! += this.rowWeights[start + c]! * xv;
      } else {
        for (let j = start; j < end; j++)
          out[this.rowClasses[classStart + j - start]!]! += this.rowWeights[j]! * xv;
      }
    }
    softmaxInPlace(out);
    return out;
  }

  /** Keeps each feature's row whole or as its kept weights with their classes, whichever is smaller. */
  private static compress(
    dense: Float32Array,
    bias: Float32Array,
    classes: number,
    dimension: number,
    pruneBelow: number,
  ): SoftmaxClassifier {
    const kept = (w: number) => w !== 0 && (w >= pruneBelow || w <= -pruneBelow);
    const counts = new Int32Array(dimension);
    let weights = 0;
    let indexed = 0;
    for (let feature = 0; feature < dimension; feature++) {
      let n = 0;
      for (let c = 0, row = feature * classes; c < classes; c++) if (kept(dense[row + c]!)) n++;
      counts[feature] = n;
      // A class index costs as much as a weight: listed, a row of n weights takes 2n.
      if (2 * n < classes) {
        weights += n;
        indexed += n;
      } else weights += classes;
    }
    const rowStarts = new Int32Array(dimension + 1);
    const classStarts = new Int32Array(dimension);
    const rowClasses = new Int32Array(indexed);
    const rowWeights = new Float32Array(weights);
    let w = 0;
    let k = 0;
    for (let feature = 0; feature < dimension; feature++) {
      rowStarts[feature] = w;
      const row = feature * classes;
      if (2 * counts[feature]! < classes) {
        classStarts[feature] = k;
        for (let c = 0; c < classes; c++) {
          const weight = dense[row + c]!;
          if (!kept(weight)) continue;
          rowClasses[k++] = c;
          rowWeights[w++] = weight;
        }
      } else {
        classStarts[feature] = -1;
        for (let c = 0; c < classes; c++) {
          const weight = dense[row + c]!;
          rowWeights[w++] = kept(weight) ? weight : 0;
        }
      }
    }
    rowStarts[dimension] = w;
    return new SoftmaxClassifier(classes, rowStarts, classStarts, rowClasses, rowWeights, bias);
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
