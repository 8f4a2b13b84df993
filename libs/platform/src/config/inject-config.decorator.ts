import { Inject } from '@nestjs/common';
import type { ConfigDefinition } from './config-definition.js';

/** `@InjectConfig(HistoryConfig) private readonly config: ConfigOf<typeof HistoryConfig>` */
export function InjectConfig(definition: ConfigDefinition): ParameterDecorator & PropertyDecorator {
  return Inject(definition.token);
}
