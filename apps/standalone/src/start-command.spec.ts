import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * The standalone process carries the inbox's live fan-out, so it starts with the young generation
 * the Helm chart gives the inbox alone (ADR 0158): Node's flag on the command line, where
 * `npm start`, `npm run start:standalone` and the image's default command launch it (ADR 0162).
 */
describe('the standalone start commands', () => {
  const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> })
    .scripts;
  const entry = 'dist/apps/standalone/main.js';
  /** Node's flags before the standalone entry in a shell command. */
  const flagsOf = (command: string) =>
    /node ((?:--\S+ )*)dist\/apps\/standalone\/main\.js/.exec(command)?.[1];
  /** The chart's NODE_OPTIONS for the inbox (`apps.inbox.env`). */
  const chartInboxOptions =
    /^ {2}inbox:\n(?: {4}.*\n|\s*\n)*? {4}env: \{ NODE_OPTIONS: '([^']*)'[^}\n]*\}/m.exec(
      readFileSync('helm/switchboard/values.yaml', 'utf8'),
    )?.[1];

  it("gives the inbox's semi-space size to npm start, start:standalone and the image", () => {
    expect(chartInboxOptions).toBe('--max-semi-space-size=64');
    expect(flagsOf(scripts.start!)).toBe(`${chartInboxOptions} `);
    expect(flagsOf(scripts['start:standalone']!)).toBe(`${chartInboxOptions} `);
    const cmd = /^CMD (\[.*\])$/m.exec(readFileSync('deploy/docker/Dockerfile', 'utf8'))?.[1];
    expect(JSON.parse(cmd!)).toEqual(['node', chartInboxOptions, entry]);
  });

  it('uses a flag this Node accepts', () => {
    expect(() =>
      execFileSync(process.execPath, [chartInboxOptions!, '-e', ''], { stdio: 'pipe' }),
    ).not.toThrow();
  });
});
