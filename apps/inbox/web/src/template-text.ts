/** A template body with `{{n}}` replaced by the n-th value (left as is while empty): the text the customer gets. */
export function fillTemplate(body: string, values: readonly string[]): string {
  return body.replace(/\{\{(\d+)\}\}/g, (placeholder, n: string) => {
    const value = values[Number(n) - 1]?.trim();
    return value ? value : placeholder;
  });
}
