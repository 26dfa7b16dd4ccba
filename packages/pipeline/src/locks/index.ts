export * from './redis-locks';
export * from './order-locks';
export * from './window-lock';
