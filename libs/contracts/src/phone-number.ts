import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/min';

/**
 * How many normalizations `toE164` remembers, least recently used out first. Parsing is tens of
 * microseconds a number (libphonenumber-js was 0.8 s of channel-sms's CPU over ~5,500 webhooks
 * in bench:e2e, two numbers each) and the same customers and our own numbers come back again and
 * again; 10,000 short strings are a few MB at most.
 */
const CACHE_SIZE = 10_000;
/** Longer input is not a phone number anyone writes: parsed, not remembered (nobody fills the cache with it). */
const CACHEABLE_LENGTH = 64;
const cache = new Map<string, string | null>();

/**
 * The one normalization of phone addresses (E.164) that every channel and history use, so a
 * customer who texts from "+1 (415) 555-0100" and types "415-555-0100" on the web is one
 * identity. Returns null for what isn't a possible phone number. `isPossible`, not `isValid`:
 * numbering plans change faster than metadata, and a provider has already routed the number.
 * A pure function of its arguments, so the last CACHE_SIZE answers are remembered.
 */
export function toE164(raw: string, defaultCountry?: CountryCode): string | null {
  if (raw.length > CACHEABLE_LENGTH) return parse(raw, defaultCountry);
  // The country (or none), NUL, the input: a country code has no NUL, so keys never collide.
  const key = `${defaultCountry ?? ''}\u0000${raw}`;
  const known = cache.get(key);
  if (known !== undefined) {
    // Most recently used last: a Map iterates in insertion order, so its first key is the oldest.
    cache.delete(key);
    cache.set(key, known);
    return known;
  }
  const phone = parse(raw, defaultCountry);
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(key, phone);
  return phone;
}

function parse(raw: string, defaultCountry: CountryCode | undefined): string | null {
  const parsed = parsePhoneNumberFromString(raw.trim(), defaultCountry);
  return parsed?.isPossible() ? parsed.number : null;
}
