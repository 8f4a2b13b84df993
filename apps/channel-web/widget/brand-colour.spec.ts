import { textOnBrand } from './brand-colour.js';

describe('text on the widget’s colour', () => {
  it('stays white on the default blue and dark colours, black on light ones', () => {
    expect(textOnBrand('#2563eb')).toBe('#fff');
    expect(textOnBrand('#111827')).toBe('#fff');
    expect(textOnBrand('#3b82f6')).toBe('#000');
    expect(textOnBrand('#fde68a')).toBe('#000');
    expect(textOnBrand('#FFFFFF')).toBe('#000');
  });
});
