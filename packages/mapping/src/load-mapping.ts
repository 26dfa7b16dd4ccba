import { readFileSync } from 'node:fs';
import { InvalidInputError } from '@receipt-sync/core';
import type { z } from 'zod';
import { convertValue } from './evaluate-field';
import { mappingSchema, type Mapping } from './schema';
import { INFO_PREFIX } from './source-path';

/** `fields[3].type` from zod's ['fields', 3, 'type']. */
function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let text = '';
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else text += text === '' ? String(part) : `.${String(part)}`;
  }
  return text === '' ? '(root)' : text;
}

function formatIssue(issue: z.core.$ZodIssue): string {
  const where = formatPath(issue.path);
  // zod reports a bad discriminator with the allowed values in `options` (not in its public type)
  const options = (issue as { options?: unknown }).options;
  if (issue.code === 'invalid_union' && Array.isArray(options)) {
    return `${where}: expected one of ${options.map(String).join('|')}`;
  }
  if (issue.code === 'unrecognized_keys') return `${where}: unknown key(s) ${issue.keys.join(', ')}`;
  return `${where}: ${issue.message}`;
}

/** Defaults go through the field's converter at run time, so a bad one is a mapping error, found now. */
function checkDefaults(mapping: Mapping): string[] {
  const issues: string[] = [];
  mapping.fields.forEach((field, i) => {
    if (!('default' in field) || field.default === undefined || field.type === 'lookup') return;
    const converted = convertValue(field, field.default);
    if (converted.kind === 'problem') issues.push(`fields[${i}].default: ${converted.detail}`);
  });
  return issues;
}

/**
 * Validates a mapping object (parsed JSON). Returns the mapping with defaults applied, or throws
 * InvalidInputError naming `sourceName`, the JSON path of each bad entry and what is wrong with it.
 */
export function parseMapping(value: unknown, sourceName: string): Mapping {
  const result = mappingSchema.safeParse(value);
  if (!result.success) throw new InvalidInputError(sourceName, result.error.issues.map(formatIssue));
  const issues = checkDefaults(result.data);
  if (issues.length > 0) throw new InvalidInputError(sourceName, issues);
  return result.data;
}

/** Reads and validates a MAPPING_FILE; without a path, the built-in default mapping. */
export function loadMappingFile(path: string): Mapping {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new InvalidInputError(path, [`cannot read the mapping file (${code})`], { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InvalidInputError(path, [`not valid JSON: ${(error as Error).message}`], { cause: error });
  }
  return parseMapping(json, path);
}

/** True when some field reads the `/receipt/info` record, so the pipeline must fetch it per receipt. */
export function needsEnrichment(mapping: Mapping): boolean {
  return mapping.fields.some((field) => 'source' in field && field.source.startsWith(INFO_PREFIX));
}
