import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/min';

/**
 * The one normalization of phone addresses (E.164) that every channel and history use, so a
 * customer who texts from "+1 (415) 555-0100" and types "415-555-0100" on the web is one
 * identity. Returns null for what isn't a possible phone number. `isPossible`, not `isValid`:
 * numbering plans change faster than metadata, and a provider has already routed the number.
 */
export function toE164(raw: string, defaultCountry?: CountryCode): string | null {
  const parsed = parsePhoneNumberFromString(raw.trim(), defaultCountry);
  return parsed?.isPossible() ? parsed.number : null;
}
