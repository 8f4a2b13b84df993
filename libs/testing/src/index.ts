export {
  createTestDatabase,
  dropTestDatabasesOfRun,
  testRunId,
  type TestDatabase,
} from './database/test-database.util.js';
