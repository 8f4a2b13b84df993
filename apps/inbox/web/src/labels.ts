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

export { textColourOn } from './label-colour.js';
