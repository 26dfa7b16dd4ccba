export type { FieldValue, MapResult, MappedRow, MappingInput, ProblemWhy, QualityProblem, QualityRule } from './types';
export { QUALITY_RULES } from './types';
export { FIELD_TYPES, K3_KEY, mappingSchema } from './schema';
export type { FieldType, Mapping, MappingField, MappingFile, SaveOptions } from './schema';
export { DEFAULT_MAPPING, loadMapping } from './default-mapping';
export { loadMappingFile, needsEnrichment, parseMapping } from './load-mapping';
export { checkQuality } from './evaluate-receipt';
export { NO_ORDER_MESSAGE, describeReceipt, readRowKey, receiptIdentity } from './receipt-keys';
export { contentHashOf, mapReceipt } from './map-receipt';
export { buildSaveOptions, previewReceipt } from './preview';
export type { Preview, PreviewPayload } from './preview';
export { normalizeText } from './text';
export {
  diffFields,
  fieldKinds,
  isTrue,
  normalizeValue,
  removedFlagField,
  type FieldDifference,
  type ValueKind,
} from './field-compare';
export { mappedFieldKeys, type MappedFieldKeys } from './field-keys';
export { versionDigest } from './version-digest';
