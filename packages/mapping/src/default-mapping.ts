import defaultMappingJson from './default-mapping.json';
import { loadMappingFile, parseMapping } from './load-mapping';
import type { Mapping } from './schema';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** The default mapping (docs/operations.md#default-mapping), validated like any MAPPING_FILE and frozen. */
export const DEFAULT_MAPPING: Mapping = deepFreeze(parseMapping(defaultMappingJson, 'default-mapping.json'));

/** MAPPING_FILE when given (docs/operations.md#configuration), else DEFAULT_MAPPING. Throws InvalidInputError on a bad file. */
export function loadMapping(path?: string): Mapping {
  return path === undefined || path === '' ? DEFAULT_MAPPING : loadMappingFile(path);
}
