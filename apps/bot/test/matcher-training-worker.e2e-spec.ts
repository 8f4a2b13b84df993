import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { MatcherTrainingSet } from '../src/matching/matcher.js';

type TrainingModule = typeof import('../src/matching/matcher-training.util.js');

/** The built module (`npm run build`): only compiled code can start the worker thread. */
const BUILT = new URL('../../../dist/apps/bot/src/matching/matcher-training.util.js', import.meta.url);

/** A base large enough for the candidate-sampled training (over 200 articles): words drawn per article. */
function syntheticBase(articles: number, questions: number): MatcherTrainingSet {
  let seed = 7;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const syllables = ['ka', 'lo', 'mi', 'ru', 'te', 'sa', 'no', 'vi', 'pe', 'zu', 'ga', 'fo'];
  const word = () =>
    Array.from({ length: 3 }, () => syllables[Math.floor(random() * syllables.length)]).join('');
  const common = Array.from({ length: 40 }, word);
  return {
    articles: Array.from({ length: articles }, (_, a) => {
      const own = Array.from({ length: 4 }, word);
      return {
        id: `article-${a}`,
        questions: Array.from({ length: questions }, () =>
          [
            own[Math.floor(random() * 4)],
            common[Math.floor(random() * 40)],
            own[Math.floor(random() * 4)],
          ].join(' '),
        ),
      };
    }),
  };
}

/**
 * Item 2 of issue 16 on the built code: a workspace's matcher trains in a worker thread (the bot's
 * event loop keeps turning meanwhile) into the same model as training in the thread, kept with
 * sparse weights.
 */
describe('the matcher trains in a worker thread, with sparse weights', () => {
  let training: TrainingModule;

  beforeAll(async () => {
    if (!existsSync(fileURLToPath(BUILT))) throw new Error('run `npm run build` first (npm test does)');
    training = (await import(BUILT.href)) as TrainingModule;
  });

  it('keeps the event loop free while training, and gives the model training in the thread gives', async () => {
    const set = syntheticBase(300, 8);
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 20);
    const started = Date.now();
    const offThread = await training.trainMatcherOffThread(set, true);
    const elapsed = Date.now() - started;
    clearInterval(ticker);
    // In the thread, not one tick could run until training ended.
    expect(ticks).toBeGreaterThan(Math.min(5, elapsed / 200));

    const inThread = training.trainMatcher(set, true);
    expect(offThread.threshold).toBe(inThread.threshold);
    const queries = set.articles.flatMap((a) => a.questions.slice(0, 2));
    for (const query of queries)
      expect(offThread.matcher.match(query)).toEqual(inThread.matcher.match(query));

    // Sparse where that is smaller: below the dense features × classes array of 4-byte weights.
    const data = offThread.matcher.toData();
    const dense = data.vectorizer!.idf.length * data.classifier!.classes * 4;
    expect(offThread.matcher.weightBytes).toBeLessThan(dense);
    expect(data.classifier!.classStarts.some((start) => start >= 0)).toBe(true);
  }, 180_000);
});
