import type { SparseVector } from './sparse-vector.js';
import { runSteps, runStepsYielding, type Steps } from './stepwise.util.js';
import {
  DEFAULT_SOFTMAX_OPTIONS,
  SoftmaxClassifier,
  type SoftmaxClassifierData,
  type SoftmaxTrainingOptions,
} from './softmax-classifier.js';
import {
  DEFAULT_VECTORIZER_OPTIONS,
  TfidfVectorizer,
  type TfidfVectorizerData,
  type VectorizerOptions,
} from './tfidf-vectorizer.js';

/** What the matcher learns from: an article's id and the questions it answers. */
export interface MatcherArticle {
  readonly id: string;
  readonly questions: readonly string[];
}

export interface MatcherTrainingSet {
  readonly articles: readonly MatcherArticle[];
  /** Questions no article answers (optional): learnt as one more class, never answered. */
  readonly outOfScope?: readonly string[];
}

export interface MatcherOptions {
  readonly vectorizer: VectorizerOptions;
  readonly classifier: SoftmaxTrainingOptions;
}

export const DEFAULT_MATCHER_OPTIONS: MatcherOptions = {
  vectorizer: DEFAULT_VECTORIZER_OPTIONS,
  classifier: DEFAULT_SOFTMAX_OPTIONS,
};

/** The best article for a query and the model's probability that it is the right one. */
export interface ArticleMatch {
  readonly articleId: string;
  readonly confidence: number;
  /** Cosine similarity (0..1) of the query to the article's nearest example question. */
  readonly similarity: number;
  /** The same on content words only (function words left out): what a small base relies on. */
  readonly contentSimilarity: number;
}

/** A trained matcher as plain data: what a training worker thread posts back (structured clone). */
export interface MatcherData {
  readonly articleIds: readonly string[];
  readonly vectorizer: TfidfVectorizerData | null;
  readonly classifier: SoftmaxClassifierData | null;
  readonly resemblance: TfidfVectorizerData | null;
  readonly questionVectors: readonly (readonly SparseVector[])[];
  readonly contentVectors: readonly (readonly SparseVector[])[];
}

/** Features for resemblance to an example question (see `train`). */
const RESEMBLANCE_OPTIONS: VectorizerOptions = {
  ...DEFAULT_VECTORIZER_OPTIONS,
  charNgramMin: 3,
  skipStopWords: true,
};

/**
 * Matches a customer's question to the article that answers it: TF-IDF features (words, word
 * pairs, character n-grams) into a softmax classifier with one class per article, plus one for
 * out-of-scope questions when the training set has some. `confidence` is the classifier's
 * probability for the best article, so one threshold decides between answering and declining.
 * Pure computation: no I/O, trained in memory per workspace.
 */
export class Matcher {
  private constructor(
    private readonly articleIds: readonly string[],
    private readonly vectorizer: TfidfVectorizer | null,
    private readonly classifier: SoftmaxClassifier | null,
    private readonly resemblance: TfidfVectorizer | null = null,
    /** Each article's example questions as vectors, for the nearest-question similarities. */
    private readonly questionVectors: readonly (readonly SparseVector[])[] = [],
    private readonly contentVectors: readonly (readonly SparseVector[])[] = [],
  ) {}

  static train(set: MatcherTrainingSet, options: MatcherOptions = DEFAULT_MATCHER_OPTIONS): Matcher {
    return runSteps(Matcher.trainSteps(set, options));
  }

  /** The same training, letting the event loop through now and then: what a server uses. */
  static trainYielding(
    set: MatcherTrainingSet,
    options: MatcherOptions = DEFAULT_MATCHER_OPTIONS,
  ): Promise<Matcher> {
    return runStepsYielding(Matcher.trainSteps(set, options));
  }

