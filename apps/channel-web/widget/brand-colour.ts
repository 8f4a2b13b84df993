/**
 * The text colour on the workspace's colour (any #rrggbb its admin picks): black above WCAG 2
 * relative luminance 0.179, where black starts to contrast more than white. One of the two is
 * always at least 4.58:1 (AA for small text); white alone is 3.68:1 on #3b82f6.
 */
export function textOnBrand(colour: string): '#000' | '#fff' {
  const linear = [1, 3, 5]
    .map((i) => parseInt(colour.slice(i, i + 2), 16) / 255)
    .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  const luminance = 0.2126 * linear[0]! + 0.7152 * linear[1]! + 0.0722 * linear[2]!;
  return luminance > 0.179 ? '#000' : '#fff';
}
