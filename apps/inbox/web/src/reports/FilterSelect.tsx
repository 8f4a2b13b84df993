/** One choice of the Reports page's filters: a labelled select, with an "all" choice when it filters. */
export function FilterSelect<V extends string>({
  label,
  all,
  value,
  options,
  onChange,
}: {
  label: string;
  /** The choice that filters nothing (value ''), e.g. "All queues"; none: a value is always chosen. */
  all?: string;
  value: V | '';
  options: readonly { value: V; label: string }[];
  onChange: (value: V | '') => void;
}) {
  return (
    <label>
      {label}
      <select aria-label={label} value={value} onChange={(e) => onChange(e.target.value as V | '')}>
        {all !== undefined && <option value="">{all}</option>}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}
