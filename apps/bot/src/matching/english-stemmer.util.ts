/**
 * A light English stemmer: folds the inflections a customer's question varies most (plurals,
 * -ing, -ed, -ly, a final e) so that "cancelled my bookings" and "cancel booking" share words.
 * Deliberately lighter than Porter: the matcher's character n-grams already cover derivations
 * and typos, and an over-eager stemmer merges words the knowledge base keeps apart.
 */
const VOWEL = /[aeiouy]/;
const UNDOUBLED = /([bcdfghjkmnpqrtvwx])\1$/;

export function stemEnglish(word: string): string {
  if (word.length <= 3 || !/^[a-z]+$/.test(word)) return word;
  let w = word;
  if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.endsWith('ies') && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (/(?:ch|sh|x|z|ss)es$/.test(w)) w = w.slice(0, -2);
  else if (w.endsWith('s') && !/(?:ss|us|is)$/.test(w)) w = w.slice(0, -1);

  if (w.endsWith('ied') && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith('ing') && w.length > 5 && VOWEL.test(w.slice(0, -3))) w = undouble(w.slice(0, -3));
  else if (w.endsWith('ed') && w.length > 4 && VOWEL.test(w.slice(0, -2))) w = undouble(w.slice(0, -2));
  else if (w.endsWith('ly') && w.length > 5) w = w.slice(0, -2);

  if (w.endsWith('e') && w.length > 3) w = w.slice(0, -1);
  return w;
}

function undouble(stem: string): string {
  return UNDOUBLED.test(stem) ? stem.slice(0, -1) : stem;
}
