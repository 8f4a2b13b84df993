/** Goes to a route of the SPA (`#/c/<id>`, `#/admin`, …): the App re-renders on the hash change. */
export function navigate(path: string): void {
  location.hash = path;
}
