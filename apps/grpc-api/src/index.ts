// What the standalone composition needs of the gRPC API.
export { GrpcApiModule } from './grpc-api.module.js';
export { grpcApiVariables, GrpcApiConfig } from './grpc-api.config.js';
export { ApiKeyService } from './api-keys/api-key.service.js';
export { GrpcServerService } from './server/grpc-server.service.js';
