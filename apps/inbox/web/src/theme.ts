/**
 * The colour theme (ADR 0113): the system's (`prefers-color-scheme`) unless the person picked light
 * or dark, which is remembered in this browser. The choice is applied as `data-theme` on <html>;
 * the stylesheet's tokens hold both palettes and the root's color-scheme picks one.
 */
export type ThemeChoice = 'light' | 'dark' | 'system';

const KEY = 'switchboard.theme';

export function readTheme(): ThemeChoice {
  try {
    const stored = localStorage.getItem(KEY);
    return stored === 'light' || stored === 'dark' ? stored : 'system';
  } catch {
    return 'system'; // storage refused (private mode, policy): follow the system
  }
}

export function applyTheme(choice: ThemeChoice): void {
  const root = document.documentElement;
  if (choice === 'system') delete root.dataset.theme;
  else root.dataset.theme = choice;
}

export function saveTheme(choice: ThemeChoice): void {
  try {
    if (choice === 'system') localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, choice);
  } catch {
    // Not remembered, still applied for this page.
  }
  applyTheme(choice);
}
