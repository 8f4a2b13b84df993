import { z } from 'zod';
import { configVariable, coreVariables, databaseVariables, renderEnvExample } from '@switchboard/platform';

describe('renderEnvExample', () => {
  const text = renderEnvExample(
    {
      ...coreVariables,
      DATABASE_URL: databaseVariables.DATABASE_URL,
      META_APP_SECRET: configVariable({
        description: 'Verifies Meta webhook signatures.',
        schema: z.string(),
        sensitive: true,
        example: 'would-leak-if-printed',
      }),
      PUBLIC_URL: configVariable({
        description: 'Where customers reach the widget.',
        schema: z.url(),
        example: 'https://chat.example.com',
      }),
    },
    'Switchboard history service',
  );

  it('comments out variables that have a default, showing it', () => {
    expect(text).toContain('Default: "info".');
    expect(text).toContain('\n# LOG_LEVEL=info\n');
  });

  it('comments out optional variables with their example', () => {
    expect(text).toContain('Optional. Sensitive: keep out of version control.');
    expect(text).toContain('\n# DATABASE_URL=postgres://switchboard:change-me@localhost:5432/switchboard\n');
  });

  it('leaves required variables to fill in, never pre-filling a secret', () => {
    expect(text).toContain('# Where customers reach the widget.\nPUBLIC_URL=https://chat.example.com\n');
    expect(text).toContain('\nMETA_APP_SECRET=\n');
    expect(text).not.toContain('would-leak-if-printed');
  });

  it('starts with the title and describes each variable', () => {
    expect(text.startsWith('# Switchboard history service\n\n')).toBe(true);
    expect(text).toContain('# Verifies Meta webhook signatures.');
  });
});
