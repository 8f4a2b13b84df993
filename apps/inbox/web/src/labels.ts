import { useCallback, useEffect, useState } from 'react';
import { type LabelView, api } from './api.js';

/** The workspace's labels, loaded once per component that shows them, with a reload for after a change. */
export function useLabels(): [LabelView[], () => Promise<void>] {
  const [labels, setLabels] = useState<LabelView[]>([]);
  const reload = useCallback(async () => {
    const result = await api<{ labels: LabelView[] }>('GET', '/labels').catch(() => ({ labels: [] }));
    setLabels(result.labels);
  }, []);
  useEffect(() => void reload(), [reload]);
  return [labels, reload];
}

export { textColourOn } from './label-colour.js';
