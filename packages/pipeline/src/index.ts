export * from './queues';
export * from './locks';
export * from './producer';
export * from './transformer';
export * from './writer';
export * from './runtime';
export * from './sync-once';
export * from './preflight';
