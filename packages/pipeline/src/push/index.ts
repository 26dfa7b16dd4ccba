export * from './crypto';
export * from './messages';
export * from './push-state';
export * from './enqueue-push';
export * from './receiver';
export * from './push-events';
export * from './push-status';
