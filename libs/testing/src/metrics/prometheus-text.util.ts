/** One sample of a scrape: `name{labels} value`. */
export interface PrometheusSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface PrometheusScrape {
  readonly samples: readonly PrometheusSample[];
  /** `# TYPE` of each metric family. */
  readonly types: ReadonlyMap<string, string>;
  /** The samples of `name` whose labels include every one of `labels`. */
  find(name: string, labels?: Readonly<Record<string, string>>): PrometheusSample[];
  /** The sum of those samples' values (0 when there are none). */
  sum(name: string, labels?: Readonly<Record<string, string>>): number;
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: (-?\\d+))?$`);
const LABEL = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

/**
 * Parses Prometheus's text exposition format (0.0.4) strictly: any line that is not a comment, a
 * `# HELP`/`# TYPE` line or a well-formed sample throws with its line number, so a malformed
 * exposition fails the test that reads it rather than being half read.
 */
export function parsePrometheusText(text: string): PrometheusScrape {
  const samples: PrometheusSample[] = [];
  const types = new Map<string, string>();
  text.split('\n').forEach((line, index) => {
    if (line === '') return;
    const fail = (why: string): never => {
      throw new Error(`line ${index + 1}: ${why}: ${JSON.stringify(line)}`);
    };
    if (line.startsWith('#')) {
      const type = new RegExp(`^# TYPE (${NAME}) (\\S+)$`).exec(line);
      if (type) {
        if (!TYPES.has(type[2]!)) fail('unknown metric type');
        if (types.has(type[1]!)) fail('second TYPE line for a metric');
        types.set(type[1]!, type[2]!);
      } else if (
        line.startsWith('# TYPE') ||
        (line.startsWith('# HELP') && !new RegExp(`^# HELP ${NAME} `).test(line))
      )
        fail('malformed HELP or TYPE line');
      return;
    }
    const match = SAMPLE.exec(line) ?? fail('not a sample');
    const labels: Record<string, string> = {};
    let rest = match[2] ?? '';
    while (rest !== '') {
      const label = LABEL.exec(rest) ?? fail('malformed labels');
      if (label[1]! in labels) fail(`label ${label[1]} twice`);
      labels[label[1]!] = label[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
      rest = rest.slice(label[0].length);
    }
    const raw = match[3]!;
    // Prometheus reads values with Go's ParseFloat: NaN and ±Inf in any case (prom-client writes
    // "Nan" for a gauge with no samples yet, such as the event loop's lag right after start).
    const special = /^(?:([+-]?)inf(?:inity)?|(nan))$/i.exec(raw);
    const value = special ? (special[2] ? NaN : special[1] === '-' ? -Infinity : Infinity) : Number(raw);
    if (!special && (raw.trim() === '' || Number.isNaN(value))) fail('value is not a number');
    samples.push({ name: match[1]!, labels, value });
  });
  const find = (name: string, wanted: Readonly<Record<string, string>> = {}) =>
    samples.filter((s) => s.name === name && Object.entries(wanted).every(([k, v]) => s.labels[k] === v));
  return {
    samples,
    types,
    find,
    sum: (name, wanted) => find(name, wanted).reduce((total, s) => total + s.value, 0),
  };
}
