import { fillTemplate } from './template-text.js';

describe('fillTemplate', () => {
  it('fills each {{n}} with its value, leaving the empty ones to be filled', () => {
    expect(fillTemplate('Hello {{1}}, order {{2}} ships; {{1}}!', ['Inès', ' A-17 '])).toBe(
      'Hello Inès, order A-17 ships; Inès!',
    );
    expect(fillTemplate('Hello {{1}}, order {{2}}', ['Inès', ''])).toBe('Hello Inès, order {{2}}');
  });
});
