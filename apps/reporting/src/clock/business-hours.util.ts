import type { WorkspaceClock } from '@switchboard/contracts';
import { instantOfLocal, localWallMs } from './local-time.util.js';

const DAY_MS = 86_400_000;
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

function minutes(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

/**
 * The workspace's open intervals (instants, ms) that meet [startMs, endMs), in order. With no
 * business hours the whole span is open.
 */
export function openIntervals(clock: WorkspaceClock, startMs: number, endMs: number): [number, number][] {
  if (endMs <= startMs) return [];
  const hours = clock.businessHours;
  if (hours === null) return [[startMs, endMs]];
  const out: [number, number][] = [];
  // From the local day before the start to the local day after the end, so that zones and
  // daylight-saving shifts never leave an interval out.
  const firstDay = Math.floor(localWallMs(startMs, clock.timeZone) / DAY_MS) * DAY_MS - DAY_MS;
  const lastDay = Math.floor(localWallMs(endMs, clock.timeZone) / DAY_MS) * DAY_MS + DAY_MS;
  for (let day = firstDay; day <= lastDay; day += DAY_MS) {
    const weekday = WEEKDAYS[new Date(day).getUTCDay()]!;
    for (const interval of hours[weekday] ?? []) {
      const from = Math.max(startMs, instantOfLocal(day + minutes(interval.from) * 60_000, clock.timeZone));
      const to = Math.min(endMs, instantOfLocal(day + minutes(interval.to) * 60_000, clock.timeZone));
      if (to > from) out.push([from, to]);
    }
  }
  return out.sort((a, b) => a[0] - b[0]);
}

/** Milliseconds of [startMs, endMs) inside business hours. */
export function businessMsBetween(clock: WorkspaceClock, startMs: number, endMs: number): number {
  let total = 0;
  for (const [from, to] of openIntervals(clock, startMs, endMs)) total += to - from;
  return total;
}

/** Whether the instant falls in business hours. */
export function isOpenAt(clock: WorkspaceClock, atMs: number): boolean {
  return businessMsBetween(clock, atMs, atMs + 1) === 1;
}
