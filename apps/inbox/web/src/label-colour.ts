/** WCAG 2's relative luminance of a `#rrggbb` colour. */
function luminance(colour: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(colour.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG 2's contrast ratio of two `#rrggbb` colours (1 to 21). */
export function contrastRatio(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

/**
 * The text colour on a label of this colour (an admin picks any `#rrggbb`): black or white,
 * whichever contrasts more. One of the two is always at least 4.58:1 (AA for small text); a dark
 * grey in place of black would leave mid colours (#7777cc) below 4.5:1 with both.
 */
export function textColourOn(colour: string): string {
  return contrastRatio(colour, '#000000') >= contrastRatio(colour, '#ffffff') ? '#000' : '#fff';
}
