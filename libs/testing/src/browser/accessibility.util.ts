import axe from 'axe-core';
import type { Page } from 'playwright-core';

/** One axe-core finding, as a failed expectation prints it. */
export interface AccessibilityViolation {
  readonly id: string;
  readonly impact: string | null | undefined;
  readonly help: string;
  readonly targets: string[];
}

/**
 * Runs axe-core (WCAG 2.x A and AA rules) on the page as it is now and returns the serious and
 * critical violations: `expect(await seriousAccessibilityViolations(page)).toEqual([])`. The
 * script is evaluated through the browser's protocol, so the app's Content-Security-Policy (no
 * inline scripts) stays as it is.
 */
export async function seriousAccessibilityViolations(page: Page): Promise<AccessibilityViolation[]> {
  const loaded = await page.evaluate(() => 'axe' in window);
  if (!loaded) await page.evaluate(axe.source);
  const violations = await page.evaluate(async () => {
    const results = await (window as unknown as { axe: typeof axe }).axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      resultTypes: ['violations'],
    });
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(' ')),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** A finding of `seriousAccessibilityViolationsInBothSchemes`, with the colour scheme it was seen in. */
export interface SchemedAccessibilityViolation extends AccessibilityViolation {
  readonly scheme: 'light' | 'dark';
}

/**
 * `seriousAccessibilityViolations` with the system asking for light colours, then for dark ones
 * (`prefers-color-scheme`, which the inbox follows unless a person chose a theme); each finding
 * names its scheme. Leaves the page light, as a browser context starts.
 */
export async function seriousAccessibilityViolationsInBothSchemes(
  page: Page,
): Promise<SchemedAccessibilityViolation[]> {
  const found: SchemedAccessibilityViolation[] = [];
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    found.push(...(await seriousAccessibilityViolations(page)).map((v) => ({ ...v, scheme })));
  }
  await page.emulateMedia({ colorScheme: 'light' });
  return found;
}
