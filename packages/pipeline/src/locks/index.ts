export * from './redis-locks';
export * from './writer-lease';
export * from './window-lock';