  static *trainSteps(
    set: MatcherTrainingSet,
    options: MatcherOptions = DEFAULT_MATCHER_OPTIONS,
  ): Steps<Matcher> {
    const articles = set.articles.filter((a) => a.questions.some((q) => q.trim() !== ''));
    if (articles.length === 0) return new Matcher([], null, null);
    const texts: string[] = [];
    const labels: number[] = [];
    articles.forEach((article, label) => {
      for (const question of article.questions) {
        texts.push(question);
        labels.push(label);
      }
    });
    const outOfScope = set.outOfScope ?? [];
    for (const text of outOfScope) {
      texts.push(text);
      labels.push(articles.length);
    }
    // A single document can't tell features apart by frequency: keep every feature then.
    const minDocumentFrequency = texts.length < 20 ? 1 : options.vectorizer.minDocumentFrequency;
    const vectorizer = TfidfVectorizer.fit(texts, { ...options.vectorizer, minDocumentFrequency });
    const vectors: SparseVector[] = [];
    for (const text of texts) {
      vectors.push(vectorizer.transform(text));
      if (vectors.length % 500 === 0) yield;
    }
    // Even with no out-of-scope examples, keep a class that nothing is labelled with: with one
    // article the probabilities still have somewhere else to go.
    const classes = articles.length + 1;
    const classifier = yield* SoftmaxClassifier.trainSteps(
      vectors,
      labels,
      classes,
      vectorizer.dimension,
      options.classifier,
    );
    // Resemblance is also measured on content words and their longer n-grams only: with a small
    // base, "what" or "is" and their bigrams would make any question resemble some example.
    const resemblance = TfidfVectorizer.fit(texts, { ...RESEMBLANCE_OPTIONS, minDocumentFrequency: 1 });
    const questionVectors = articles.map((): SparseVector[] => []);
    const contentVectors = articles.map((): SparseVector[] => []);
    for (let n = 0; n < labels.length; n++) {
      questionVectors[labels[n]!]?.push(vectors[n]!);
      contentVectors[labels[n]!]?.push(resemblance.transform(texts[n]!));
      if (n % 500 === 499) yield;
    }
    return new Matcher(
      articles.map((a) => a.id),
      vectorizer,
      classifier,
      resemblance,
      questionVectors,
      contentVectors,
    );
  }

  static fromData(data: MatcherData): Matcher {
    return new Matcher(
      data.articleIds,
      data.vectorizer && TfidfVectorizer.fromData(data.vectorizer),
      data.classifier && SoftmaxClassifier.fromData(data.classifier),
      data.resemblance && TfidfVectorizer.fromData(data.resemblance),
      data.questionVectors,
      data.contentVectors,
    );
  }

  toData(): MatcherData {
    return {
      articleIds: this.articleIds,
      vectorizer: this.vectorizer?.toData() ?? null,
      classifier: this.classifier?.toData() ?? null,
      resemblance: this.resemblance?.toData() ?? null,
      questionVectors: this.questionVectors,
      contentVectors: this.contentVectors,
    };
  }

  /** Bytes the classifier's weights take (sparse: its non-zero weights only). */
  get weightBytes(): number {
    return this.classifier?.weightBytes ?? 0;
  }

  get articleCount(): number {
    return this.articleIds.length;
  }

  /** The best article and its confidence; null when the base is empty or no word is known. */
  match(query: string): ArticleMatch | null {
    if (this.vectorizer === null || this.classifier === null) return null;
    const vector = this.vectorizer.transform(query);
    if (vector.indexes.length === 0) return null;
    const probabilities = this.classifier.probabilities(vector);
    let best = 0;
    for (let c = 1; c < this.articleIds.length; c++) if (probabilities[c]! > probabilities[best]!) best = c;
    return {
      articleId: this.articleIds[best]!,
      confidence: probabilities[best]!,
      similarity: nearestSimilarity(vector, this.questionVectors[best] ?? []),
      contentSimilarity: this.resemblance
        ? nearestSimilarity(this.resemblance.transform(query), this.contentVectors[best] ?? [])
        : 0,
    };
  }
}

/** Both vectors have unit length: their dot product is their cosine. */
function nearestSimilarity(query: SparseVector, questions: readonly SparseVector[]): number {
  const weights = new Map<number, number>();
  for (let k = 0; k < query.indexes.length; k++) weights.set(query.indexes[k]!, query.values[k]!);
  let best = 0;
  for (const question of questions) {
    let dot = 0;
    for (let k = 0; k < question.indexes.length; k++)
      dot += (weights.get(question.indexes[k]!) ?? 0) * question.values[k]!;
    if (dot > best) best = dot;
  }
  return best;
}
