import type { DynamicModule } from '@nestjs/common';
import { type CliDatabaseConfig, type Environment, withCliApplication } from '@switchboard/platform';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { RebuildService } from './rebuild.service.js';

const args = z.object({ workspace: z.uuid() });

/** Where a deployment's command finds its database and history's records. */
export interface RebuildComposition {
  readonly config: CliDatabaseConfig;
  readonly module: (overrides: Environment) => DynamicModule;
}

/**
 * `npm run reports:rebuild -- --workspace <id>` (ADR 0106): rebuilds one workspace and prints what
 * it did. `compose` is asked only once the arguments are good, so `--help` and a bad id need no
 * configuration. Exit codes: 0 done, 2 bad arguments, 1 anything else (`runCli`).
 */
export async function rebuildCommand(
  argv: string[],
  usage: string,
  compose: () => RebuildComposition,
): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { workspace: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stderr.write(usage);
    return 0;
  }
  const parsed = args.safeParse(values);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  --${i.path.join('.')}: ${i.message}`).join('\n');
    process.stderr.write(`${problems}\n\n${usage}`);
    return 2;
  }
  const { config, module } = compose();
  return withCliApplication(config, module, async (app) => {
    const result = await app.get(RebuildService).rebuild(parsed.data.workspace);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  });
}
