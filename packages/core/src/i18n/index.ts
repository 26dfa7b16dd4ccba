export * from './translate';
export * from './locale';
export * from './format';
export * from './next-steps';
