import { luhnValid, maskCardNumbers } from './card-number-mask.util.js';

describe('maskCardNumbers', () => {
  it('keeps the first 6 and last 4 digits of a Luhn-valid number, in any grouping', () => {
    expect(maskCardNumbers('my card is 4111111111111111 thanks')).toBe('my card is 411111******1111 thanks');
    expect(maskCardNumbers('4111 1111 1111 1111')).toBe('411111******1111');
    expect(maskCardNumbers('5500-0000-0000-0004')).toBe('550000******0004');
    expect(maskCardNumbers('amex 3782 822463 10005')).toBe('amex 378282*****0005');
  });

  it('finds a card number beside other numbers in the same run', () => {
    expect(maskCardNumbers('4111 1111 1111 1111 1227 cvc 123')).toBe('411111******1111 1227 cvc 123');
    expect(maskCardNumbers('order 12 4111111111111111')).toBe('order 12 411111******1111');
  });

  it('leaves numbers alone that are not card numbers', () => {
    expect(maskCardNumbers('4111111111111112')).toBe('4111111111111112'); // fails Luhn
    expect(maskCardNumbers('call 415 555 0100')).toBe('call 415 555 0100'); // too short
    expect(maskCardNumbers('order #1234, 2 items')).toBe('order #1234, 2 items');
    expect(maskCardNumbers('no digits')).toBe('no digits');
  });

  it('masks several numbers in one text', () => {
    expect(maskCardNumbers('4111111111111111 or 5500000000000004')).toBe(
      '411111******1111 or 550000******0004',
    );
  });

  it('implements Luhn', () => {
    expect(luhnValid('79927398713')).toBe(true);
    expect(luhnValid('79927398710')).toBe(false);
  });
});
