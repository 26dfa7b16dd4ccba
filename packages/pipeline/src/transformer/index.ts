export * from './ports';
export * from './order-resolver';
export * from './transform-receipt';
