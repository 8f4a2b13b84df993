import {
  asksForPerson,
  decideAction,
  NEW_CONVERSATION,
  saysHelpful,
  saysNotHelpful,
  type MatchVerdict,
} from './bot-policy.js';

const answers = (articleId: string) => (): MatchVerdict => ({ kind: 'answer', articleId });
const declines = (): MatchVerdict => ({ kind: 'decline' });

describe('bot policy', () => {
  it('recognises a request for a person, as whole words', () => {
    for (const text of [
      'Can I talk to a human?',
      'AGENT please',
      'real person',
      'quiero un agente',
      'Mitarbeiter bitte',
    ])
      expect(asksForPerson(text)).toBe(true);
    for (const text of ['how do I reset my password', 'agentic workflows', 'personal data export'])
      expect(asksForPerson(text)).toBe(false);
  });

  it('recognises an answer that did not help', () => {
    for (const text of ['No', "that didn't help", 'Not helpful!', 'nope, wrong article', 'it does not help'])
      expect(saysNotHelpful(text)).toBe(true);
    for (const text of ['yes thanks', 'now how do I change my email', 'nothing else'])
      expect(saysNotHelpful(text)).toBe(false);
  });

  it('recognises a thank-you or a yes, but not a question after an ok', () => {
    for (const text of ['Yes, thanks!', 'thank you so much', 'ok', 'that helped', 'Perfect', 'got it'])
      expect(saysHelpful(text)).toBe(true);
    for (const text of ['ok how do I change my email', 'no', 'thanks but no', 'what is this'])
      expect(saysHelpful(text)).toBe(false);
  });

  it('tells each article what the customer said of it', () => {
    const answered = decideAction(NEW_CONVERSATION, 'reset password', answers('a'));
    expect(answered.feedback).toBeNull();
    const thanked = decideAction(answered.next, 'thanks!', declines);
    expect(thanked).toEqual({
      action: { kind: 'none' },
      next: answered.next,
      feedback: { articleId: 'a', helpful: true },
    });
    expect(decideAction(answered.next, 'no', declines).feedback).toEqual({ articleId: 'a', helpful: false });
    expect(decideAction(answered.next, 'reset password again', answers('a')).feedback).toEqual({
      articleId: 'a',
      helpful: false,
    });
    // Thanks before any answer is a message like any other.
    expect(decideAction(NEW_CONVERSATION, 'thanks', declines).action.kind).toBe('handoff');
  });

  it("recognises a short confirmation, the widget's buttons in every language, and not a new question", () => {
    for (const text of [
      'Yes',
      'yes thanks',
      'Yes, that answered my question',
      'Oui, merci',
      'Ja, danke',
      'Sí, gracias',
    ])
      expect(saysHelpful(text)).toBe(true);
    for (const text of ['yes thanks, now how do I change my email address', 'how do I say yes', 'No'])
      expect(saysHelpful(text)).toBe(false);
    for (const text of [
      "No, that didn't help",
      "Non, ça n'a pas aidé",
      'Nein, das hat nicht geholfen',
      'No, no me ayudó',
    ])
      expect(saysNotHelpful(text)).toBe(true);
  });

  it('takes a "yes" after an answer as thanks, not a question to hand off', () => {
    const answered = decideAction(NEW_CONVERSATION, 'reset password', answers('a')).next;
    expect(decideAction(answered, 'Yes, that answered my question', declines)).toEqual({
      action: { kind: 'none' },
      next: answered,
      feedback: { articleId: 'a', helpful: true },
    });
    // Before any answer, "yes" is a message like any other.
    expect(decideAction(NEW_CONVERSATION, 'yes', declines).action).toEqual({
      kind: 'handoff',
      reason: 'low_confidence',
    });
  });

  it('answers a question it matches', () => {
    const { action, next } = decideAction(NEW_CONVERSATION, 'reset password', answers('a'));
    expect(action).toEqual({ kind: 'answer', articleId: 'a' });
    expect(next).toEqual({ status: 'active', articleIds: ['a'], unhelpful: 0 });
  });

  it('hands off when the matcher declines', () => {
    expect(decideAction(NEW_CONVERSATION, 'something odd', declines)).toEqual({
      action: { kind: 'handoff', reason: 'low_confidence' },
      next: { ...NEW_CONVERSATION, status: 'handed_off' },
      feedback: null,
    });
  });

  it('hands off at once when asked for a person, without consulting the matcher', () => {
    let calls = 0;
    const match = () => {
      calls++;
      return answers('a')();
    };
    expect(decideAction(NEW_CONVERSATION, 'I want a human', match).action).toEqual({
      kind: 'handoff',
      reason: 'asked_for_person',
    });
    expect(calls).toBe(0);
  });

  it('hands off after two answers that did not help', () => {
    let state = decideAction(NEW_CONVERSATION, 'q1', answers('a')).next;
    const first = decideAction(state, 'no', answers('a'));
    expect(first.action).toEqual({ kind: 'none' });
    state = decideAction(first.next, 'q2 rephrased', answers('b')).next;
    expect(decideAction(state, "that didn't help", answers('b')).action).toEqual({
      kind: 'handoff',
      reason: 'not_helpful',
    });
  });

  it('counts the same article matched again as an answer that did not help', () => {
    let state = decideAction(NEW_CONVERSATION, 'q1', answers('a')).next;
    const again = decideAction(state, 'q1 again', answers('a'));
    expect(again.action).toEqual({ kind: 'answer', articleId: 'a' });
    state = again.next;
    expect(decideAction(state, 'q1 once more', answers('a')).action).toEqual({
      kind: 'handoff',
      reason: 'not_helpful',
    });
  });

  it('does nothing once handed off or silenced', () => {
    for (const status of ['handed_off', 'silenced'] as const)
      expect(decideAction({ ...NEW_CONVERSATION, status }, 'agent!', answers('a')).action).toEqual({
        kind: 'none',
      });
  });
});
