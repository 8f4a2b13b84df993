import { useCallback, useEffect, useState } from 'react';
import { type LabelView, api } from './api.js';

/**
 * The workspace's labels, loaded once per component that shows them, with a reload for after a
 * change, and whether they have been loaded yet (an empty state waits for it).
 */
export function useLabels(): [LabelView[], () => Promise<void>, boolean] {
  const [labels, setLabels] = useState<LabelView[] | null>(null);
  const reload = useCallback(async () => {
    const result = await api<{ labels: LabelView[] }>('GET', '/labels').catch(() => ({ labels: [] }));
    setLabels(result.labels);
  }, []);
  useEffect(() => void reload(), [reload]);
  return [labels ?? NONE, reload, labels !== null];
}
const NONE: LabelView[] = [];

/** Dark text on a light colour, white on a dark one. */
export function textColourOn(colour: string): string {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(colour.slice(i, i + 2), 16));
  return 0.299 * r! + 0.587 * g! + 0.114 * b! > 150 ? '#1d2330' : '#fff';
}
