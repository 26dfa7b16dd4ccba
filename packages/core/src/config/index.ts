export * from './schema';
export * from './load';
export * from './heap';
export * from './issues';
