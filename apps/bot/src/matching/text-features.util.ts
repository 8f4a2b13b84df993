import { stemEnglish } from './english-stemmer.util.js';

/**
 * Text → the sparse features the matcher weighs: stemmed words, stemmed word pairs (word order:
 * "transfer to savings" vs "transfer from savings"), and character n-grams of each word with
 * its boundaries marked (typos and unknown word forms still share most of their n-grams).
 */
export interface FeatureOptions {
  readonly charNgramMin: number;
  readonly charNgramMax: number;
  readonly crossWordNgrams?: boolean;
  /** Leave out English function words ("what", "is", "my"): for resemblance, not for classifying. */
  readonly skipStopWords?: boolean;
}

// Function words a question shares with almost any other question.
const STOP_WORDS = new Set(
  (
    'a an the and or but if of to in on at by for from with about into over after before is are was were be been ' +
    'being am do does did doing have has had having i me my mine we us our you your yours he him his she her it ' +
    'its they them their what which who whom whose this that these those can could would should will shall may ' +
    'might must how when where why there here not no yes so than too very just also please hi hello hey thanks ' +
    'thank want need like get got tell know let lets im ive id dont cant wont isnt arent'
  ).split(' '),
);

export const DEFAULT_FEATURE_OPTIONS: FeatureOptions = { charNgramMin: 2, charNgramMax: 5 };

/** Lower case, accents folded, apostrophes joined ("don't" → "dont"), other punctuation a space. */
export function normalizeText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/['’`]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

export function wordsOf(text: string): string[] {
  const normalized = normalizeText(text);
  return normalized === '' ? [] : normalized.split(' ');
}

/** Counts of the text's features, keyed by a prefixed string ("w:", "b:", "c:"). */
export function extractFeatures(
  text: string,
  options: FeatureOptions = DEFAULT_FEATURE_OPTIONS,
): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
  const words = options.skipStopWords ? wordsOf(text).filter((w) => !STOP_WORDS.has(w)) : wordsOf(text);
  const stems = words.map(stemEnglish);
  for (let i = 0; i < stems.length; i++) {
    add(`w:${stems[i]!}`);
    if (i > 0) add(`b:${stems[i - 1]!} ${stems[i]!}`);
  }
  if (options.crossWordNgrams) {
    const padded = ` ${words.join(' ')} `;
    for (let start = 0; start + 4 <= padded.length; start++) {
      const gram = padded.slice(start, start + 4);
      if (gram.slice(1, 3).includes(' ')) add(`x:${gram}`);
    }
  }
  for (const word of words) {
    const padded = ` ${word} `;
    for (let n = options.charNgramMin; n <= options.charNgramMax; n++) {
      for (let start = 0; start + n <= padded.length; start++) add(`c:${padded.slice(start, start + n)}`);
    }
  }
  return counts;
}
