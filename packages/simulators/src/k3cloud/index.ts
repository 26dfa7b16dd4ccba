export { startK3CloudSimulator, DEFAULT_SIMULATOR_CREDENTIALS, type K3CloudSimulator } from './simulator';
export {
  DEFAULT_FAULTS,
  type Bill,
  type FieldType,
  type ForcedFault,
  type FormFieldConfig,
  type K3CloudCredentials,
  type K3CloudFaults,
  type K3CloudSimulatorOptions,
  type K3CloudSimulatorStats,
  type K3CloudTenant,
  type LockedSaveBehaviour,
  type RequestFilterSettings,
  type SeedBill,
  type StatusOp,
} from './types';
export { REQUEST_FILTER_RULE } from './http/request-filter';
export { PBLH_ROW_FIELDS } from './store/default-schema';
export { parseFilter } from './filter/filter-parser';
export { FilterSyntaxError } from './filter/filter-tokenizer';
export { evaluate as evaluateFilter, type FieldLookup, type Truth } from './filter/filter-evaluate';
export type { FilterExpr } from './filter/filter-ast';
