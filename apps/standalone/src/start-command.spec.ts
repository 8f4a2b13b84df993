import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * The standalone process carries the inbox's live fan-out, so it starts with the young generation
 * the Helm chart gives the inbox alone (ADR 0158): Node's flag on the command line, where
 * `npm start`, `npm run start:standalone` and the image's default command launch it (ADR 0162).
 * The inbox's larger first old generation (ADR 0166) is the chart's alone: measured for the inbox.
 */
describe('the standalone start commands', () => {
  const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> })
    .scripts;
  const entry = 'dist/apps/standalone/main.js';
  /** Node's flags before the standalone entry in a shell command. */
  const flagsOf = (command: string) =>
    /node ((?:--\S+ )*)dist\/apps\/standalone\/main\.js/.exec(command)?.[1];
  /** The chart's Node flags for the inbox (`apps.inbox.nodeArgs`). */
  const chartInboxArgs = (
    /^ {2}inbox:\n(?: {4}.*\n|\s*\n)*? {4}nodeArgs: \[([^\]\n]*)\]/m.exec(
      readFileSync('helm/switchboard/values.yaml', 'utf8'),
    )?.[1] ?? ''
  )
    .split(',')
    .map((arg) => arg.trim().replace(/^'(.*)'$/, '$1'));
  const semiSpace = chartInboxArgs.find((arg) => arg.startsWith('--max-semi-space-size='));

  it("gives the inbox's semi-space size to npm start, start:standalone and the image", () => {
    expect(chartInboxArgs).toEqual(['--max-semi-space-size=64', '--initial-old-space-size=256']);
    expect(flagsOf(scripts.start!)).toBe(`${semiSpace} `);
    expect(flagsOf(scripts['start:standalone']!)).toBe(`${semiSpace} `);
    const cmd = /^CMD (\[.*\])$/m.exec(readFileSync('deploy/docker/Dockerfile', 'utf8'))?.[1];
    expect(JSON.parse(cmd!)).toEqual(['node', semiSpace, entry]);
  });

  it('gives the inbox only flags this Node accepts', () => {
    expect(() =>
      execFileSync(process.execPath, [...chartInboxArgs, '-e', ''], { stdio: 'pipe' }),
    ).not.toThrow();
  });
});
