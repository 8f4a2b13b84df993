/** Maps logical topic and group names to the physical ones of a deployment (or a test run). */
export class TopicNamer {
  constructor(private readonly prefix: string) {}

  physical(logical: string): string {
    return this.prefix + logical;
  }

  logical(physical: string): string {
    return physical.startsWith(this.prefix) ? physical.slice(this.prefix.length) : physical;
  }
}
