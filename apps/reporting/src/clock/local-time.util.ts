/** Wall-clock arithmetic in an IANA time zone, with Intl only (daylight saving included). */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The local wall time of an instant, as if it were UTC (ms). */
export function localWallMs(instantMs: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(instantMs))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const ms = instantMs - Math.floor(instantMs / 1000) * 1000;
  return Date.UTC(parts.year!, parts.month! - 1, parts.day, parts.hour, parts.minute, parts.second) + ms;
}

/**
 * The instant a local wall time (given as if UTC, ms) happens in the zone. A time skipped by a
 * spring-forward gap reads as far past it (02:30 → 03:30); one repeated in autumn as its first.
 */
export function instantOfLocal(wallMs: number, timeZone: string): number {
  let guess = wallMs - (localWallMs(wallMs, timeZone) - wallMs);
  for (let i = 0; i < 2; i++) {
    const offset = localWallMs(guess, timeZone) - guess;
    const next = wallMs - offset;
    if (next === guess) break;
    guess = next;
  }
  if (localWallMs(guess, timeZone) !== wallMs) {
    // In a spring-forward gap: read with the offset before it, which lands as far past the gap.
    const before = guess - 3 * 3_600_000;
    return wallMs - (localWallMs(before, timeZone) - before);
  }
  // Of two instants that show this wall time, the earlier one.
  const earlier = guess - 3_600_000;
  if (localWallMs(earlier, timeZone) === wallMs) return earlier;
  return guess;
}

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?$/;

/** `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM` as a wall time (ms, as if UTC); null when malformed. */
export function parseLocal(text: string): number | null {
  const m = LOCAL.exec(text);
  if (m === null) return null;
  const wall = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +(m[4] ?? 0), +(m[5] ?? 0));
  const d = new Date(wall);
  if (d.getUTCDate() !== +m[3]! || d.getUTCMonth() !== +m[2]! - 1) return null;
  if (+(m[4] ?? 0) > 23 || +(m[5] ?? 0) > 59) return null;
  return wall;
}
