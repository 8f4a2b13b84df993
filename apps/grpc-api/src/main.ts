import { runHttpService } from '@switchboard/platform';
import { GrpcApiAppConfig } from './grpc-api-app.config.js';
import { GrpcApiAppModule } from './grpc-api-app.module.js';

await runHttpService(GrpcApiAppModule, { config: GrpcApiAppConfig });
