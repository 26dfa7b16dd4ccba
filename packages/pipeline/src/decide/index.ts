export * from './version-rules';
export * from './map-row';
export * from './row-rules';
export * from './decide-receipt';
