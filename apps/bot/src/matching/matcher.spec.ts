import { DEFAULT_MATCHER_OPTIONS, Matcher, type MatcherTrainingSet } from './matcher.js';

const base: MatcherTrainingSet = {
  articles: [
    {
      id: 'reset-password',
      questions: [
        'how do I reset my password',
        'I forgot my password',
        'cannot log in, password does not work',
        'change my password please',
        'password reset link',
      ],
    },
    {
      id: 'shipping-time',
      questions: [
        'how long does shipping take',
        'when will my order arrive',
        'delivery time for my package',
        'where is my parcel',
        'how many days until my order is delivered',
      ],
    },
    {
      id: 'refund',
      questions: [
        'can I get a refund',
        'I want my money back',
        'how do refunds work',
        'return an item for a refund',
        'refund policy',
      ],
    },
    {
      id: 'opening-hours',
      questions: [
        'what are your opening hours',
        'when are you open',
        'are you open on sunday',
        'what time do you close',
        'business hours',
      ],
    },
  ],
  outOfScope: ['what is the weather tomorrow', 'tell me a joke', 'who won the football game'],
};

describe('Matcher', () => {
  const matcher = Matcher.train(base);

  it.each([
    ['How can I reset my password?', 'reset-password'],
    ['i forgot my pasword', 'reset-password'], // typo
    ['resetting passwords', 'reset-password'], // word forms
    ['when does my order arrive?', 'shipping-time'],
    ['how long will shiping take', 'shipping-time'],
    ['I would like a refund', 'refund'],
    ['refunds', 'refund'],
    ['Are you opened on Sundays?', 'opening-hours'],
  ])('answers %j with %s', (query, article) => {
    expect(matcher.match(query)?.articleId).toBe(article);
  });

  it('is more confident on a known phrasing than on an unrelated question', () => {
    const known = matcher.match('how do I reset my password')!;
    const unrelated = matcher.match('tell me a joke about the weather')!;
    expect(known.confidence).toBeGreaterThan(0.5);
    expect(unrelated.confidence).toBeLessThan(known.confidence / 2);
  });

  it('measures how much the query resembles the article’s nearest question', () => {
    expect(matcher.match('how do I reset my password')!.similarity).toBeCloseTo(1, 5);
    expect(matcher.match('reset')!.similarity).toBeLessThan(0.8);
    const single = Matcher.train({ articles: [base.articles[2]!] });
    expect(single.match('Wie ist das Wetter morgen in Berlin?')?.similarity ?? 0).toBeLessThan(0.2);
  });

  it('finds no resemblance in a question that shares only function words with the examples', () => {
    expect(matcher.match('what is the capital of france')!.contentSimilarity).toBeLessThan(0.2);
    expect(matcher.match('how do I reset my password')!.contentSimilarity).toBeGreaterThan(0.9);
    expect(matcher.match('how do I reset my pasword')!.contentSimilarity).toBeGreaterThan(0.5);
  });

  it('returns a probability', () => {
    const match = matcher.match('refund please')!;
    expect(match.confidence).toBeGreaterThan(0);
    expect(match.confidence).toBeLessThanOrEqual(1);
  });

  it('matches nothing in a query with no known feature (another script, empty text)', () => {
    expect(matcher.match('Где мой заказ?')).toBeNull();
    expect(matcher.match('   ')).toBeNull();
  });

  it('matches nothing with an empty base or articles without questions', () => {
    expect(Matcher.train({ articles: [] }).match('reset password')).toBeNull();
    const hollow = Matcher.train({ articles: [{ id: 'a', questions: ['  '] }] });
    expect(hollow.articleCount).toBe(0);
    expect(hollow.match('reset password')).toBeNull();
  });

  it('skips articles without questions and keeps the others', () => {
    const m = Matcher.train({ articles: [{ id: 'empty', questions: [] }, ...base.articles] });
    expect(m.articleCount).toBe(4);
    expect(m.match('refund policy')?.articleId).toBe('refund');
  });

  it('does not answer a lone article with certainty for an unrelated question', () => {
    const single = Matcher.train({ articles: [base.articles[0]!] });
    expect(single.match('reset password')!.confidence).toBeGreaterThan(
      single.match('when are you open on sunday')?.confidence ?? 0,
    );
  });

  it('matches as well when trained against candidate classes (the large-base mode)', () => {
    const sampled = Matcher.train(base, {
      ...DEFAULT_MATCHER_OPTIONS,
      classifier: { ...DEFAULT_MATCHER_OPTIONS.classifier, fullSoftmaxMaxClasses: 2, candidates: 2 },
    });
    expect(sampled.match('i forgot my pasword')?.articleId).toBe('reset-password');
    expect(sampled.match('when does my order arrive?')?.articleId).toBe('shipping-time');
    expect(sampled.match('I would like a refund')?.articleId).toBe('refund');
    expect(sampled.match('Are you opened on Sundays?')?.articleId).toBe('opening-hours');
  });

  it('trains the same model when it lets the event loop through', async () => {
    const yielding = await Matcher.trainYielding(base);
    expect(yielding.match('when are you open')).toEqual(matcher.match('when are you open'));
  });

  it('trains deterministically', () => {
    const again = Matcher.train(base);
    expect(again.match('when are you open')).toEqual(matcher.match('when are you open'));
  });

  it('crosses a thread boundary as plain data and matches the same (what the training worker posts)', () => {
    const copy = Matcher.fromData(structuredClone(matcher.toData()));
    for (const query of ['when are you open', 'refund plz', 'where is my parcel', 'zzz'])
      expect(copy.match(query)).toEqual(matcher.match(query));
    expect(copy.weightBytes).toBe(matcher.weightBytes);
  });
});
