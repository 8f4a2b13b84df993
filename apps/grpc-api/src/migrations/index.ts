import { CreateApi1764800000000 } from './1764800000000-create-api.migration.js';

/** Every migration of the `api` schema, oldest first. */
export const grpcApiMigrations = [CreateApi1764800000000];
