/** The longest range reporting answers (docs/reports.md). */
export const MAX_RANGE_DAYS = 400;

/** Today's date (`YYYY-MM-DD`) on the workspace's clock. */
export function todayIn(timeZone: string, now = new Date()): string {
  // en-CA formats dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);
}

/** A calendar date `days` later (or earlier): no time zone involved. */
export function addDays(date: string, days: number): string {
  const [y = 0, m = 1, d = 1] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** Days from `from` to `to`, both dates. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/**
 * The page's range is inclusive (from the first day to the last day shown); reporting's `to` is
 * excluded. Null and a reason when the range is not one reporting answers.
 */
export function reportRange(
  firstDay: string,
  lastDay: string,
): { from: string; to: string } | { error: string } {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(firstDay) || !/^\d{4}-\d{2}-\d{2}$/.test(lastDay))
    return { error: 'Choose both dates.' };
  const days = daysBetween(firstDay, lastDay) + 1;
  if (days < 1) return { error: 'The last day is before the first.' };
  if (days > MAX_RANGE_DAYS) return { error: `At most ${MAX_RANGE_DAYS} days at a time.` };
  return { from: firstDay, to: addDays(lastDay, 1) };
}
