export * from './client';
export * from './probe';
