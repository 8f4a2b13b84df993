import { Module, type DynamicModule } from '@nestjs/common';
import {
  coreVariables,
  databaseVariables,
  DatabaseModule,
  defineConfig,
  LoggingModule,
  PlatformConfigModule,
  storageVariables,
  type Environment,
} from '@switchboard/platform';
import { SessionsService } from '../auth/sessions.service.js';
import { InboxConfig, inboxVariables } from '../inbox.config.js';
import { inboxMigrations } from '../migrations/index.js';
import { UsersService } from '../users/users.service.js';
import { WorkspacesService } from './workspaces.service.js';

/** What `npm run workspace` reads: the database (or the embedded one under SWITCHBOARD_DATA_DIR). */
export const WorkspaceCliConfig = defineConfig(
  { ...coreVariables, ...databaseVariables, ...storageVariables, ...inboxVariables },
  'WorkspaceCliConfig',
);

/** Just enough of the inbox for the workspace CLI: config, the `inbox` schema, the services. */
@Module({})
export class WorkspaceCliModule {
  static forRoot(overrides: Environment): DynamicModule {
    return {
      module: WorkspaceCliModule,
      imports: [
        PlatformConfigModule.forRoot(WorkspaceCliConfig, { overrides }),
        PlatformConfigModule.forFeature(InboxConfig),
        LoggingModule,
        DatabaseModule.forService({
          schema: 'inbox',
          migrations: inboxMigrations,
          poolSize: 2,
          connectAttempts: 1,
        }),
      ],
      providers: [SessionsService, UsersService, WorkspacesService],
    };
  }
}
