/** Per agent figures from their presence and assignments (plain, no I/O). */

export interface AgentFigures {
  handled: number;
  onlineMs: number;
  /** Conversation-milliseconds held while online. */
  loadMs: number;
  /** Milliseconds online holding at least one conversation. */
  busyMs: number;
  maxConcurrent: number;
}

type Span = readonly [number, number];

/** An agent held a conversation from `start` to `end` (ms). */
export interface HeldSpan {
  conversationId: string;
  start: number;
  end: number;
}

/** Intersection of two sorted lists of disjoint spans. */
export function intersect(a: readonly Span[], b: readonly Span[]): Span[] {
  const out: Span[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const from = Math.max(a[i]![0], b[j]![0]);
    const to = Math.min(a[i]![1], b[j]![1]);
    if (to > from) out.push([from, to]);
    if (a[i]![1] < b[j]![1]) i++;
    else j++;
  }
  return out;
}

/** Online spans in [from, to) from the presence before `from` and the changes in the range. */
export function onlineSpans(
  before: string | null,
  changes: readonly { presence: string; at: number }[],
  from: number,
  to: number,
): Span[] {
  const out: Span[] = [];
  let since: number | null = before === 'online' ? from : null;
  for (const c of [...changes].sort((x, y) => x.at - y.at)) {
    const at = Math.min(Math.max(c.at, from), to);
    if (c.presence === 'online') since ??= at;
    else if (since !== null) {
      if (at > since) out.push([since, at]);
      since = null;
    }
  }
  if (since !== null && to > since) out.push([since, to]);
  return out;
}

/**
 * Figures of one agent over `windows` (the online spans, cut to business hours when asked).
 * `assignments` are [start, end) of each time they held a conversation; `handled` counts the
 * conversations of those starting in [from, to).
 */
export function agentFigures(
  windows: readonly Span[],
  assignments: readonly HeldSpan[],
  from: number,
  to: number,
): AgentFigures {
  const changes: [number, number][] = [];
  const handled = new Set<string>();
  for (const { conversationId, start, end } of assignments) {
    if (start >= from && start < to) handled.add(conversationId);
    changes.push([start, 1], [end, -1]);
  }
  // Ends before starts at the same instant: a hand-over is not two at once.
  changes.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const steps: { at: number; load: number }[] = [];
  let load = 0;
  let maxConcurrent = 0;
  for (const [at, delta] of changes) {
    load += delta;
    if (at < to && at >= from) maxConcurrent = Math.max(maxConcurrent, load);
    steps.push({ at, load });
  }
  // A conversation held since before the range counts at its start.
  let atFrom = 0;
  for (const s of steps) if (s.at <= from) atFrom = s.load;
  maxConcurrent = Math.max(maxConcurrent, atFrom);
  let onlineMs = 0;
  let loadMs = 0;
  let busyMs = 0;
  for (const [wFrom, wTo] of windows) {
    onlineMs += wTo - wFrom;
    let current = 0;
    let cursor = wFrom;
    for (const s of steps) {
      if (s.at <= wFrom) {
        current = s.load;
        continue;
      }
      if (s.at >= wTo) break;
      loadMs += current * (s.at - cursor);
      if (current > 0) busyMs += s.at - cursor;
      cursor = s.at;
      current = s.load;
    }
    loadMs += current * (wTo - cursor);
    if (current > 0) busyMs += wTo - cursor;
  }
  return { handled: handled.size, onlineMs, loadMs, busyMs, maxConcurrent };
}
