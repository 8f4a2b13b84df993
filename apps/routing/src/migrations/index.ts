import { CreateRouting1764100000000 } from './1764100000000-create-routing.migration.js';

/** Every routing migration, oldest first. */
export const routingMigrations = [CreateRouting1764100000000];
