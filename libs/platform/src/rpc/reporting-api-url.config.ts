import { defineConfig } from '../config/config-definition.js';
import { internalRpcUrlVariable, internalRpcVariables } from './internal-rpc.config.js';

/**
 * Where the inbox and grpc-api, each alone, reach reporting's ReportingApi. Optional: without it
 * the reports answer that reporting is not deployed.
 */
export const reportingApiUrlVariables = {
  REPORTING_API_URL: internalRpcUrlVariable(
    'reporting',
    'the reports (the inbox’s /api/inbox/reports, gRPC ReportService). Unset: they say reporting is not deployed.',
    { optional: true },
  ),
};

/** What an app that calls reporting over internal RPC reads. */
export const ReportingApiClientConfig = defineConfig(
  { ...reportingApiUrlVariables, INTERNAL_API_TOKEN: internalRpcVariables.INTERNAL_API_TOKEN },
  'ReportingApiClientConfig',
);
