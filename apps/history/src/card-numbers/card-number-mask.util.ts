/**
 * PCI DSS 3.4.1 (a card number shown masked, at most its first six and last four digits), applied as
 * customer-messaging products such as Zendesk apply it to message text: a Luhn-valid run of
 * 12–19 digits, with spaces or dashes allowed between groups, keeps its first 6 and last 4 digits;
 * the rest never reaches storage, the log or another service.
 */
const DIGIT_RUN = /\d+(?:[ -]\d+)*/g;
const MIN_DIGITS = 12;
const MAX_DIGITS = 19;

export function maskCardNumbers(text: string): string {
  if (!/\d{4}/.test(text)) return text;
  return text.replace(DIGIT_RUN, maskRun);
}

export function maskCardNumbersOrNull(text: string | null): string | null {
  return text === null ? null : maskCardNumbers(text);
}

/**
 * A run of digit groups may hold a card number beside other numbers ("4111 1111 1111 1111 12/27"
 * is one run): every span of whole groups is tried, longest first, from each group on.
 */
function maskRun(run: string): string {
  const groups = run.split(/([ -])/);
  // groups: digits, separator, digits, separator, …
  const digitGroups: string[] = [];
  const separators: string[] = [];
  groups.forEach((part, i) => (i % 2 === 0 ? digitGroups.push(part) : separators.push(part)));
  const out: string[] = [];
  let i = 0;
  while (i < digitGroups.length) {
    let matched = -1;
    for (let j = digitGroups.length - 1; j >= i; j--) {
      const digits = digitGroups.slice(i, j + 1).join('');
      if (digits.length >= MIN_DIGITS && digits.length <= MAX_DIGITS && luhnValid(digits)) {
        matched = j;
        break;
      }
    }
    if (matched >= 0) {
      const digits = digitGroups.slice(i, matched + 1).join('');
      out.push(`${digits.slice(0, 6)}${'*'.repeat(digits.length - 10)}${digits.slice(-4)}`);
      if (matched < separators.length) out.push(separators[matched]!);
      i = matched + 1;
    } else {
      out.push(digitGroups[i]!);
      if (i < separators.length) out.push(separators[i]!);
      i += 1;
    }
  }
  return out.join('');
}

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}
