import type { ConfigShape } from './config-definition.js';
import { isOptionalVariable, type ConfigVariable } from './config-variable.js';

/**
 * Renders `.env.example` text for the given variables (pass `AppConfig.variables`). Required
 * variables appear as assignments to fill in; the rest commented out with their default, so an
 * uncommented line is always a deliberate choice. `commented`: every assignment commented out
 * (variables only some deployments read).
 */
export function renderEnvExample(
  variables: ConfigShape,
  title?: string,
  options: { commented?: boolean } = {},
): string {
  const blocks = Object.entries(variables).map(([name, variable]) =>
    renderVariable(name, variable, options.commented ?? false),
  );
  const header = title ? `# ${title}\n\n` : '';
  return `${header}${blocks.join('\n\n')}\n`;
}

function renderVariable(name: string, variable: ConfigVariable, commented: boolean): string {
  const notes: string[] = [];
  if (variable.expected) notes.push(`Expected: ${variable.expected}.`);
  if (variable.default !== undefined) notes.push(`Default: ${JSON.stringify(variable.default)}.`);
  const optional = isOptionalVariable(variable);
  if (optional) notes.push('Optional.');
  if (variable.sensitive) notes.push('Sensitive: keep out of version control.');
  const lines = wrap(variable.description).map((line) => `# ${line}`);
  if (notes.length > 0) lines.push(`# ${notes.join(' ')}`);
  if (variable.default !== undefined) lines.push(`# ${name}=${variable.default}`);
  else if (optional) lines.push(`# ${name}=${variable.example ?? ''}`);
  else lines.push(`${commented ? '# ' : ''}${name}=${variable.sensitive ? '' : (variable.example ?? '')}`);
  return lines.join('\n');
}

function wrap(text: string, width = 98): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}
