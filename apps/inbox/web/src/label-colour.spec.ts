import { contrastRatio, textColourOn } from './label-colour.js';

describe('a label chip’s text colour', () => {
  it('measures contrast as WCAG 2 does', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#ffffff', '#ffffff')).toBe(1);
    expect(contrastRatio('#2563eb', '#ffffff')).toBeCloseTo(5.17, 2);
  });

  it('picks black or white, whichever contrasts more with the label', () => {
    expect(textColourOn('#ffe58a')).toBe('#000');
    expect(textColourOn('#1d2330')).toBe('#fff');
    // The admin page's default colour: white on it is 3.68:1, a dark grey 4.28:1.
    expect(textColourOn('#3b82f6')).toBe('#000');
  });

  it('reaches 4.5:1 on every colour an admin can pick', () => {
    let worst = 21;
    for (let v = 0; v < 4096; v++) {
      const colour = `#${[v >> 8, (v >> 4) & 15, v & 15].map((x) => x.toString(16).repeat(2)).join('')}`;
      worst = Math.min(worst, contrastRatio(colour, textColourOn(colour) === '#000' ? '#000000' : '#ffffff'));
    }
    expect(worst).toBeGreaterThanOrEqual(4.5);
  });
});
