import { useState } from 'react';
import { MonitorIcon, MoonIcon, SunIcon } from './icons.js';
import { type ThemeChoice, readTheme, saveTheme } from './theme.js';

const CHOICES: { value: ThemeChoice; label: string; Icon: typeof SunIcon }[] = [
  { value: 'light', label: 'Light', Icon: SunIcon },
  { value: 'dark', label: 'Dark', Icon: MoonIcon },
  { value: 'system', label: 'System', Icon: MonitorIcon },
];

/** Light, dark or the system's theme: three pressed-or-not buttons, the choice remembered. */
export function ThemeToggle() {
  const [choice, setChoice] = useState<ThemeChoice>(readTheme);
  return (
    <div className="theme-toggle" role="group" aria-label="Theme">
      {CHOICES.map(({ value, label, Icon }) => (
        <button
          key={value}
          type="button"
          aria-pressed={choice === value}
          aria-label={`${label} theme`}
          title={`${label} theme`}
          onClick={() => {
            saveTheme(value);
            setChoice(value);
          }}
        >
          <Icon />
        </button>
      ))}
    </div>
  );
}
