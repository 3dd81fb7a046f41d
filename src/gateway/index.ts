/**
 * The REST gateway: `startServer(opts)` runs everything (store, VMs, REST, QMP); `createApp`
 * builds the express app over a `Gateway` (VMs + store, no HTTP); `ROUTES` is the REST surface
 * as data; `PROBLEM_TYPES` the RFC 9457 problem types and their QMP equivalents.
 */
export * from './app';
export * from './auth';
export * from './Gateway';
export * from './metrics';
export * from './openapi';
export * from './problems';
export * from './ProblemError';
export * from './QmpGatewayBackend';
export * from './QmpHub';
export * from './routes';
export * from './schemas';
export * from './server';
