import type { SparseVector } from './sparse-vector.js';
import { DEFAULT_FEATURE_OPTIONS, extractFeatures, type FeatureOptions } from './text-features.util.js';

export interface VectorizerOptions extends FeatureOptions {
  /** A feature seen in fewer training texts than this is dropped (noise, and memory). */
  readonly minDocumentFrequency: number;
  /** Weight of the character n-gram block against the word block, each L2-normalised first. */
  readonly charWeight: number;
}

/** A fitted vectorizer as plain data (structured-clone safe). */
export interface TfidfVectorizerData {
  readonly options: VectorizerOptions;
  readonly index: ReadonlyMap<string, number>;
  readonly idf: Float32Array;
}

export const DEFAULT_VECTORIZER_OPTIONS: VectorizerOptions = {
  ...DEFAULT_FEATURE_OPTIONS,
  minDocumentFrequency: 2,
  charWeight: 1,
};

/**
 * TF-IDF over the features of text-features.util: sublinear term frequency, smoothed idf; the
 * word block (words and pairs) and the character block are normalised apart, so a long word's
 * many n-grams don't drown the words, then the whole vector has unit length.
 */
export class TfidfVectorizer {
  private constructor(
    private readonly options: VectorizerOptions,
    private readonly index: ReadonlyMap<string, number>,
    private readonly idf: Float32Array,
  ) {}

  static fit(
    texts: readonly string[],
    options: VectorizerOptions = DEFAULT_VECTORIZER_OPTIONS,
  ): TfidfVectorizer {
    const documentFrequency = new Map<string, number>();
    for (const text of texts) {
      for (const key of extractFeatures(text, options).keys()) {
        documentFrequency.set(key, (documentFrequency.get(key) ?? 0) + 1);
      }
    }
    const index = new Map<string, number>();
    const idf: number[] = [];
    for (const [key, df] of documentFrequency) {
      if (df < options.minDocumentFrequency) continue;
      index.set(key, idf.length);
      idf.push(Math.log((texts.length + 1) / (df + 1)) + 1);
    }
    return new TfidfVectorizer(options, index, Float32Array.from(idf));
  }

  static fromData(data: TfidfVectorizerData): TfidfVectorizer {
    return new TfidfVectorizer(data.options, data.index, data.idf);
  }

  toData(): TfidfVectorizerData {
    return { options: this.options, index: this.index, idf: this.idf };
  }

  get dimension(): number {
    return this.idf.length;
  }

  transform(text: string): SparseVector {
    const word: [number, number][] = [];
    const char: [number, number][] = [];
    for (const [key, count] of extractFeatures(text, this.options)) {
      const i = this.index.get(key);
      if (i === undefined) continue;
      (key.startsWith('c:') ? char : word).push([i, (1 + Math.log(count)) * this.idf[i]!]);
    }
    const blocks: [[number, number][], number][] = [
      [word, 1],
      [char, this.options.charWeight],
    ];
    let total = 0;
    for (const [entries, weight] of blocks) {
      const norm = Math.sqrt(entries.reduce((sum, [, v]) => sum + v * v, 0));
      if (norm === 0) continue;
      for (const entry of entries) entry[1] = (entry[1] / norm) * weight;
      total += weight * weight;
    }
    const all = [...word, ...char];
    const scale = total > 0 ? 1 / Math.sqrt(total) : 0;
    return {
      indexes: Int32Array.from(all, ([i]) => i),
      values: Float32Array.from(all, ([, v]) => v * scale),
    };
  }
}
