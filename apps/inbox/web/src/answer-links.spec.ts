import { answerParts } from './answer-links.js';

describe('answerParts', () => {
  it('makes http(s) URLs links and leaves the rest as text', () => {
    expect(answerParts('See https://example.com/returns?x=1, or call us.')).toEqual([
      { kind: 'text', text: 'See ' },
      { kind: 'link', text: 'https://example.com/returns?x=1', href: 'https://example.com/returns?x=1' },
      { kind: 'text', text: ', or call us.' },
    ]);
  });

  it('never links another scheme, and keeps markup as text', () => {
    const answer = 'javascript:alert(1) <a href="javascript:alert(2)">x</a> data:text/html,<b>hi</b>';
    expect(answerParts(answer)).toEqual([{ kind: 'text', text: answer }]);
  });

  it('stops a URL before quotes and angle brackets', () => {
    const parts = answerParts('<a href="https://evil.example/"onmouseover=x>');
    expect(parts.filter((p) => p.kind === 'link')).toEqual([
      { kind: 'link', text: 'https://evil.example/', href: 'https://evil.example/' },
    ]);
    expect(parts.map((p) => p.text).join('')).toBe('<a href="https://evil.example/"onmouseover=x>');
  });

  it('keeps text without links whole', () => {
    expect(answerParts('')).toEqual([]);
    expect(answerParts('Plain answer.')).toEqual([{ kind: 'text', text: 'Plain answer.' }]);
  });
});
