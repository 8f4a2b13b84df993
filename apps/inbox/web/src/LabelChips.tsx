import { type LabelView } from './api.js';
import { textColourOn } from './labels.js';

/** Labels by id, as coloured chips; ids of labels deleted since are left out. */
export function LabelChips({
  ids,
  labels,
  onRemove,
}: {
  ids: readonly string[] | undefined;
  labels: readonly LabelView[];
  onRemove?: (id: string) => void;
}) {
  const shown = (ids ?? []).flatMap((id) => labels.filter((l) => l.id === id));
  if (shown.length === 0) return null;
  return (
    <span className="label-chips">
      {shown.map((label) => (
        <span
          key={label.id}
          className="label-chip"
          style={{ background: label.colour, color: textColourOn(label.colour) }}
        >
          {label.name}
          {onRemove && (
            <button
              type="button"
              aria-label={`Remove label ${label.name}`}
              onClick={() => onRemove(label.id)}
            >
              ×
            </button>
          )}
        </span>
      ))}
    </span>
  );
}

/**
 * The labels on a conversation or a customer, with a picker to add one and × to take one off. In
 * the inbox the picker is reached by L (the conversation's) or Shift+L (the customer's).
 */
export function LabelEditor({
  what,
  ids,
  labels,
  onChange,
}: {
  /** `conversation` and `customer` in the inbox, `contact` on the contact's profile. */
  what: 'conversation' | 'customer' | 'contact';
  ids: readonly string[] | undefined;
  labels: readonly LabelView[];
  onChange: (ids: string[]) => Promise<void>;
}) {
  const current = ids ?? [];
  const available = labels.filter((l) => !current.includes(l.id));
  return (
    <span className="label-editor" role="group" aria-label={`${what} labels`}>
      <LabelChips
        ids={current}
        labels={labels}
        onRemove={(id) => void onChange(current.filter((x) => x !== id))}
      />
      {available.length > 0 && (
        <select
          id={`label-${what}`}
          aria-label={`Add a label to the ${what}`}
          aria-keyshortcuts={what === 'conversation' ? 'L' : what === 'customer' ? 'Shift+L' : undefined}
          value=""
          onChange={(e) => void onChange([...current, e.target.value])}
        >
          <option value="">+ label</option>
          {available.map((l) => (
            <option key={l.id} value={l.id}>
              {l.name}
            </option>
          ))}
        </select>
      )}
    </span>
  );
}
