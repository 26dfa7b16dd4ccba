export * from './runtime';
export * from './shutdown';
export * from './stage-workers';
export * from './drain';
export * from './app';
export * from './gauges';
export * from './receiver-app';
export * from './redis-healer';
export { startWorker, type TypedProcessor } from './stage-worker';
