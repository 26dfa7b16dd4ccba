export { createRng, type Rng } from './prng';
export * from './receipt-types';
export * from './sales-order-types';
export { generateDataset, DEFAULT_START_TIME, type Dataset, type GenerateDatasetOptions } from './dataset';
export { mutateReceipt } from './mutate';
export { realAmountHolds } from './receipt-money';
export { CAPITAL_ACCOUNTS, TENANT_CLIENT_ID } from './catalog';
