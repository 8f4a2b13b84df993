import { detectSmsKeyword } from './sms-keyword.util.js';

describe('detectSmsKeyword', () => {
  it('recognizes the keywords alone, whatever their case and trailing punctuation', () => {
    expect(detectSmsKeyword('STOP')).toEqual({ kind: 'opt-out', keyword: 'STOP' });
    expect(detectSmsKeyword('  stop. ')).toEqual({ kind: 'opt-out', keyword: 'STOP' });
    expect(detectSmsKeyword('Unsubscribe!')).toEqual({ kind: 'opt-out', keyword: 'UNSUBSCRIBE' });
    expect(detectSmsKeyword('stop all')).toEqual({ kind: 'opt-out', keyword: 'STOPALL' });
    expect(detectSmsKeyword('Start')).toEqual({ kind: 'opt-in', keyword: 'START' });
    expect(detectSmsKeyword('unstop')).toEqual({ kind: 'opt-in', keyword: 'UNSTOP' });
    expect(detectSmsKeyword('help?')).toEqual({ kind: 'help', keyword: 'HELP' });
  });

  it('leaves ordinary messages alone', () => {
    for (const body of ['please stop by tomorrow', 'help me with my order', 'stopping', '', null])
      expect(detectSmsKeyword(body)).toBeNull();
  });
});
