import { z } from 'zod';

/**
 * The mapping file, as data (docs/operations.md#default-mapping and `MAPPING_FILE`). Objects are
 * strict so a typo ("palces") is an error at start-up instead of a silently ignored option.
 */
export const FIELD_TYPES = [
  'text',
  'decimal',
  'datetime',
  'bool',
  'removedFlag',
  'customField',
  'enrichment',
  'lookup',
  'constant',
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** K3Cloud field keys: `F` then letters, digits, underscores (F_PBLH_Date, FEntryID). */
export const K3_KEY = /^F[A-Za-z0-9_]+$/;
const SOURCE_PATH = /^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/;

const k3Key = z.string().regex(K3_KEY, { error: 'must be a K3Cloud key matching /^F[A-Za-z0-9_]+$/' });
const sourcePath = z
  .string()
  .regex(SOURCE_PATH, { error: 'must be a dot path such as comment or capital_account_info.capital_bank' });
const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

const textOptions = {
  /** K3Cloud text fields are nvarchar(255) unless widened; counted in UTF-16 units like nvarchar. */
  maxLength: z.number().int().min(1).max(100_000).default(255),
  /** Free text is cut to fit and the receipt still goes through; `reject` makes it a quality problem. */
  onOverflow: z.enum(['truncate', 'reject']).default('truncate'),
};
const decimalOptions = {
  /** Fixed places (half-up); absent = the exact value at the scale it arrived with. */
  places: z.number().int().min(0).max(10).optional(),
  /** A receipt amount below zero is a data-quality problem unless a field explicitly allows it. */
  allowNegative: z.boolean().default(false),
};
const common = {
  target: k3Key,
  label: z.string().optional(),
  required: z.boolean().default(false),
  /** Used when the source is absent (missing, null, "", [] or {}). Goes through the field's converter. */
  default: scalar.optional(),
};

const textField = z.strictObject({ type: z.literal('text'), source: sourcePath, ...common, ...textOptions });
const decimalField = z.strictObject({ type: z.literal('decimal'), source: sourcePath, ...common, ...decimalOptions });
const datetimeField = z.strictObject({
  type: z.literal('datetime'),
  source: sourcePath,
  ...common,
  /** `day`: always `YYYY-MM-DD 00:00:00` (a date such as collection_date); `second`: the time as given. */
  precision: z.enum(['day', 'second']).default('second'),
});
const boolField = z.strictObject({ type: z.literal('bool'), source: sourcePath, ...common });
const removedFlagField = z.strictObject({
  type: z.literal('removedFlag'),
  target: k3Key,
  label: z.string().optional(),
});
const customField = z.strictObject({
  type: z.literal('customField'),
  // docs/apis/okki.md §5: custom fields live in external_field_data_info under numeric ids
  source: z.string().regex(/^external_field_data_info\.[A-Za-z0-9_]+$/, {
    error: 'must be external_field_data_info.<field id>',
  }),
  ...common,
  convert: z.enum(['text', 'decimal']).default('text'),
  ...textOptions,
  ...decimalOptions,
});
const enrichmentField = z.strictObject({
  type: z.literal('enrichment'),
  // docs/apis/okki.md §6: only the info endpoint carries capital_account_info
  source: z.string().regex(/^info(\.[A-Za-z0-9_]+)+$/, { error: 'must be a path into the info record: info.<path>' }),
  ...common,
  convert: z.enum(['text', 'decimal']).default('text'),
  ...textOptions,
  ...decimalOptions,
});
const lookupField = z.strictObject({
  type: z.literal('lookup'),
  source: sourcePath,
  ...common,
  /** OKKI value → K3Cloud value; unmatched values take `default` (a problem when there is none). */
  table: z.record(z.string(), z.string()),
  default: z.string().nullable().optional(),
});
const constantField = z.strictObject({
  type: z.literal('constant'),
  target: k3Key,
  label: z.string().optional(),
  value: scalar,
});

export const fieldSchema = z.discriminatedUnion('type', [
  textField,
  decimalField,
  datetimeField,
  boolField,
  removedFlagField,
  customField,
  enrichmentField,
  lookupField,
  constantField,
]);

export const mappingSchema = z
  .strictObject({
    $schema: z.string().optional(),
    description: z.string().optional(),
    version: z.literal(1),
    formId: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, { error: 'must be a K3Cloud form id such as SAL_SaleOrder' }),
    entity: k3Key,
    order: z.strictObject({ targetField: k3Key, source: sourcePath }),
    rowKey: z.strictObject({
      targetField: k3Key,
      source: sourcePath,
      // the row's identity: never truncated (two receipts would collide), too long is a problem
      maxLength: z.number().int().min(1).max(100_000).default(255),
    }),
    fields: z.array(fieldSchema).min(1, { error: 'must list at least one field' }),
    saveOptions: z
      .strictObject({
        // true would make BatchSave delete every other receipt row of the order (docs/apis/k3cloud.md §4.1)
        IsDeleteEntry: z
          .literal(false, { error: 'must be false: true deletes the other rows of the order' })
          .default(false),
        IsAutoSubmitAndAudit: z.boolean().default(false),
        IsVerifyBaseDataField: z.boolean().default(false),
      })
      .prefault({}),
    quality: z
      .strictObject({
        // docs/operations.md#outcomes: order_id 0 is quarantined; a row cannot exist without its sales order
        requireOrder: z
          .literal(true, { error: 'must be true: a row cannot exist without its sales order' })
          .default(true),
        checkRealAmount: z.boolean().default(true),
      })
      .prefault({}),
  })
  .superRefine((mapping, ctx) => {
    const seen = new Map<string, string>([[mapping.rowKey.targetField, 'rowKey.targetField']]);
    mapping.fields.forEach((field, i) => {
      const first = seen.get(field.target);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['fields', i, 'target'],
          message: `duplicate target ${field.target} (also ${first})`,
        });
      } else {
        seen.set(field.target, `fields[${i}]`);
      }
    });
  });

export type Mapping = z.output<typeof mappingSchema>;
/** What a mapping file may contain (defaults not yet applied). */
export type MappingFile = z.input<typeof mappingSchema>;
export type MappingField = Mapping['fields'][number];
export type SaveOptions = Mapping['saveOptions'];
