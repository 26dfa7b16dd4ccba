export * from './attention';
export * from './metadata-check';
export * from './metadata-gate';
