/** A cell of an exported table: text, a figure, or nothing (an undefined figure). */
export type CsvCell = string | number | null;

// A spreadsheet runs a cell that starts with one of these as a formula (CSV injection): text that
// does is prefixed with an apostrophe, which shows it as typed. Tab and carriage return too, as
// some spreadsheets strip them and read what follows.
const FORMULA_START = /^[=+\-@\t\r]/;

function field(cell: CsvCell): string {
  if (cell === null) return '';
  // Figures are ours and stay numbers (a negative figure is not a formula).
  if (typeof cell === 'number') return Number.isFinite(cell) ? String(cell) : '';
  const text = FORMULA_START.test(cell) ? `'${cell}` : cell;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * RFC 4180 CSV (CRLF lines, quoted fields where needed, quotes doubled), with a byte-order mark so
 * spreadsheets read it as UTF-8, and text cells guarded against formula injection.
 */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  return '\ufeff' + [header, ...rows].map((row) => row.map(field).join(',')).join('\r\n') + '\r\n';
}
