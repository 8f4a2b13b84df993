/**
 * How much longer each chat takes while an agent holds several at once. `factors[k − 1]` is the
 * handle-time multiplier while k chats are held (1 at one chat). A chat's work (its handle time
 * alone, at an expert's speed) progresses at 1 ÷ factor(k) per second while its agent holds k, so
 * a chat's length depends on what else the agent took on during it, not only when it started.
 * Beyond the last point the curve continues with its last step, so more chats never come free.
 */
export interface ConcurrencyCurve {
  /** Where the curve came from, printed beside the figures. */
  readonly source: string;
  readonly factors: readonly number[];
}

/** One chat at a time, or chats that cost nothing extra: the model Erlang C assumes. */
export const FLAT_CURVE: ConcurrencyCurve = { source: 'flat (no slowdown)', factors: [1] };

/**
 * The simulator's default when no history is given: each of two chats takes 1.35× as long (an
 * agent answers 1.48× as many per hour as with one), three 1.75× (1.71×), four 2.2× (1.82×) —
 * diminishing returns, the shape reported for chat concurrency in practice. Replace it with the
 * workspace's own (`fitConcurrencyCurve`) where there is history.
 */
export const DEFAULT_CURVE: ConcurrencyCurve = {
  source: 'default assumption',
  factors: [1, 1.35, 1.75, 2.2],
};

export function slowdown(curve: ConcurrencyCurve, held: number): number {
  const f = curve.factors;
  if (held <= 1) return 1;
  if (held <= f.length) return f[held - 1]!;
  const last = f[f.length - 1]!;
  const step = f.length > 1 ? last - f[f.length - 2]! : 0;
  return last + step * (held - f.length);
}

/** Validates a curve: starts at 1, never decreases. */
export function concurrencyCurve(factors: readonly number[], source: string): ConcurrencyCurve {
  if (factors.length === 0 || factors[0] !== 1)
    throw new Error('a concurrency curve starts at 1 (one chat held: its own handle time)');
  for (let i = 1; i < factors.length; i++)
    if (!(Number.isFinite(factors[i]) && factors[i]! >= factors[i - 1]!))
      throw new Error(`a concurrency curve never decreases (${factors.join(', ')})`);
  return { source, factors: [...factors] };
}

/** `"1,1.3,1.7"` → a curve. */
export function parseConcurrencyCurve(text: string): ConcurrencyCurve {
  return concurrencyCurve(
    text.split(',').map((part) => Number(part.trim())),
    `given (${text})`,
  );
}

/**
 * A curve from history: the mean handle time of chats by how many the agent held at once, each
 * ÷ the mean at one. Where a count has too few chats (< `minimumSamples`) to say, the curve ends
 * before it; a dip (noise) is flattened so that the curve never decreases.
 */
export function fitConcurrencyCurve(
  records: readonly { readonly heldAtOnce: number; readonly handleSeconds: number }[],
  minimumSamples = 30,
): ConcurrencyCurve {
  const sums = new Map<number, { total: number; count: number }>();
  for (const r of records) {
    const k = Math.max(1, Math.round(r.heldAtOnce));
    const s = sums.get(k) ?? { total: 0, count: 0 };
    s.total += r.handleSeconds;
    s.count++;
    sums.set(k, s);
  }
  const single = sums.get(1);
  if (!single || single.count < minimumSamples)
    throw new Error(`fitting a concurrency curve needs ${minimumSamples} chats handled alone`);
  const base = single.total / single.count;
  const factors = [1];
  for (let k = 2; ; k++) {
    const s = sums.get(k);
    if (!s || s.count < minimumSamples) break;
    factors.push(Math.max(factors[k - 2]!, s.total / s.count / base));
  }
  return {
    source: `fitted from ${records.length} recorded chats`,
    factors: factors.map((f) => Math.round(f * 1000) / 1000),
  };
}

export function describeCurve(curve: ConcurrencyCurve): string {
  return `handle time × ${curve.factors.map((f) => f.toFixed(2)).join(', ')} with ${curve.factors
    .map((_, i) => i + 1)
    .join(', ')} chat(s) held — ${curve.source}`;
}
