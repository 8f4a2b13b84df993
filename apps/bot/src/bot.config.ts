import { configVariable, defineConfig } from '@switchboard/platform';
import { z } from 'zod';

export const botVariables = {
  BOT_ANSWER_THRESHOLD: configVariable({
    description:
      "The matcher's confidence (0 to 1) at or above which the bot answers, for a knowledge base too small to " +
      'calibrate its own (fewer than 100 questions in published articles). Larger bases choose theirs on ' +
      'held-out questions when the matcher is trained.',
    schema: z
      .string()
      .regex(/^(0(\.\d+)?|1(\.0+)?)$/)
      .transform(Number),
    default: '0.5',
    expected: 'a number from 0 to 1',
  }),
};

/** What the bot reads from the app's config. */
export const BotConfig = defineConfig(botVariables, 'BotConfig');
