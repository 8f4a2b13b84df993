import type { BusinessHours, Weekday } from './widget-settings.js';

const WEEKDAY_BY_SHORT: Record<string, Weekday> = {
  Mon: 'mon',
  Tue: 'tue',
  Wed: 'wed',
  Thu: 'thu',
  Fri: 'fri',
  Sat: 'sat',
  Sun: 'sun',
};

/** Whether `at` falls in an open interval of the workspace's week, in the workspace's time zone. */
export function isWithinBusinessHours(hours: BusinessHours | null, at: Date): boolean {
  if (hours === null) return true;
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: hours.timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const day = WEEKDAY_BY_SHORT[part('weekday')];
  if (day === undefined) return false;
  const local = `${part('hour')}:${part('minute')}`;
  return (hours.weekly[day] ?? []).some((interval) => interval.from <= local && local < interval.to);
}
