export * from './records';
export * from './EventStore';
export * from './CommittedReader';
export { SCHEMA_VERSION } from './schema';
export * from './DataDirLock';
export * from './StoreUnavailableError';
